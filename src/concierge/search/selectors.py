"""Reads of the search app: the one search box, suggestions, and the analytics.

``search_for`` is hybrid: the lexical backend (FTS5 or PostgreSQL) and the nearest embeddings
each rank up to ``CANDIDATES`` (50) entries; reciprocal rank fusion merges the two lists, and small
boosts favour popular, helpful and fresh content. Language versions of one article count once
(shown in the reader's language where there is one). Only what the viewer may see is kept:
articles through ``knowledge.selectors.article_list_for``, services through
``catalog.selectors.item_list_for``; the viewer's own requests come from
``tickets.selectors.ticket_list_for`` directly (they are per person, so not indexed).
"""

import datetime
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField, Max, Q
from django.db.models.functions import Lower, TruncWeek
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from concierge.accounts.choices import Role
from concierge.catalog.models import CatalogItem
from concierge.catalog.selectors import item_list_for
from concierge.knowledge.models import Article
from concierge.knowledge.selectors import article_list_for, reader_language
from concierge.search.backends import get_backend
from concierge.search.choices import EntryKind, Outcome
from concierge.search.embeddings import embed_query
from concierge.search.memory import MemoryIndex, memory_index
from concierge.search.models import Deflection, Entry, Query
from concierge.search.query import ParsedQuery, parse, synonym_groups
from concierge.search.text import LANGUAGES, stem
from concierge.search.text import words as folded_words
from concierge.tickets.selectors import ticket_list_for

CANDIDATES = 50
RRF_K = 60
LEXICAL_WEIGHT = 1.0
VECTOR_WEIGHT = 1.0
# Cosine below which an embedding neighbour is noise (tuned on the evaluation set).
VECTOR_THRESHOLD = 0.30
MAX_QUERY = 200
UNHELPFUL_MIN = 3
DESCRIBE_KEYS = ("summary", "description", "short_description", "subject")


@dataclass
class Hit:
    kind: str
    key: str
    object_id: int
    language: str
    title: str
    summary: str
    category: str
    score: float
    marker: "Highlighter | None" = None

    @property
    def title_html(self) -> SafeString:
        return self.marker.mark(self.title) if self.marker else escape(self.title)

    @property
    def summary_html(self) -> SafeString:
        return self.marker.mark(self.summary) if self.marker else escape(self.summary)


@dataclass
class Results:
    text: str
    hits: list[Hit] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.kind == kind]

    @property
    def services(self) -> list[Hit]:
        return self.of_kind(EntryKind.ITEM)

    @property
    def articles(self) -> list[Hit]:
        return self.of_kind(EntryKind.ARTICLE)

    @property
    def corrected_text(self) -> str:
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(w, w) for w in folded_words(self.text))


def result_url(kind: str, key: str) -> str:
    """Where a result leads (404 for an unknown kind); the target page checks visibility."""
    if kind == EntryKind.ARTICLE:
        return reverse("knowledge:article", args=[key])
    if kind == EntryKind.ITEM:
        return reverse("catalog:item", args=[key])
    if kind == "request" and key.isdigit():
        return reverse("tickets:detail", args=[int(key)])
    raise Http404("No such result")


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


def _boost(entry: Entry, now) -> float:
    """Popular (views or orders), helpful and fresh content ranks a little higher."""
    popularity = min(entry.popularity / math.log1p(1000), 1.0)
    helpfulness = (entry.helpfulness - 0.5) * 2  # -1 .. 1
    age_days = max((now - entry.updated_at).total_seconds() / 86400, 0)
    freshness = math.exp(-age_days / 365)
    return 1 + 0.10 * popularity + 0.08 * helpfulness + 0.04 * freshness


