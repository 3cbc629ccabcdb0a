from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    """What a search result is."""

    ITEM = "item", _("Service")
    ARTICLE = "article", _("Help article")


class Source(models.TextChoices):
    """Where a search was typed."""

    HEADER = "header", _("Search box")
    PAGE = "page", _("Results page")
    FORM = "form", _("Request form")


class Outcome(models.TextChoices):
    """How a request form with suggestions beside it ended."""

    PENDING = "pending", _("Still open")
    ABANDONED = "abandoned", _("Draft discarded")
    SUBMITTED = "submitted", _("Submitted anyway")
