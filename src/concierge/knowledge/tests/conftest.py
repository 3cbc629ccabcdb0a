import datetime

import factory
import pytest
from django.utils import timezone

from concierge.accounts.choices import Role
from concierge.core.testing import UserFactory
from concierge.knowledge.choices import ArticleStatus
from concierge.knowledge.models import Article, ArticleVersion, Category


class KnowledgeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: {"en": f"Topic {n}", "de": f"Thema {n}"})
    icon = "info"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    language = "en"
    title = factory.Sequence(lambda n: f"Article {n}")
    summary = "A short summary."
    body = "Step one.\n\nStep two."
    category = factory.SubFactory(KnowledgeCategoryFactory)
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    review_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


@pytest.fixture
def knowledge_manager(org):
    return UserFactory(email="katrin@acme.example", display_name="Katrin Knowledge",
                       organisation=org, roles=[Role.KNOWLEDGE_MANAGER])


@pytest.fixture
def reviewer(org):
    return UserFactory(email="rita@acme.example", display_name="Rita Reviewer",
                       organisation=org, roles=[Role.KNOWLEDGE_MANAGER])


@pytest.fixture
def km_client(client, knowledge_manager):
    client.force_login(knowledge_manager)
    return client


@pytest.fixture
def topic(db):
    return KnowledgeCategoryFactory(slug="passwords", name={"en": "Passwords", "de": "Passwörter"})


@pytest.fixture
def password_article(topic, knowledge_manager):
    """A published article in English and German."""
    en = ArticleFactory(slug="reset-password", language="en", title="Reset your password",
                        body="Open **Forgot password**.", category=topic,
                        owner=knowledge_manager, tags=["password"], is_faq=True)
    ArticleFactory(slug="reset-password", language="de", title="Passwort zurücksetzen",
                   body="Öffnen Sie **Passwort vergessen**.", category=topic,
                   owner=knowledge_manager, tags=["password"], is_faq=True)
    ArticleVersion.objects.create(article=en, number=1, title=en.title, body=en.body,
                                  author=knowledge_manager)
    return en