def rank(text: str, *, parsed: ParsedQuery | None = None,
         index: MemoryIndex | None = None) -> list[tuple[int, float]]:
    """(entry id, fused score) of the best candidates for ``text``, best first, over the whole
    index (no visibility applied yet)."""
    index = index or memory_index()
    parsed = parsed or parse(text, index=index, synonyms=synonym_groups())
    lexical = get_backend().search(parsed.lexical, limit=CANDIDATES) if parsed.lexical else []
    vector = embed_query(text)
    nearest = index.nearest(vector, limit=CANDIDATES, threshold=VECTOR_THRESHOLD)
    scores: dict[int, float] = {}
    for weight, ids in ((LEXICAL_WEIGHT, lexical), (VECTOR_WEIGHT, [i for i, _c in nearest])):
        for position, entry_id in enumerate(ids if weight else []):
            scores[entry_id] = scores.get(entry_id, 0) + weight / (RRF_K + position + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def _visible(user, entries: list[Entry]) -> set[tuple[str, int]]:
    article_ids = [e.object_id for e in entries if e.kind == EntryKind.ARTICLE]
    item_ids = [e.object_id for e in entries if e.kind == EntryKind.ITEM]
    visible = set()
    if article_ids:
        visible |= {(EntryKind.ARTICLE, pk) for pk in article_list_for(user=user).filter(
            pk__in=article_ids).values_list("pk", flat=True)}
    if item_ids:
        visible |= {(EntryKind.ITEM, pk) for pk in item_list_for(user).filter(
            pk__in=item_ids).values_list("pk", flat=True)}
    return visible


def search_for(*, user, text: str, language: str | None = None, kind: str = "",
               category: str = "", result_language: str = "") -> Results:
    """What ``user`` may see that matches ``text``, best first, one hit per article or
    service, with facet counts (kind, category, language) before the filters are applied."""
    text = clean_query(text)
    results = Results(text=text)
    if not folded_words(text):
        return results
    language = reader_language(language)
    index = memory_index()
    parsed = parse(text, index=index, synonyms=synonym_groups())
    results.corrections = parsed.corrections
    ranked = rank(text, parsed=parsed, index=index)
    fields = ["kind", "object_id", "key", "language", "title", "summary", "category",
              "popularity", "helpfulness", "updated_at"]
    entries = Entry.objects.only(*fields).in_bulk([entry_id for entry_id, _ in ranked])
    # Found in the other language only: the version in the reader's language, if any.
    keys = {e.key for e in entries.values() if e.language != language}
    translations = {(e.kind, e.key): e for e in Entry.objects.only(*fields).filter(
        key__in=keys, language=language)} if keys else {}
    visible = _visible(user, [*entries.values(), *translations.values()])

    now = timezone.now()
    groups: dict[tuple[str, str], Hit] = {}
    facets = {"kind": {}, "category": {}, "language": {}}
    for entry_id, score in ranked:
        entry = entries.get(entry_id)
        if entry is None or (entry.kind, entry.object_id) not in visible:
            continue
        shown = entry
        if not result_language:
            own = translations.get((entry.kind, entry.key))
            if own is not None and (own.kind, own.object_id) in visible:
                shown = own
        group = (entry.kind, entry.key)
        score *= _boost(entry, now)
        if group in groups:
            groups[group].score = max(groups[group].score, score)
            continue
        groups[group] = Hit(kind=entry.kind, key=entry.key, object_id=shown.object_id,
                            language=shown.language, title=shown.title, summary=shown.summary,
                            category=entry.category, score=score)
    hits = sorted(groups.values(), key=lambda hit: -hit.score)
    for hit in hits:
        for facet, value in (("kind", hit.kind), ("category", hit.category),
                             ("language", hit.language)):
            facets[facet][value] = facets[facet].get(value, 0) + 1
    results.facets = facets
    results.hits = [hit for hit in hits
                    if (not kind or hit.kind == kind)
                    and (not category or hit.category == category)
                    and (not result_language or hit.language == result_language)]
    marker = Highlighter(parsed)  # marks only the hits that are shown, when they are
    for hit in results.hits:
        hit.marker = marker
    return results


def my_requests_for(*, user, text: str, limit: int = 3):
    """The viewer's own requests whose title or number matches ``text``."""
    text = clean_query(text)
    if len(text) < 2:
        return []
    return list(ticket_list_for(user, state="all", query=text)[:limit])


class Highlighter:
    """Marks the words of a text that the query matched: escape first, then ``<mark>``."""

    _SPLIT = re.compile(r"(\w+)")

    def __init__(self, parsed: ParsedQuery) -> None:
        self.words = parsed.all_words
        self.stems = {stem(w, lang) for w in self.words for lang in LANGUAGES}
        self.prefixes = tuple(parsed.lexical.prefix)

    def _matches(self, token: str) -> bool:
        folded = folded_words(token)
        if not folded:
            return False
        word = folded[0]
        return (word in self.words or word.startswith(self.prefixes)
                or any(stem(word, lang) in self.stems for lang in LANGUAGES))

    def mark(self, text: str) -> SafeString:
        parts = []
        for position, part in enumerate(self._SPLIT.split(text or "")):
            if position % 2 and self._matches(part):
                parts.append(f"<mark>{escape(part)}</mark>")
            else:
                parts.append(escape(part))
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


# --- analytics --------------------------------------------------------------------------------

def describe_question(spec):
    """The question of a request form where people describe their problem in a few words:
    one keyed ``summary``/``description``/``subject``, else the first short text question."""
    questions = spec.questions
    for key in DESCRIBE_KEYS:
        question = next((q for q in questions if q.key == key and q.type in ("text",
                                                                              "textarea")), None)
        if question is not None:
            return question
    return next((q for q in questions if q.type == "text"), None)


def deflection_get_for(*, user, pk: int):
    """One of the viewer's own deflections; 404 otherwise."""
    deflection = Deflection.objects.filter(pk=pk, user=user).select_related("item").first()
    if deflection is None:
        raise Http404("No such suggestion")
    return deflection


# --- analytics --------------------------------------------------------------------------------

def may_see_analytics(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.KNOWLEDGE_MANAGER) or user.has_role(Role.ADMIN)
        or user.has_perm("search.view_search_analytics"))


