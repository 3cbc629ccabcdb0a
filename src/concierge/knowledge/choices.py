from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    """Where an article is in its life: written, checked by a second person, shown, retired."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# Badge colour per status (the .badge--<colour> classes).
STATUS_TONE = {
    ArticleStatus.DRAFT: "grey",
    ArticleStatus.REVIEW: "amber",
    ArticleStatus.PUBLISHED: "green",
    ArticleStatus.ARCHIVED: "grey",
}


class Audience(models.TextChoices):
    """Who may read an article."""

    EVERYONE = "everyone", _("Everyone")
    ORGANISATIONS = "organisations", _("Only some organisations")
    ROLES = "roles", _("Only some roles")
    AGENTS = "agents", _("Agents only")


class ArticleLanguage(models.TextChoices):
    EN = "en", "English"
    DE = "de", "Deutsch"
