"""The search index, synonyms, and what people searched for (analytics and deflection)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concierge.search.choices import EntryKind, Outcome, Source


class Entry(models.Model):
    """One language version of something searchable (a catalog item or an article).

    Rebuilt from its source by background tasks (see services.entry_refresh); never edited by
    hand. SQLite matches ``title_stems``/``body_stems`` (our Snowball stems, in the FTS5 table
    ``search_entry_fts`` keyed by this id); PostgreSQL matches the ``tsv`` column its trigger
    fills from ``title``/``summary``/``tags``/``text`` with ``config`` ('english' or 'german')
    as the row's text-search configuration. ``terms`` are the entry's distinct folded words
    (the vocabulary for typo correction and compound splitting). ``embedding`` is the normalised
    float32 vector of title and summary. ``revision`` grows with every write, so each process
    reloads only what changed into its in-memory vector matrix.
    """

    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    object_id = models.PositiveBigIntegerField()
    # Articles: their slug (shared by language versions); items: their slug too.
    key = models.CharField(max_length=120)
    language = models.CharField(max_length=8)
    config = models.CharField(max_length=16, default="english")
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=400, blank=True)
    text = models.TextField(blank=True)
    title_stems = models.TextField(blank=True)
    body_stems = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=120, blank=True)
    popularity = models.FloatField(default=0.0)
    helpfulness = models.FloatField(default=0.5)
    updated_at = models.DateTimeField()
    revision = models.PositiveBigIntegerField(default=0, db_index=True)
    embedding = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "language"],
                                               name="search_entry_one_per_object")]
        indexes = [models.Index(fields=["kind", "key"]),
                   models.Index(fields=["key", "language"], name="search_entry_key_language")]
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} ({self.language})"


def _generation() -> str:
    return uuid.uuid4().hex


class IndexState(models.Model):
    """One row: the index's revision counter (bumped by every index write), and a generation
    that changes when the row is made anew (a new database), so processes reload everything."""

    revision = models.PositiveBigIntegerField(default=0)
    generation = models.CharField(max_length=32, default=_generation)

    def __str__(self) -> str:
        return f"revision {self.revision}"


class Synonym(models.Model):
    """Words that mean the same for search, e.g. ``notebook, laptop`` or ``Drucker, printer``.

    A query containing any of them also finds the others. Edited in the admin; applied at
    query time, so a change works at once without re-indexing.
    """

    terms = models.CharField(
        _("words"), max_length=300,
        help_text=_("Two or more words or phrases that mean the same, separated by commas or "
                    "“=” (notebook = laptop)."))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")

    def __str__(self) -> str:
        return self.terms

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if len(self.term_list()) < 2:
            raise ValidationError(
                {"terms": _("Give at least two words, e.g. “notebook = laptop”.")})

    def term_list(self) -> list[str]:
        parts = self.terms.replace("=", ",").split(",")
        return [p.strip() for p in parts if p.strip()]


class Query(models.Model):
    """One search as typed (no user: only what the analytics need).

    Instant searches update one row while the person types (``car`` -> ``cartridge``), so a
    row is one search, not one keystroke.
    """

    text = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.HEADER)
    result_count = models.PositiveIntegerField(default=0)
    clicked_kind = models.CharField(max_length=16, blank=True)
    clicked_key = models.CharField(max_length=120, blank=True)
    clicked_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        permissions = [("view_search_analytics", "Can see search analytics")]
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")

    def __str__(self) -> str:
        return self.text


class Deflection(models.Model):
    """Suggestions shown beside a request form, and what the person did next.

    The chain: shown (``created_at``, ``shown``) -> opened (``opened_at``) -> "this solved it"
    (``solved_at``) -> ``outcome``: the draft discarded (a confirmed deflection) or the form
    submitted anyway (``ticket``). One row per person, form and attempt.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    item = models.ForeignKey("catalog.CatalogItem", on_delete=models.SET_NULL, null=True,
                             related_name="+")
    text = models.CharField(max_length=200)
    shown = models.JSONField(default=list)
    opened_kind = models.CharField(max_length=16, blank=True)
    opened_key = models.CharField(max_length=120, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "item", "outcome"])]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")

    def __str__(self) -> str:
        return f"{self.text} ({self.outcome})"

    @property
    def deflected(self) -> bool:
        """Solved by a suggestion and no request sent."""
        return self.solved_at is not None and self.outcome != Outcome.SUBMITTED