def analytics(*, days: int = 30, limit: int = 15) -> dict:
    """What people searched for and found (or not), and how often suggestions beside a
    request form made the request unnecessary. A fixed number of queries."""
    since = timezone.now() - datetime.timedelta(days=days)
    queries = Query.objects.filter(created_at__gte=since)
    text = Lower("text")
    totals = queries.aggregate(
        searches=Count("pk"), clicked=Count("pk", filter=~Q(clicked_kind="")),
        empty=Count("pk", filter=Q(result_count=0)))
    top = list(queries.annotate(t=text).values("t").annotate(
        n=Count("pk"), clicks=Count("pk", filter=~Q(clicked_kind="")),
        results=Avg("result_count")).order_by("-n", "t")[:limit])
    for row in top:
        row["ctr"] = row["clicks"] / row["n"] if row["n"] else 0
    no_result = searches_without_result(since=since, limit=limit)
    # Many "not helpful" relative to the answers: at least three, and the highest share first.
    unhelpful = list(Article.objects.filter(helpful_no__gte=UNHELPFUL_MIN).annotate(
        share=ExpressionWrapper(F("helpful_no") * 1.0 / (F("helpful_yes") + F("helpful_no")),
                                output_field=FloatField())).only(
        "pk", "slug", "language", "title", "helpful_yes", "helpful_no")
        .order_by("-share", "-helpful_no", "slug")[:limit])
    weeks = list(Deflection.objects.filter(created_at__gte=timezone.now() - datetime.timedelta(
        weeks=12)).annotate(week=TruncWeek("created_at")).values("week").annotate(
        shown=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)),
        solved=Count("pk", filter=Q(solved_at__isnull=False)),
        submitted=Count("pk", filter=Q(outcome=Outcome.SUBMITTED)),
        deflected=Count("pk", filter=deflected_q()),
    ).order_by("-week"))
    for week in weeks:
        week["rate"] = week["deflected"] / week["shown"] if week["shown"] else 0
    searches = totals["searches"]
    return {
        "days": days, "searches": searches, "clicked": totals["clicked"],
        "empty": totals["empty"], "ctr": totals["clicked"] / searches if searches else 0,
        "empty_rate": totals["empty"] / searches if searches else 0,
        "top": top, "no_result": no_result, "unhelpful": unhelpful, "weeks": weeks,
    }


