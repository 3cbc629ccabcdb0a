import pytest

from concierge.core.testing import OrganisationFactory
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.demo import ARTICLES_FILE, load_articles
from concierge.knowledge.models import Article, ArticleVersion, Category

pytestmark = pytest.mark.django_db

SAMPLE = """
categories:
  - slug: accounts-passwords
    icon: user
    name: {en: "Accounts and passwords", de: "Konten und Passwörter"}
    description: {en: "Sign in.", de: "Anmelden."}
articles:
  - slug: reset-forgotten-password
    category: accounts-passwords
    tags: [Password, login]
    audience: everyone
    faq: true
    related_items: [webcam, no-such-item]
    related_articles: [set-up-mfa]
    en: {title: "Reset a forgotten password", summary: "Two minutes.", body: "1. Open it."}
    de: {title: "Passwort zurücksetzen", summary: "Zwei Minuten.", body: "1. Öffnen."}
  - slug: set-up-mfa
    category: accounts-passwords
    audience: {organisations: [alpine]}
    en: {title: "Set up MFA", summary: "", body: "Scan the code."}
  - slug: desk-checklist
    category: accounts-passwords
    audience: {roles: [agent]}
    de: {title: "Checkliste", summary: "", body: "Prüfen."}
"""


def test_demo_articles_load_and_load_again_without_changes(tmp_path, knowledge_manager, webcam):
    OrganisationFactory(slug="alpine")
    path = tmp_path / "articles.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    assert load_articles(path, owner=knowledge_manager) == 4
    english = Article.objects.get(slug="reset-forgotten-password", language="en")
    assert english.status == ArticleStatus.PUBLISHED and english.owner == knowledge_manager
    assert english.tags == ["login", "password"] and english.is_faq
    assert english.view_count > 0 and english.review_by is not None
    assert list(english.related_items.all()) == [webcam]
    assert [a.slug for a in english.related_articles.all()] == ["set-up-mfa"]
    mfa = Article.objects.get(slug="set-up-mfa")
    assert mfa.audience == Audience.ORGANISATIONS and mfa.organisations.get().slug == "alpine"
    assert Article.objects.get(slug="desk-checklist").audience == Audience.ROLES
    assert Category.objects.get().name["de"] == "Konten und Passwörter"

    stamps = list(Article.objects.values_list("updated_at", "view_count"))
    load_articles(path, owner=knowledge_manager)
    assert list(Article.objects.values_list("updated_at", "view_count")) == stamps
    assert ArticleVersion.objects.count() == 4

    path.write_text(SAMPLE.replace("1. Open it.", "1. Open the page."), encoding="utf-8")
    load_articles(path, owner=knowledge_manager)
    english.refresh_from_db()
    assert english.body == "1. Open the page." and english.versions.count() == 2


def test_the_shipped_demo_file_loads(knowledge_manager):
    assert load_articles(ARTICLES_FILE, owner=knowledge_manager) >= 3
    assert Article.objects.filter(language="en").exists()
    assert Article.objects.filter(language="de").exists()
