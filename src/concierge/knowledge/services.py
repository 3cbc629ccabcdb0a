"""Writes of the knowledge base: saving with version history, the review workflow,
translations, reader feedback and view counts."""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.core.files import check_upload
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.models import (
    Article,
    ArticleImage,
    ArticleVersion,
    Feedback,
    normalise_tags,
)

logger = logging.getLogger("concierge.audit")

# Slugs that would hide a page of the knowledge base (/help/<slug>/).
RESERVED_SLUGS = {"manage", "category", "images"}
# A published article is looked at again after this long unless its owner says otherwise.
DEFAULT_REVIEW_AFTER = datetime.timedelta(days=365)

# The workflow: from -> allowed next statuses.
TRANSITIONS = {
    ArticleStatus.DRAFT: {ArticleStatus.REVIEW},
    ArticleStatus.REVIEW: {ArticleStatus.PUBLISHED, ArticleStatus.DRAFT},
    ArticleStatus.PUBLISHED: {ArticleStatus.ARCHIVED},
    ArticleStatus.ARCHIVED: {ArticleStatus.DRAFT},
}

TEXT_FIELDS = ("title", "summary", "body")
PLAIN_FIELDS = ("title", "summary", "body", "category", "tags", "audience", "is_faq",
                "review_by")
M2M_FIELDS = ("organisations", "roles", "related_items", "related_articles")


class KnowledgeError(Exception):
    """A workflow rule was broken; the message is shown to the person."""


def _audit(action: str, article: Article, actor: User | None, **data) -> None:
    logger.info("%s article=%s actor=%s %s", action, article.pk, getattr(actor, "pk", None),
                data)


def _version_add(article: Article, *, author: User | None, note: str = "") -> ArticleVersion:
    """Record the article's current texts as its next version."""
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article, number=last + 1, title=article.title, summary=article.summary,
        body=article.body, author=author, note=note[:200])


def article_version_add(*, article: Article, author: User | None,
                        note: str = "") -> ArticleVersion:
    """Record the article's current texts as a new version (for saves outside these services,
    such as the admin)."""
    return _version_add(article, author=author, note=note)


def _set_m2m(article: Article, values: dict) -> None:
    for name in M2M_FIELDS:
        if name in values:
            getattr(article, name).set(values[name] or [])


def _check(values: dict) -> None:
    audience = values.get("audience")
    if audience == Audience.ORGANISATIONS and not values.get("organisations"):
        raise KnowledgeError(_("Choose at least one organisation for this audience."))
    if audience == Audience.ROLES and not values.get("roles"):
        raise KnowledgeError(_("Choose at least one role for this audience."))


@transaction.atomic
def article_create(*, author: User, slug: str, language: str, note: str = "",
                   **values) -> Article:
    """A new draft owned by ``author`` (version 1). ``values``: the fields of PLAIN_FIELDS and
    M2M_FIELDS. Raises KnowledgeError if the slug is reserved or taken in that language."""
    _check(values)
    if slug in RESERVED_SLUGS:
        raise KnowledgeError(_("This short name is reserved; please choose another."))
    plain = {name: values[name] for name in PLAIN_FIELDS if name in values}
    plain["tags"] = normalise_tags(plain.get("tags"))
    article = Article(slug=slug, language=language, owner=author,
                      status=ArticleStatus.DRAFT, **plain)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise KnowledgeError(
            _("There is already an article with this short name in this language.")) from None
    _set_m2m(article, values)
    _version_add(article, author=author, note=note or _("Created"))
    _audit("knowledge.article.created", article, author)
    return article


@transaction.atomic
def article_update(*, article: Article, author: User, note: str = "", **values) -> Article:
    """Save changes; a new version is recorded when title, summary or text changed."""
    _check({"audience": article.audience, "organisations": list(article.organisations.all()),
            "roles": list(article.roles.all()), **values})
    text_changed = any(name in values and values[name] != getattr(article, name)
                       for name in TEXT_FIELDS)
    if "tags" in values:
        values["tags"] = normalise_tags(values["tags"])
    changed = [name for name in PLAIN_FIELDS if name in values]
    for name in changed:
        setattr(article, name, values[name])
    article.save(update_fields=[*changed, "updated_at"])
    _set_m2m(article, values)
    if text_changed or note:
        _version_add(article, author=author, note=note)
    _audit("knowledge.article.updated", article, author, text_changed=text_changed)
    return article


IMAGE_KINDS = ("png", "jpg", "gif", "webp")
IMAGE_MAX_MB = 5


