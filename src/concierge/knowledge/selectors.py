"""Reads of the knowledge base, limited to what the reader may see.

Readers see published articles whose audience includes them: everyone; their organisation;
one of their roles; agents-only articles for agents. Knowledge managers see every article on
their own pages (``article_manage_*``). Anything else is a 404, so slugs never leak.
"""

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation

from concierge.accounts.choices import Role
from concierge.accounts.models import User
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.models import Article, ArticleImage, ArticleVersion, Category

LANGUAGES = ("en", "de")


def _audience_filter(user: User) -> Q:
    """Articles whose audience includes ``user``."""
    orgs = Article.organisations.through.objects.filter(
        article_id=OuterRef("pk"), organisation_id=user.organisation_id)
    roles = Article.roles.through.objects.filter(
        article_id=OuterRef("pk"), group_id__in=list(user.group_ids))
    visible = (Q(audience=Audience.EVERYONE)
               | Q(Exists(orgs), audience=Audience.ORGANISATIONS)
               | Q(Exists(roles), audience=Audience.ROLES))
    if user.is_agent:
        visible |= Q(audience=Audience.AGENTS)
    return visible


def _may_read(user: User, article: Article) -> bool:
    """``_audience_filter`` for one article, with at most one small query."""
    if article.audience == Audience.EVERYONE:
        return True
    if article.audience == Audience.AGENTS:
        return user.is_agent
    if article.audience == Audience.ORGANISATIONS:
        return article.organisations.filter(pk=user.organisation_id).exists()
    if article.audience == Audience.ROLES:
        return article.roles.filter(pk__in=list(user.group_ids)).exists()
    return False


def reader_language(language: str | None = None) -> str:
    language = (language or translation.get_language() or "en")[:2]
    return language if language in LANGUAGES else "en"


def article_list_for(*, user: User, language: str | None = None) -> QuerySet[Article]:
    """Published article versions ``user`` may read, in ``language`` if given (else all)."""
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED).filter(
        _audience_filter(user))
    if language:
        articles = articles.filter(language=language)
    return articles


def article_list_preferred(*, user: User, language: str | None = None) -> QuerySet[Article]:
    """One version per article ``user`` may read: in ``language`` (default: the active one),
    or the other language where there is no published version in it yet."""
    language = reader_language(language)
    own = Article.objects.filter(slug=OuterRef("slug"), language=language,
                                 status=ArticleStatus.PUBLISHED)
    return article_list_for(user=user).filter(Q(language=language) | ~Exists(own))


def article_get_for(*, user: User, slug: str, language: str | None = None) -> Article:
    """The version of article ``slug`` ``user`` should read: ``language`` (default: the active
    language) if published and visible, else another visible version; otherwise 404."""
    language = reader_language(language)
    versions = sorted(
        Article.objects.filter(slug=slug, status=ArticleStatus.PUBLISHED)
        .select_related("category", "owner"),
        key=lambda article: article.language != language)
    for article in versions:
        if _may_read(user, article):
            return article
    raise Http404("No such article")


def article_translations_for(*, user: User, article: Article) -> list[Article]:
    """Other published versions of ``article`` that ``user`` may read (for the switch)."""
    return list(article_list_for(user=user).filter(slug=article.slug).exclude(pk=article.pk)
                .only("pk", "slug", "language", "title"))


def article_related_for(*, user: User, article: Article) -> list[Article]:
    """Related articles ``user`` may read, one version each, in the reader's language."""
    slugs = list(article.related_articles.values_list("slug", flat=True))
    if not slugs:
        return []
    return list(article_list_preferred(user=user, language=article.language)
                .filter(slug__in=slugs)
                .only("pk", "slug", "language", "title", "summary").order_by("title"))


