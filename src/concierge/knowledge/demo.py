"""Demo help articles from fixtures/demo-articles.yaml; idempotent (matched by slug+language).

The file lists categories and articles; each article has an ``en`` and/or ``de`` version::

    articles:
      - slug: reset-forgotten-password
        category: accounts-passwords
        tags: [password, login]
        audience: everyone     # or agents, or {organisations: [slug, ...]}, or {roles: [...]}
        faq: true
        related_items: [cannot-sign-in]        # catalog item slugs
        related_articles: [set-up-mfa]
        en: {title: ..., summary: ..., body: ...}
        de: {title: ..., summary: ..., body: ...}
"""

import datetime
import random
from pathlib import Path

import yaml
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from concierge.accounts.models import Organisation, User
from concierge.catalog.models import CatalogItem
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.models import Article, ArticleVersion, Category, normalise_tags

ARTICLES_FILE = Path(__file__).resolve().parent / "fixtures" / "demo-articles.yaml"
LANGUAGES = ("en", "de")


def _audience(value) -> tuple[str, list, list]:
    """``everyone`` / ``agents`` / ``{organisations: [...]}`` / ``{roles: [...]}``."""
    if isinstance(value, dict):
        if value.get("organisations"):
            return Audience.ORGANISATIONS, list(
                Organisation.objects.filter(slug__in=value["organisations"])), []
        if value.get("roles"):
            return Audience.ROLES, [], [Group.objects.get_or_create(name=name)[0]
                                        for name in value["roles"]]
    if value == Audience.AGENTS:
        return Audience.AGENTS, [], []
    return Audience.EVERYONE, [], []


@transaction.atomic
def load_articles(path: Path = ARTICLES_FILE, *, owner: User | None = None,
                  reviewer: User | None = None) -> int:
    """Create or update the demo categories and articles; returns how many versions exist.

    New articles are published with a first version by ``owner``, a few views and helpful
    answers (the same each time) so the knowledge home has something to show. Counts of
    articles already there are left alone.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rng = random.Random(7)
    for position, entry in enumerate(data.get("categories", [])):
        Category.objects.update_or_create(slug=entry["slug"], defaults={
            "name": entry["name"], "description": entry.get("description", {}),
            "icon": entry.get("icon", "info"), "order": (position + 1) * 10})
    categories = {category.slug: category for category in Category.objects.all()}
    items = dict(CatalogItem.objects.values_list("slug", "pk"))
    today = timezone.localdate()
    touched: list[tuple[Article, dict]] = []
    for index, entry in enumerate(data.get("articles", [])):
        audience, organisations, roles = _audience(entry.get("audience", "everyone"))
        for language in LANGUAGES:
            text = entry.get(language)
            if not text:
                continue
            views = rng.randint(15, 900)
            fields = {
                "title": text["title"], "summary": text.get("summary", ""),
                "body": text.get("body", ""), "category": categories[entry["category"]],
                "tags": normalise_tags(entry.get("tags", [])), "audience": audience,
                "is_faq": bool(entry.get("faq")),
            }
            article = Article.objects.filter(slug=entry["slug"], language=language).first()
            created = article is None
            if created:
                article = Article.objects.create(
                    slug=entry["slug"], language=language, **fields,
                    status=ArticleStatus.PUBLISHED, owner=owner, published_at=timezone.now(),
                    # A few are overdue, so the stale view and reminders have something.
                    review_by=today + datetime.timedelta(
                        days=-3 if index % 17 == 5 else 120 + index * 3),
                    view_count=views, helpful_yes=views // rng.randint(5, 12),
                    helpful_no=rng.randint(0, 6))
                # Written over the past months, so "Recently updated" has an order.
                written = timezone.now() - datetime.timedelta(days=rng.randint(0, 180),
                                                              hours=rng.randint(0, 23))
                Article.objects.filter(pk=article.pk).update(updated_at=written,
                                                             published_at=written)
            else:
                changed = [name for name, value in fields.items()
                           if getattr(article, name) != value]
                if changed:  # only what the file changed: a second run writes nothing
                    for name in changed:
                        setattr(article, name, fields[name])
                    article.save(update_fields=[*changed, "updated_at"])
            article.organisations.set(organisations)
            article.roles.set(roles)
            article.related_items.set([items[slug] for slug in entry.get("related_items") or []
                                       if slug in items])
            latest = article.versions.order_by("-number").first()
            if latest is None or (latest.title, latest.summary, latest.body) != (
                    article.title, article.summary, article.body):
                ArticleVersion.objects.create(
                    article=article, number=(latest.number + 1) if latest else 1,
                    title=article.title, summary=article.summary, body=article.body,
                    author=owner if created else reviewer or owner,
                    note="Demo content" if created else "Demo content updated")
            touched.append((article, entry))
    by_key = {(article.slug, article.language): article for article, _entry in touched}
    for article, entry in touched:
        article.related_articles.set([
            by_key[(slug, article.language)] for slug in entry.get("related_articles") or []
            if (slug, article.language) in by_key])
    return len(touched)
