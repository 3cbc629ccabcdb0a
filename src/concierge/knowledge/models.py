"""Knowledge articles: self-help in the user's language, written and reviewed in the portal."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import GROUP_ROLES
from concierge.core.i18n import TranslatedField, localize
from concierge.knowledge.choices import STATUS_TONE, ArticleLanguage, ArticleStatus, Audience

icon_name = RegexValidator(r"^[a-z0-9-]+$", _("Use lowercase letters, digits and -."))


def normalise_tags(tags) -> list[str]:
    """Tags as lower-case words, each once, sorted; accepts a list or "a, b, c"."""
    if isinstance(tags, str):
        tags = tags.split(",")
    return sorted({str(tag).strip().lower() for tag in tags or [] if str(tag).strip()})


class Category(models.Model):
    """A topic of the knowledge base ("Accounts and passwords"), named in every language."""

    slug = models.SlugField(_("short name"), unique=True)
    name = TranslatedField(_("name"))
    description = TranslatedField(_("description"), blank=True)
    icon = models.CharField(_("icon"), max_length=40, default="info", validators=[icon_name],
                            help_text=_("A symbol from static/img/icons.svg."))
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return localize(self.name)

    def get_absolute_url(self) -> str:
        return reverse("knowledge:category", args=[self.slug])


class Article(models.Model):
    """One language version of a help article.

    Versions of the same article in other languages share its ``slug``: that is the link
    between translations, and ``/help/<slug>/`` shows the reader's language (or the other one).
    Who may read it: ``audience`` with ``organisations`` or ``roles``; only published articles
    are shown outside the knowledge managers' pages (see selectors).
    """

    slug = models.SlugField(_("short name"), max_length=120)
    language = models.CharField(_("language"), max_length=8, choices=ArticleLanguage.choices,
                                default=ArticleLanguage.EN)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True,
                               help_text=_("One or two sentences, plain text."))
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles",
                                 verbose_name=_("category"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices,
                                default=Audience.EVERYONE)
    organisations = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="+",
        verbose_name=_("only for organisations"))
    roles = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", verbose_name=_("only for roles"),
        limit_choices_to={"name__in": GROUP_ROLES})
    is_faq = models.BooleanField(_("frequently asked"), default=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="owned_articles",
                              verbose_name=_("owner"))
    review_by = models.DateField(_("review by"), null=True, blank=True,
                                 help_text=_("The owner is reminded to check it then."))
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    related_items = models.ManyToManyField(
        "catalog.CatalogItem", blank=True, related_name="articles",
        verbose_name=_("related services"))
    related_articles = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+",
        verbose_name=_("related articles"))

    class Meta:
        ordering = ["slug", "language"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"],
                                    name="knowledge_article_slug_language_unique"),
        ]
        # Lists walk these in order and stop early; status alone is not selective (most
        # articles are published) and would make SQLite scan instead of using the slug.
        indexes = [
            models.Index(fields=["category", "title"], name="knowledge_article_category"),
            models.Index(fields=["-view_count", "title"], name="knowledge_article_views"),
            models.Index(fields=["-updated_at"], name="knowledge_article_updated"),
            models.Index(fields=["review_by"], name="knowledge_article_review_by"),
            models.Index(fields=["slug"], condition=models.Q(is_faq=True),
                         name="knowledge_article_faq"),
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.slug])

    def translations(self) -> models.QuerySet["Article"]:
        """The other language versions of this article (any status)."""
        return Article.objects.filter(slug=self.slug).exclude(pk=self.pk)

    @property
    def status_colour(self) -> str:
        return STATUS_TONE.get(self.status, "grey")

    @property
    def helpful_total(self) -> int:
        return self.helpful_yes + self.helpful_no

    def clean(self) -> None:
        self.tags = normalise_tags(self.tags)


class ArticleVersion(models.Model):
    """The text of an article as it was saved once; numbered 1, 2, ... per article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions",
                                verbose_name=_("article"))
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("author"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"],
                                    name="knowledge_version_number_unique"),
        ]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"{self.article} v{self.number}"


class Feedback(models.Model):
    """A reader's "Was this helpful?" answer; one per signed-in person and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback",
                                verbose_name=_("article"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("person"))
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    query = models.CharField(_("search that led here"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "user"],
                                    name="knowledge_feedback_once_per_user"),
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.article}: {'yes' if self.helpful else 'no'}"


class ArticleImage(models.Model):
    """A picture uploaded for an article's text, shared by its language versions (same slug).

    Served only by ``knowledge:image`` to signed-in people; the random key is its address.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("article"), max_length=120, db_index=True)
    file = models.FileField(upload_to="knowledge/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    alt = models.CharField(_("description"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("article picture")
        verbose_name_plural = _("article pictures")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:image", args=[self.key])

    @property
    def markdown(self) -> str:
        alt = self.alt.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.get_absolute_url()})"