def image_store(*, article: Article, upload, alt: str, uploaded_by: User) -> ArticleImage:
    """Keep a picture for ``article``'s text (all its language versions), checked by its
    content; raises ValidationError with a message for the person."""
    checked = check_upload(upload, allowed_kinds=IMAGE_KINDS, max_mb=IMAGE_MAX_MB)
    name = (upload.name or "picture").replace("/", "_").replace("\\", "_")[-200:]
    image = ArticleImage(slug=article.slug, name=name, alt=alt.strip()[:200],
                         content_type=checked.content_type, size=checked.size,
                         uploaded_by=uploaded_by)
    image.file.save(f"{image.key.hex}.{checked.kind}", upload, save=False)
    image.save()
    _audit("knowledge.image.uploaded", article, uploaded_by, image=str(image.key))
    return image


def article_author(article: Article) -> int | None:
    """Who wrote the current text: the author of the newest version."""
    return article.versions.order_by("-number").values_list("author_id", flat=True).first()


@transaction.atomic
def article_transition(*, article: Article, actor: User, to: str) -> Article:
    """Move ``article`` along the workflow (see TRANSITIONS).

    Publishing needs a second person: whoever wrote the current text may not publish it.
    Publishing stamps ``published_at`` and sets a review-by date a year ahead if there is none.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    if to not in TRANSITIONS.get(article.status, set()):
        raise KnowledgeError(_("An article that is “%(now)s” cannot become “%(to)s”.") % {
            "now": article.get_status_display(), "to": ArticleStatus(to).label})
    fields = ["status", "updated_at"]
    if to == ArticleStatus.PUBLISHED:
        if article_author(article) == actor.pk:
            raise KnowledgeError(_("Someone other than the author must review and publish "
                                   "this article."))
        article.published_at = timezone.now()
        fields.append("published_at")
        if article.review_by is None or article.review_by <= timezone.localdate():
            article.review_by = timezone.localdate() + DEFAULT_REVIEW_AFTER
            fields.append("review_by")
    article.status = to
    article.save(update_fields=fields)
    _audit(f"knowledge.article.{to}", article, actor)
    return article


@transaction.atomic
def article_translate(*, article: Article, author: User, language: str, title: str,
                      summary: str, body: str, note: str = "") -> Article:
    """The ``language`` version of ``article``: same slug, category, tags, audience and
    relations, a draft owned by ``author`` with the given texts."""
    if language == article.language:
        raise KnowledgeError(_("Choose the other language for a translation."))
    related = list(Article.objects.filter(
        slug__in=article.related_articles.values("slug"), language=language))
    return article_create(
        author=author, slug=article.slug, language=language, note=note or _("Translated"),
        title=title, summary=summary, body=body, category=article.category, tags=article.tags,
        audience=article.audience, is_faq=article.is_faq, review_by=article.review_by,
        organisations=list(article.organisations.all()), roles=list(article.roles.all()),
        related_items=list(article.related_items.all()), related_articles=related)


@transaction.atomic
def feedback_give(*, article: Article, user: User, helpful: bool, comment: str = "",
                  query: str = "") -> Feedback:
    """Record ``user``'s answer to "Was this helpful?". Counted once per person and article:
    answering again changes the answer (and the counters) instead of adding one."""
    comment, query = comment.strip()[:2000], query.strip()[:200]
    feedback = Feedback.objects.select_for_update().filter(article=article, user=user).first()
    if feedback is None:
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(article=article, user=user, helpful=helpful,
                                                   comment=comment, query=query)
        except IntegrityError:  # the same person answered twice at once
            feedback = Feedback.objects.get(article=article, user=user)
            return feedback
        counter = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
        return feedback
    if feedback.helpful != helpful:
        old, new = ("helpful_no", "helpful_yes") if helpful else ("helpful_yes", "helpful_no")
        Article.objects.filter(pk=article.pk).update(**{old: F(old) - 1, new: F(new) + 1})
        feedback.helpful = helpful
    feedback.comment = comment or feedback.comment
    feedback.query = query or feedback.query
    feedback.save(update_fields=["helpful", "comment", "query"])
    return feedback


_SEEN = "knowledge_seen"


def article_view_count(*, article: Article, session) -> bool:
    """Count a view once per session and article, with one UPDATE (no read, no lock)."""
    seen = session.get(_SEEN, [])
    if article.pk in seen:
        return False
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    session[_SEEN] = [*seen[-199:], article.pk]
    return True


def article_review_remind(*, today: datetime.date | None = None) -> int:
    """Remind the owner of every published article whose review-by date has passed (in the
    portal, and by e-mail unless they turned that off), once per article and review-by date:
    a new date that passes again means a new reminder. Returns how many were sent."""
    from django.urls import reverse

    from concierge.knowledge.selectors import stale_articles
    from concierge.notifications.choices import Kind
    from concierge.notifications.services import notify

    sent = 0
    for article in stale_articles(today=today):
        sent += notify(
            key=f"knowledge-review:{article.pk}:{article.review_by.isoformat()}",
            recipient=article.owner, kind=Kind.KNOWLEDGE, template="knowledge_review_due",
            url=reverse("knowledge:manage-edit", args=[article.pk]),
            context={"article": article})
    return sent