def facet_rows(facets: dict[str, dict[str, int]], filters: dict,
               keep: dict | None = None) -> list[dict]:
    """The results page's facets as links that switch one filter on or off."""
    from concierge.catalog.models import Category as ItemCategory
    from concierge.knowledge.models import Category as ArticleCategory

    slugs = list(facets.get("category", {}))
    names = {c.slug: str(c) for c in ItemCategory.objects.filter(slug__in=slugs)}
    names |= {c.slug: str(c) for c in ArticleCategory.objects.filter(slug__in=slugs)}
    labels = {
        "kind": dict(EntryKind.choices),
        "category": names,
        "language": {"en": "English", "de": "Deutsch"},
    }
    titles = {"kind": _("Type"), "category": _("Category"), "language": _("Language")}
    param = {"kind": "kind", "category": "category", "language": "lang"}
    base = {k: v for k, v in filters.items() if v}
    rows = []
    for facet, counts in facets.items():
        options = []
        for value, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
            selected = base.get(param[facet]) == value
            params = {**base, param[facet]: value}
            if selected:
                params.pop(param[facet])
            options.append({"value": value, "label": labels[facet].get(value, value),
                            "count": count, "selected": selected,
                            "url": "?" + urlencode(params | (keep or {}))})
        if options:
            rows.append({"name": facet, "title": titles[facet], "options": options})
    return rows


# --- for reports (reports/selectors.py) -------------------------------------------------------

def deflected_q() -> Q:
    """Deflections that made a request unnecessary: a suggestion was opened (or marked as the
    solution) and the form was not sent: its draft discarded, or left alone for over a day."""
    stale = timezone.now() - datetime.timedelta(days=1)
    not_submitted = Q(outcome=Outcome.ABANDONED) | Q(outcome=Outcome.PENDING,
                                                    created_at__lt=stale)
    return not_submitted & (Q(solved_at__isnull=False) | Q(opened_at__isnull=False))


def searches_without_result(*, since, until=None, limit: int = 15) -> list[dict]:
    """The most frequent searches that found nothing (``t`` lower-cased, ``n``, ``last``).
    Searches are not recorded per person or organisation, so this is always everyone's."""
    queries = Query.objects.filter(created_at__gte=since, result_count=0)
    if until is not None:
        queries = queries.filter(created_at__lt=until)
    return list(queries.annotate(t=Lower("text")).values("t").annotate(
        n=Count("pk"), last=Max("created_at")).order_by("-n", "-last")[:limit])


def deflection_report(*, since, until, organisation_id: int | None = None,
                      category_id: int | None = None, limit: int = 10) -> dict:
    """Request forms with suggestions beside them between ``since`` and ``until``: how many,
    how many suggestions were opened, marked as the solution, sent anyway, and deflected (see
    ``deflected_q``); and the suggestions that deflected most (``kind``, ``key``, ``title``,
    ``url``, ``n``). Optionally one organisation's people, or one category's forms. At most
    four queries."""
    rows = Deflection.objects.filter(created_at__gte=since, created_at__lt=until)
    if organisation_id is not None:
        rows = rows.filter(user__organisation_id=organisation_id)
    if category_id is not None:
        rows = rows.filter(item__category_id=category_id)
    totals = rows.aggregate(
        shown=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)),
        solved=Count("pk", filter=Q(solved_at__isnull=False)),
        submitted=Count("pk", filter=Q(outcome=Outcome.SUBMITTED)),
        deflected=Count("pk", filter=deflected_q()))
    totals["rate"] = totals["deflected"] / totals["shown"] if totals["shown"] else None
    top = list(rows.filter(deflected_q()).exclude(opened_key="").values(
        "opened_kind", "opened_key").annotate(n=Count("pk")).order_by("-n", "opened_key")[:limit])
    keys = {kind: [row["opened_key"] for row in top if row["opened_kind"] == kind]
            for kind in EntryKind.values}
    language = reader_language()
    titles = {}
    for article in Article.objects.filter(slug__in=keys[EntryKind.ARTICLE]).only(
            "slug", "language", "title").order_by("slug", "pk"):
        if (EntryKind.ARTICLE, article.slug) not in titles or article.language == language:
            titles[(EntryKind.ARTICLE, article.slug)] = article.title
    for item in CatalogItem.objects.filter(slug__in=keys[EntryKind.ITEM]).only("slug", "name"):
        titles[(EntryKind.ITEM, item.slug)] = str(item)
    totals["top"] = [{
        "kind": row["opened_kind"], "key": row["opened_key"], "n": row["n"],
        "title": titles.get((row["opened_kind"], row["opened_key"]), row["opened_key"]),
        "url": result_url(row["opened_kind"], row["opened_key"])
        if row["opened_kind"] in EntryKind.values else None} for row in top]
    return totals