def knowledge_cache_key(*, user: User, language: str | None = None) -> str:
    """A key for cached knowledge lists: changes when an article is saved or changes status,
    and differs between readers who may see different articles (organisation, roles, agent)
    or read another language. One indexed MAX query."""
    stamp = Article.objects.aggregate(stamp=Max("updated_at"))["stamp"]
    groups = ".".join(map(str, user.group_ids))
    return (f"{stamp.timestamp() if stamp else 0}:{reader_language(language)}:"
            f"{user.organisation_id}:{groups}:{int(user.is_agent)}")


def category_list_for(*, user: User, language: str | None = None) -> list[Category]:
    """Categories with at least one article ``user`` may read, each with ``article_count``
    (articles, not language versions: one slug counts once)."""
    del language  # every language version counts as the same article
    counts = dict(article_list_for(user=user).order_by().values_list("category_id")
                  .annotate(n=Count("slug", distinct=True)))
    categories = list(Category.objects.filter(pk__in=counts.keys()))
    for category in categories:
        category.article_count = counts[category.pk]
    return categories


def category_get(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise Http404("No such category")
    return category


# --- Knowledge managers --------------------------------------------------------------------

def may_manage(user: User) -> bool:
    return user.is_authenticated and (user.has_role(Role.KNOWLEDGE_MANAGER)
                                      or user.has_role(Role.ADMIN))


def article_manage_list(*, user: User, view: str = "all", status: str = "",
                        language: str = "", category: str = "",
                        query: str = "") -> QuerySet[Article]:
    """Every article version for a knowledge manager's list. ``view``: ``mine`` (owned by
    ``user``), ``review`` (waiting for review), ``stale`` (published, review-by passed), ``all``."""
    if not may_manage(user):
        raise Http404("Not a knowledge manager")
    articles = Article.objects.select_related("category", "owner")
    if view == "mine":
        articles = articles.filter(owner=user)
    elif view == "review":
        articles = articles.filter(status=ArticleStatus.REVIEW)
    elif view == "stale":
        articles = articles.filter(status=ArticleStatus.PUBLISHED,
                                   review_by__lt=timezone.localdate())
    if status:
        articles = articles.filter(status=status)
    if language:
        articles = articles.filter(language=language)
    if category:
        articles = articles.filter(category__slug=category)
    for word in (query or "").split()[:6]:
        articles = articles.filter(Q(title__icontains=word) | Q(slug__icontains=word))
    return articles.order_by("-updated_at", "pk")


def article_manage_counts(*, user: User) -> dict[str, int]:
    """How many articles wait in each of the manager's views (one query)."""
    if not may_manage(user):
        raise Http404("Not a knowledge manager")
    return Article.objects.aggregate(
        mine=Count("pk", filter=Q(owner=user)),
        review=Count("pk", filter=Q(status=ArticleStatus.REVIEW)),
        stale=Count("pk", filter=Q(status=ArticleStatus.PUBLISHED,
                                   review_by__lt=timezone.localdate())),
    )


def article_manage_get(*, user: User, pk: int) -> Article:
    """Any article version, for knowledge managers only (404 for everyone else)."""
    if not may_manage(user):
        raise Http404("Not a knowledge manager")
    article = Article.objects.select_related("category", "owner").filter(pk=pk).first()
    if article is None:
        raise Http404("No such article")
    return article


def feedback_list(*, article: Article, limit: int = 10) -> list:
    """The newest answers to "Was this helpful?" with a comment, for the article's managers."""
    return list(article.feedback.exclude(comment="").select_related("user")[:limit])


def version_list(*, article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("author").order_by("-number"))


def stale_articles(*, today=None) -> QuerySet[Article]:
    """Published articles whose review-by date has passed and that have an owner."""
    today = today or timezone.localdate()
    return (Article.objects.filter(status=ArticleStatus.PUBLISHED, review_by__lt=today,
                                   owner__isnull=False).select_related("owner"))


def image_list(*, article: Article) -> list[ArticleImage]:
    """Pictures uploaded for any language version of ``article``."""
    return list(ArticleImage.objects.filter(slug=article.slug))


def image_get(*, key) -> ArticleImage:
    image = ArticleImage.objects.filter(key=key).first()
    if image is None:
        raise Http404("No such picture")
    return image
