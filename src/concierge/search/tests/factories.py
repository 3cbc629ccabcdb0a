"""Articles for search tests (the knowledge app's own factories may differ)."""

import itertools

from django.utils import timezone

from concierge.knowledge.models import Article, Category

_numbers = itertools.count(1)


def article(*, slug: str | None = None, language: str = "en", title: str = "An article",
            summary: str = "", body: str = "", tags=None, status: str = "published",
            audience: str = "everyone", category: Category | None = None, **extra) -> Article:
    category = category or Category.objects.get_or_create(
        slug="general", defaults={"name": {"en": "General", "de": "Allgemein"}})[0]
    return Article.objects.create(
        slug=slug or f"article-{next(_numbers)}", language=language, title=title,
        summary=summary, body=body, tags=tags or [], status=status, audience=audience,
        category=category, published_at=timezone.now() if status == "published" else None,
        **extra)
