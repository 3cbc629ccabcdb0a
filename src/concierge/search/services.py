"""Writes of the search app: the index, the query log and the deflection chain."""

import datetime
import math
import re

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from concierge.search.backends import get_backend
from concierge.search.choices import EntryKind, Outcome, Source
from concierge.search.embeddings import get_embedder, to_bytes
from concierge.search.models import Deflection, Entry, IndexState, Query
from concierge.search.text import LANGUAGES, index_text, words

MAX_TEXT = 20_000
_MARKDOWN = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[#>*_`|\[\]~]+|<[^>]+>")
CONFIG = {"en": "english", "de": "german"}


def plain_text(markdown: str) -> str:
    """Markdown as plain words (links keep their text, images and markup go)."""
    return re.sub(r"\s+", " ", _MARKDOWN.sub(" ", markdown or "")).strip()[:MAX_TEXT]


def embedding_text(entry: Entry) -> str:
    """What the embedding of an entry says: its title, summary and tags."""
    return ". ".join(part for part in (entry.title, entry.summary, ", ".join(entry.tags)) if part)


def _fill(entry: Entry) -> Entry:
    """Derived fields: stems for the lexical index, vocabulary terms."""
    entry.config = CONFIG.get(entry.language, "english")
    entry.title_stems = index_text(f"{entry.title} {' '.join(entry.tags)}", entry.language)
    entry.body_stems = index_text(f"{entry.summary} {entry.text}", entry.language)
    entry.terms = " ".join(sorted(set(words(
        f"{entry.title} {entry.summary} {' '.join(entry.tags)} {entry.text}"))))
    return entry


def article_entries(articles) -> list[Entry]:
    """Unsaved entries for published articles (one each)."""
    return [_fill(Entry(
        kind=EntryKind.ARTICLE, object_id=a.pk, key=a.slug, language=a.language,
        title=a.title, summary=a.summary, text=plain_text(a.body),
        tags=[str(t) for t in (a.tags or [])], category=a.category.slug,
        popularity=math.log1p(a.view_count),
        helpfulness=(a.helpful_yes + 1) / (a.helpful_yes + a.helpful_no + 2),
        updated_at=a.published_at or a.updated_at)) for a in articles]


def item_entries(items, *, orders: dict[int, int] | None = None) -> list[Entry]:
    """Unsaved entries for active catalog items: one per language."""
    entries = []
    for item in items:
        for language in LANGUAGES:
            keywords = (item.keywords or {}).get(language) or []
            if isinstance(keywords, str):
                keywords = [keywords]
            name = item.name.get(language) or item.name.get("en") or item.slug
            entries.append(_fill(Entry(
                kind=EntryKind.ITEM, object_id=item.pk, key=item.slug, language=language,
                title=name, summary=(item.summary or {}).get(language, ""),
                text=plain_text((item.description or {}).get(language, "")),
                tags=[str(k) for k in keywords], category=item.category.slug,
                popularity=math.log1p((orders or {}).get(item.pk, 0)), helpfulness=0.5,
                updated_at=item.updated_at)))
    return entries


def _next_revision() -> int:
    """Bump the index revision (row-locked until commit) and return it."""
    IndexState.objects.get_or_create(pk=1)
    IndexState.objects.filter(pk=1).update(revision=F("revision") + 1)
    return IndexState.objects.values_list("revision", flat=True).get(pk=1)


@transaction.atomic
def entries_save(*, kind: str, object_ids: list[int], entries: list[Entry]) -> None:
    """Replace the entries of these objects with ``entries`` (embedded here), keeping ids.

    Objects with no entry in ``entries`` (unpublished, inactive, deleted) leave the index.
    """
    revision = _next_revision()
    if entries:
        vectors = get_embedder().embed([embedding_text(e) for e in entries])
        for entry, vector in zip(entries, vectors, strict=True):
            entry.embedding = to_bytes(vector)
            entry.revision = revision
    existing = {(e.object_id, e.language): e.pk for e in Entry.objects.filter(
        kind=kind, object_id__in=object_ids).only("pk", "object_id", "language")}
    keep = set()
    for entry in entries:
        entry.pk = existing.get((entry.object_id, entry.language))
        keep.add(entry.pk)
    updates = [e for e in entries if e.pk]
    fields = [f.name for f in Entry._meta.concrete_fields if not f.primary_key]
    if updates:
        Entry.objects.bulk_update(updates, fields, batch_size=500)
    created = Entry.objects.bulk_create([e for e in entries if not e.pk], batch_size=500)
    gone = [pk for pk in existing.values() if pk not in keep]
    backend = get_backend()
    if gone:
        Entry.objects.filter(pk__in=gone).delete()
        backend.delete(gone)
    backend.write([*updates, *created])


def entry_refresh(*, kind: str, object_id: int) -> None:
    """Index one article or catalog item as it is now (or remove it from the index)."""
    if kind == EntryKind.ARTICLE:
        from concierge.knowledge.choices import ArticleStatus
        from concierge.knowledge.models import Article

        articles = Article.objects.filter(pk=object_id, status=ArticleStatus.PUBLISHED) \
            .select_related("category")
        entries = article_entries(articles)
    else:
        from concierge.catalog.models import CatalogItem

        items = CatalogItem.objects.filter(pk=object_id, active=True).select_related("category")
        entries = item_entries(items, orders=_order_counts([object_id]))
    entries_save(kind=kind, object_ids=[object_id], entries=entries)


def entry_signals_refresh(*, batch: int = 2000) -> int:
    """Popularity and helpfulness of every article entry from the article's current counts
    (views and votes are counted with plain UPDATEs, without a save that would re-index).
    Returns how many entries changed."""
    from concierge.knowledge.models import Article

    counts = {pk: (views, yes, no) for pk, views, yes, no in Article.objects.values_list(
        "pk", "view_count", "helpful_yes", "helpful_no")}
    entries = Entry.objects.filter(kind=EntryKind.ARTICLE).only(
        "pk", "object_id", "popularity", "helpfulness")
    dirty = []
    for entry in entries.iterator(chunk_size=batch):
        if entry.object_id not in counts:
            continue
        views, yes, no = counts[entry.object_id]
        popularity, helpfulness = math.log1p(views), (yes + 1) / (yes + no + 2)
        if (entry.popularity, entry.helpfulness) != (popularity, helpfulness):
            entry.popularity, entry.helpfulness = popularity, helpfulness
            dirty.append(entry)
    for start in range(0, len(dirty), batch):
        Entry.objects.bulk_update(dirty[start:start + batch], ["popularity", "helpfulness"])
    return len(dirty)


def _order_counts(item_ids: list[int] | None = None) -> dict[int, int]:
    from concierge.tickets.models import Ticket

    tickets = Ticket.objects.filter(item_id__isnull=False)
    if item_ids is not None:
        tickets = tickets.filter(item_id__in=item_ids)
    return dict(tickets.values_list("item_id").annotate(n=Count("pk")).order_by())


def index_rebuild(*, batch: int = 500, progress=None) -> int:
    """Index every published article and active item anew; the number of entries."""
    from concierge.catalog.models import CatalogItem
    from concierge.knowledge.choices import ArticleStatus
    from concierge.knowledge.models import Article

    with transaction.atomic():
        Entry.objects.all().delete()
        get_backend().clear()
        IndexState.objects.all().delete()  # a new generation: every process reloads
    total = 0
    orders = _order_counts()
    items = list(CatalogItem.objects.filter(active=True).select_related("category"))
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        entries = item_entries(chunk, orders=orders)
        entries_save(kind=EntryKind.ITEM, object_ids=[i.pk for i in chunk], entries=entries)
        total += len(entries)
    ids = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk")
               .values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        articles = Article.objects.filter(pk__in=chunk).select_related("category")
        entries = article_entries(articles)
        entries_save(kind=EntryKind.ARTICLE, object_ids=chunk, entries=entries)
        total += len(entries)
        if progress:
            progress(total)
    get_backend().optimize()
    return total


# --- the query log ----------------------------------------------------------------------------

def query_record(*, text: str, language: str, result_count: int, source: str = Source.HEADER,
                 previous_id: int | None = None) -> Query:
    """Log a search. While someone types, the row of their previous instant search is updated
    when the new text continues it (``print`` after ``pri``), so one search is one row."""
    text = " ".join(text.split())[:200]
    if previous_id:
        previous = Query.objects.filter(pk=previous_id, source=source,
                                        clicked_kind="").first()
        recent = previous and (timezone.now() - previous.created_at).total_seconds() < 60
        if recent and (text.lower().startswith(previous.text.lower())
                       or previous.text.lower().startswith(text.lower())):
            previous.text, previous.result_count = text, result_count
            previous.save(update_fields=["text", "result_count"])
            return previous
    return Query.objects.create(text=text, language=language[:8], source=source,
                                result_count=result_count)


def query_click(*, query_id: int, kind: str, key: str, rank: int | None) -> None:
    """Remember which result a search led to (the first click counts)."""
    Query.objects.filter(pk=query_id, clicked_kind="").update(
        clicked_kind=kind[:16], clicked_key=key[:120], clicked_rank=rank)


# --- deflection -------------------------------------------------------------------------------

def deflection_show(*, user, item, text: str, shown: list[str]) -> Deflection | None:
    """Suggestions were shown beside ``item``'s form: start or update the person's open
    deflection for it (one per form attempt). Nothing is recorded when nothing was shown."""
    deflection = Deflection.objects.filter(user=user, item=item,
                                           outcome=Outcome.PENDING).first()
    if deflection is None:
        if not shown:
            return None
        return Deflection.objects.create(user=user, item=item, text=text[:200], shown=shown)
    deflection.text = text[:200]
    deflection.shown = list(dict.fromkeys([*deflection.shown, *shown]))[:50]
    deflection.save(update_fields=["text", "shown", "updated_at"])
    return deflection


def deflection_open(*, deflection: Deflection, kind: str, key: str) -> None:
    """The person opened one of the suggestions (the first one opened is kept)."""
    if deflection.opened_at is None:
        deflection.opened_kind, deflection.opened_key = kind[:16], key[:120]
        deflection.opened_at = timezone.now()
        deflection.save(update_fields=["opened_kind", "opened_key", "opened_at", "updated_at"])


def deflection_solve(*, deflection: Deflection) -> bool:
    """"This solved it": the suggestion answered the question. The person's draft of the form
    is discarded (a confirmed deflection). Returns whether a draft was discarded."""
    from concierge.tickets.models import Draft
    from concierge.tickets.services import draft_discard

    now = timezone.now()
    deflection.solved_at = deflection.solved_at or now
    if deflection.outcome == Outcome.PENDING:
        deflection.outcome = Outcome.ABANDONED
    deflection.save(update_fields=["solved_at", "outcome", "updated_at"])
    draft = Draft.objects.filter(user=deflection.user_id, item=deflection.item_id).first()
    if draft is not None and deflection.item_id:
        draft_discard(draft=draft)
        return True
    return False


def deflection_close(*, user, item, ticket=None) -> None:
    """The form ended: submitted (``ticket``) or its draft discarded. Closes the person's open
    deflection for ``item``; a deflection marked solved that is submitted anyway is reopened
    as submitted."""
    outcome = Outcome.SUBMITTED if ticket is not None else Outcome.ABANDONED
    open_ones = Deflection.objects.filter(user=user, item=item, outcome=Outcome.PENDING)
    if ticket is not None:
        recent_solved = Deflection.objects.filter(
            user=user, item=item, outcome=Outcome.ABANDONED, solved_at__isnull=False,
            created_at__gte=timezone.now() - datetime.timedelta(days=1))
        recent_solved.update(outcome=outcome, ticket=ticket, updated_at=timezone.now())
    open_ones.update(outcome=outcome, ticket=ticket, updated_at=timezone.now())
