import pytest
from django.contrib.auth.models import Group
from django.http import Http404

from concierge.accounts.choices import Role
from concierge.core.testing import OrganisationFactory, UserFactory
from concierge.knowledge import selectors
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.models import Article, normalise_tags
from concierge.knowledge.tests.conftest import ArticleFactory

pytestmark = pytest.mark.django_db


def test_language_versions_share_the_slug_and_know_each_other(password_article):
    assert [a.language for a in password_article.translations()] == ["de"]
    assert password_article.get_absolute_url() == "/help/reset-password/"


def test_a_slug_exists_once_per_language(password_article):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ArticleFactory(slug="reset-password", language="en", category=password_article.category)


def test_tags_are_lower_case_words_once():
    assert normalise_tags(["VPN", " vpn", "Wi-Fi", ""]) == ["vpn", "wi-fi"]
    assert normalise_tags("Drucker, printer ,") == ["drucker", "printer"]


def test_only_published_articles_are_listed(topic, employee):
    for status in ArticleStatus.values:
        ArticleFactory(slug=f"a-{status}", status=status, category=topic)
    assert [a.slug for a in selectors.article_list_for(user=employee)] == ["a-published"]


@pytest.fixture
def audience_articles(topic, org):
    other_org = OrganisationFactory(slug="other")
    made = {
        "everyone": ArticleFactory(slug="everyone", category=topic),
        "agents": ArticleFactory(slug="agents", audience=Audience.AGENTS, category=topic),
        "acme": ArticleFactory(slug="acme", audience=Audience.ORGANISATIONS, category=topic),
        "other": ArticleFactory(slug="other", audience=Audience.ORGANISATIONS, category=topic),
        "managers": ArticleFactory(slug="managers", audience=Audience.ROLES, category=topic),
    }
    made["acme"].organisations.add(org)
    made["other"].organisations.add(other_org)
    made["managers"].roles.add(Group.objects.get_or_create(name=Role.CATALOG_MANAGER)[0])
    return made


@pytest.mark.parametrize(("persona", "visible"), [
    ("employee", {"everyone", "acme"}),
    ("outsider", {"everyone", "acme"}),
    ("stranger", {"everyone"}),
    ("agent", {"everyone", "acme", "agents"}),
    ("catalog_manager", {"everyone", "acme", "managers"}),
    ("admin_user", {"everyone", "acme", "agents"}),
])
def test_readers_see_articles_by_audience(request, audience_articles, org, persona, visible):
    if persona == "catalog_manager":
        user = UserFactory(organisation=org, roles=[Role.CATALOG_MANAGER])
    else:
        user = request.getfixturevalue(persona)
    assert {a.slug for a in selectors.article_list_for(user=user)} == visible
    for slug in set(audience_articles) - visible:
        with pytest.raises(Http404):
            selectors.article_get_for(user=user, slug=slug)
    for slug in visible:
        assert selectors.article_get_for(user=user, slug=slug).slug == slug


def test_the_reader_gets_their_language_or_the_other_one(password_article, employee, topic):
    assert selectors.article_get_for(user=employee, slug="reset-password",
                                     language="de").language == "de"
    assert selectors.article_get_for(user=employee, slug="reset-password",
                                     language="en").language == "en"
    ArticleFactory(slug="only-english", category=topic)
    assert selectors.article_get_for(user=employee, slug="only-english",
                                     language="de").language == "en"
    with pytest.raises(Http404):
        selectors.article_get_for(user=employee, slug="no-such-article")


def test_a_draft_translation_does_not_hide_the_published_version(topic, employee):
    ArticleFactory(slug="vpn", language="en", category=topic)
    ArticleFactory(slug="vpn", language="de", status=ArticleStatus.DRAFT, category=topic)
    assert selectors.article_get_for(user=employee, slug="vpn", language="de").language == "en"
    preferred = selectors.article_list_preferred(user=employee, language="de")
    assert [(a.slug, a.language) for a in preferred] == [("vpn", "en")]


def test_the_preferred_list_has_one_version_per_article(password_article, employee):
    german = selectors.article_list_preferred(user=employee, language="de")
    assert [a.language for a in german] == ["de"]
    assert selectors.article_list_for(user=employee, language="en").count() == 1
    assert selectors.article_list_for(user=employee).count() == 2


def test_categories_count_the_articles_the_reader_may_see(audience_articles, stranger, agent):
    (category,) = selectors.category_list_for(user=stranger)
    assert category.article_count == 1
    (category,) = selectors.category_list_for(user=agent)
    assert category.article_count == 3


@pytest.mark.parametrize("persona", ["employee", "agent", "outsider", "stranger"])
def test_only_knowledge_managers_and_admins_manage(request, persona, password_article):
    user = request.getfixturevalue(persona)
    assert not selectors.may_manage(user)
    with pytest.raises(Http404):
        selectors.article_manage_get(user=user, pk=password_article.pk)
    with pytest.raises(Http404):
        selectors.article_manage_list(user=user)


def test_knowledge_managers_and_admins_see_every_status(knowledge_manager, admin_user, topic):
    draft = ArticleFactory(status=ArticleStatus.DRAFT, category=topic)
    for user in (knowledge_manager, admin_user):
        assert selectors.may_manage(user)
        assert selectors.article_manage_get(user=user, pk=draft.pk) == draft


def test_manager_views_mine_review_and_stale(knowledge_manager, reviewer, topic):
    import datetime

    from django.utils import timezone

    mine = ArticleFactory(owner=knowledge_manager, category=topic)
    in_review = ArticleFactory(status=ArticleStatus.REVIEW, owner=reviewer, category=topic)
    stale = ArticleFactory(owner=reviewer, category=topic,
                           review_by=timezone.localdate() - datetime.timedelta(days=1))
    ArticleFactory(owner=reviewer, category=topic, review_by=timezone.localdate())

    def slugs(**kwargs):
        return {a.slug for a in selectors.article_manage_list(user=knowledge_manager, **kwargs)}

    assert slugs(view="mine") == {mine.slug}
    assert slugs(view="review") == {in_review.slug}
    assert slugs(view="stale") == {stale.slug}
    assert len(slugs()) == 4
    assert slugs(query=mine.title) == {mine.slug}


def test_the_knowledge_manager_role_may_edit_articles_in_the_admin(knowledge_manager):
    from concierge.accounts.roles import ensure_role_groups

    ensure_role_groups()
    knowledge_manager = type(knowledge_manager).objects.get(pk=knowledge_manager.pk)
    assert knowledge_manager.has_perm("knowledge.change_article")
    assert knowledge_manager.has_perm("knowledge.add_category")
    assert not knowledge_manager.has_perm("catalog.change_catalogitem")
    assert Article.objects.model._meta.app_label == "knowledge"
