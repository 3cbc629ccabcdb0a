import datetime

import pytest
from django.utils import timezone

from concierge.catalog.choices import ItemKind
from concierge.core.testing import CatalogItemFactory
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.models import Article, ArticleVersion, Feedback
from concierge.knowledge.tests.conftest import ArticleFactory, KnowledgeCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident_item(db):
    return CatalogItemFactory(slug="something-broken", kind=ItemKind.INCIDENT,
                              name={"en": "Something is broken", "de": "Etwas geht nicht"})


# --- Readers ---------------------------------------------------------------------------------

def test_help_needs_signing_in(client, password_article):
    for url in ("/help/", "/help/reset-password/", "/help/category/passwords/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_help_home_shows_topics_faqs_popular_and_recent(employee_client, password_article,
                                                            django_assert_max_num_queries):
    for n in range(12):
        ArticleFactory(slug=f"more-{n}", category=KnowledgeCategoryFactory(slug=f"t{n % 4}"),
                       view_count=n, is_faq=n % 2 == 0)
    with django_assert_max_num_queries(16):
        response = employee_client.get("/help/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Passwords" in page and "1 article" in page and "Reset your password" in page
    assert "Frequently asked" in page and "Most read" in page and "Recently updated" in page
    assert 'action="/search/"' in page and 'aria-current="page"' in page
    assert "Passwort zurücksetzen" not in page  # one version per article: the reader's


def test_the_help_home_is_cached_until_an_article_changes(employee_client, password_article,
                                                          django_assert_max_num_queries,
                                                          knowledge_manager, reviewer):
    from concierge.knowledge import services

    employee_client.get("/help/")
    with django_assert_max_num_queries(11):
        assert "Reset your password" in employee_client.get("/help/").content.decode()
    draft = services.article_create(author=knowledge_manager, slug="new-one", language="en",
                                    title="A brand new article", category=password_article.category)
    assert "A brand new article" not in employee_client.get("/help/").content.decode()
    services.article_transition(article=draft, actor=knowledge_manager, to="review")
    services.article_transition(article=draft, actor=reviewer, to="published")
    assert "A brand new article" in employee_client.get("/help/").content.decode()


def test_readers_who_see_different_articles_do_not_share_the_cache(client, agent, employee,
                                                                   topic):
    ArticleFactory(slug="desk-only", title="Desk only", category=topic,
                   audience=Audience.AGENTS)
    client.force_login(agent)
    assert "Desk only" in client.get("/help/").content.decode()
    client.force_login(employee)
    assert "Desk only" not in client.get("/help/").content.decode()


def test_german_readers_get_german_versions(employee, client, password_article):
    employee.language = "de"
    employee.save()
    client.force_login(employee)
    page = client.get("/help/").content.decode()
    assert "Passwort zurücksetzen" in page and "Reset your password" not in page


def test_the_help_home_without_articles_says_so(employee_client):
    assert "no help articles" in employee_client.get("/help/").content.decode()


def test_a_category_lists_its_articles(employee_client, password_article, topic,
                                       django_assert_max_num_queries):
    for n in range(10):
        ArticleFactory(slug=f"p-{n}", category=topic)
    with django_assert_max_num_queries(13):
        response = employee_client.get("/help/category/passwords/")
    assert response.status_code == 200 and "Reset your password" in response.content.decode()


def test_unknown_or_empty_categories_are_404(employee_client, topic):
    assert employee_client.get("/help/category/nope/").status_code == 404
    ArticleFactory(category=topic, audience=Audience.AGENTS)
    assert employee_client.get("/help/category/passwords/").status_code == 404


def test_the_article_page(employee_client, password_article, incident_item, webcam,
                          django_assert_max_num_queries):
    password_article.related_items.add(webcam)
    other = ArticleFactory(slug="set-up-mfa", title="Set up MFA",
                           category=password_article.category)
    password_article.related_articles.add(other)
    with django_assert_max_num_queries(17):
        response = employee_client.get("/help/reset-password/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Forgot password</strong>" in page and "Passwords" in page  # breadcrumb
    assert "Auf Deutsch lesen" in page and "?lang=de" in page
    assert "Set up MFA" in page and "Webcam" in page and "Was this helpful?" in page
    # Still need help? goes to the related service's form, prefilled with the title.
    assert "/requests/new/webcam/?describe=Reset+your+password" in page


def test_still_need_help_falls_back_to_the_incident_form_with_the_search(
        employee_client, password_article, incident_item):
    page = employee_client.get("/help/reset-password/?q=passwort+vergessen").content.decode()
    assert "/requests/new/something-broken/?describe=passwort+vergessen" in page
    assert 'name="q" value="passwort vergessen"' in page


def test_the_language_switch_shows_the_other_version(employee_client, password_article):
    page = employee_client.get("/help/reset-password/?lang=de").content.decode()
    assert "Passwort zurücksetzen" in page and 'lang="de"' in page and "Read in English" in page


def test_videos_from_allowed_hosts_play_in_the_article(employee_client, topic):
    ArticleFactory(slug="teams-video", category=topic,
                   body="[Join a call](https://www.youtube-nocookie.com/embed/xyz)")
    response = employee_client.get("/help/teams-video/")
    assert '<iframe src="https://www.youtube-nocookie.com/embed/xyz"' in response.content.decode()
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in \
        response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("status", ["draft", "review", "archived"])
def test_unpublished_articles_are_404_for_readers(employee_client, topic, status):
    ArticleFactory(slug="hidden", category=topic, status=status)
    assert employee_client.get("/help/hidden/").status_code == 404


@pytest.mark.parametrize(("persona", "code"), [("stranger", 404), ("outsider", 200),
                                               ("agent", 200)])
def test_articles_for_other_audiences_are_404(client, request, topic, org, persona, code):
    article = ArticleFactory(slug="acme-only", category=topic, audience=Audience.ORGANISATIONS)
    article.organisations.add(org)
    ArticleFactory(slug="desk-only", category=topic, audience=Audience.AGENTS)
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/help/acme-only/").status_code == code
    assert client.get("/help/desk-only/").status_code == (200 if persona == "agent" else 404)


def test_views_count_once_per_session(employee_client, password_article):
    employee_client.get("/help/reset-password/")
    employee_client.get("/help/reset-password/")
    password_article.refresh_from_db()
    assert password_article.view_count == 1


def test_feedback_without_javascript(employee_client, employee, password_article):
    response = employee_client.post("/help/reset-password/feedback/",
                                    {"helpful": "no", "comment": "Where is the link?",
                                     "lang": "en", "q": "reset pw"})
    assert response.status_code == 302 and response.url == "/help/reset-password/?lang=en"
    feedback = Feedback.objects.get()
    assert (feedback.user, feedback.helpful, feedback.comment, feedback.query) == (
        employee, False, "Where is the link?", "reset pw")
    page = employee_client.get(response.url).content.decode()
    assert "Thank you for your feedback" in page


def test_feedback_with_htmx_returns_the_fragment_and_counts_once(employee_client,
                                                                 password_article):
    for _ in range(2):
        response = employee_client.post("/help/reset-password/feedback/",
                                        {"helpful": "yes", "lang": "en"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "Glad it helped" in page and "<html" not in page
    password_article.refresh_from_db()
    assert (password_article.helpful_yes, password_article.helpful_no) == (1, 0)


def test_feedback_after_no_offers_a_comment_box(employee_client, password_article):
    response = employee_client.post("/help/reset-password/feedback/", {"helpful": "no"},
                                    HTTP_HX_REQUEST="true")
    assert 'name="comment"' in response.content.decode()


def test_bad_feedback_gets_a_message_not_an_error(employee_client, password_article):
    response = employee_client.post("/help/reset-password/feedback/", {"helpful": "maybe"})
    assert response.status_code == 400 and "Please choose yes or no" in response.content.decode()
    response = employee_client.post("/help/reset-password/feedback/", {"helpful": "maybe"},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Please choose yes or no" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_on_an_article_one_may_not_read_is_404(client, stranger, topic):
    article = ArticleFactory(slug="desk-only", category=topic, audience=Audience.AGENTS)
    client.force_login(stranger)
    response = client.post("/help/desk-only/feedback/", {"helpful": "yes"})
    assert response.status_code == 404 and not article.feedback.exists()


def test_feedback_needs_post(employee_client, password_article):
    assert employee_client.get("/help/reset-password/feedback/").status_code == 405


# --- Knowledge managers ----------------------------------------------------------------------

MANAGE_URLS = ["/help/manage/", "/help/manage/new/", "/help/manage/{pk}/",
               "/help/manage/{pk}/history/", "/help/manage/{pk}/translate/de/"]


@pytest.mark.parametrize("persona", ["employee", "agent", "stranger"])
@pytest.mark.parametrize("url", MANAGE_URLS)
def test_manager_pages_are_404_for_everyone_else(client, request, persona, url,
                                                 password_article):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url.format(pk=password_article.pk)).status_code == 404
    response = client.post(f"/help/manage/{password_article.pk}/status/", {"to": "archived"})
    assert response.status_code == 404
    assert client.post("/help/manage/preview/", {"body": "x"}).status_code == 404


def test_catalog_managers_do_not_manage_articles(client, org, password_article):
    from concierge.accounts.choices import Role
    from concierge.core.testing import UserFactory

    client.force_login(UserFactory(organisation=org, roles=[Role.CATALOG_MANAGER]))
    assert client.get("/help/manage/").status_code == 404


def test_admins_manage_articles(client, admin_user, password_article):
    client.force_login(admin_user)
    assert client.get("/help/manage/").status_code == 200


def test_the_manager_list_filters(km_client, password_article, reviewer, topic,
                                  django_assert_max_num_queries):
    for n in range(8):
        ArticleFactory(slug=f"other-{n}", category=topic, owner=reviewer,
                       status=ArticleStatus.REVIEW if n % 2 else ArticleStatus.DRAFT)
    with django_assert_max_num_queries(14):
        response = km_client.get("/help/manage/?view=review")
    page = response.content.decode()
    assert response.status_code == 200 and page.count("In review") >= 4
    assert "Reset your password" not in page
    page = km_client.get("/help/manage/?view=mine&language=de").content.decode()
    assert "Passwort zurücksetzen" in page and "Article" not in page.split('id="results"')[1]
    response = km_client.get("/help/manage/?view=all&q=reset", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert km_client.get("/help/manage/?status=bogus").status_code == 200


def test_the_manager_list_pages_keep_the_filters(km_client, topic):
    for n in range(35):
        ArticleFactory(slug=f"a-{n}", category=topic, language="de")
    page = km_client.get("/help/manage/?view=all&language=de").content.decode()
    assert "?view=all&amp;language=de&amp;page=2" in page
    assert '<span class="kb-count">0</span>' in page


def _form(topic, **extra):
    return {"slug": "print-from-laptop", "language": "en", "title": "Print from your laptop",
            "summary": "Add the office printer.", "body": "## Steps\n\n1. Open settings.",
            "category": topic.pk, "tags": "Printer, Drucker", "audience": "everyone",
            "review_by": "", "note": "", **extra}


def test_a_knowledge_manager_writes_an_article(km_client, knowledge_manager, topic):
    response = km_client.post("/help/manage/new/", _form(topic))
    article = Article.objects.get(slug="print-from-laptop")
    assert response.status_code == 302 and response.url == f"/help/manage/{article.pk}/"
    assert article.status == ArticleStatus.DRAFT and article.tags == ["drucker", "printer"]
    assert article.versions.count() == 1
    page = km_client.get(response.url).content.decode()
    assert "Send for review" in page and "<h2>Steps</h2>" in page  # the preview


def test_the_form_shows_mistakes_and_keeps_the_text(km_client, topic, password_article):
    response = km_client.post("/help/manage/new/", _form(topic, title="", slug="Bad Slug!",
                                                         audience="organisations"))
    page = response.content.decode()
    assert response.status_code == 400 and "Please correct the marked fields" in page
    assert "Choose at least one organisation" in page and "Open settings." in page
    response = km_client.post("/help/manage/new/", _form(topic, slug="reset-password"))
    assert response.status_code == 400 and "already an article" in response.content.decode()
    response = km_client.post("/help/manage/new/", _form(topic, slug="manage"))
    assert response.status_code == 400 and "reserved" in response.content.decode()


def test_preview_without_javascript_does_not_save(km_client, topic):
    response = km_client.post("/help/manage/new/", _form(topic, preview="1",
                                                         body="**Bold** text"))
    assert response.status_code == 200 and "<strong>Bold</strong>" in response.content.decode()
    assert not Article.objects.exists()


def test_live_preview_renders_safe_markdown(km_client):
    response = km_client.post("/help/manage/preview/",
                              {"body": "# Hi\n\n<script>alert(1)</script>\n\n*ok*"})
    page = response.content.decode()
    assert response.status_code == 200 and "<em>ok</em>" in page and "<script>" not in page
    assert 'id="preview"' in page and "<html" not in page


def test_editing_saves_a_version_and_the_history_shows_a_diff(km_client, password_article,
                                                              knowledge_manager):
    data = _form(password_article.category, title=password_article.title,
                 body="Open **Forgot password**.\n\nCheck your e-mail.", note="Added e-mail step")
    del data["slug"], data["language"]
    response = km_client.post(f"/help/manage/{password_article.pk}/", data)
    assert response.status_code == 302
    assert password_article.versions.count() == 2
    page = km_client.get(f"/help/manage/{password_article.pk}/history/").content.decode()
    assert "Added e-mail step" in page
    assert '<ins><span class="visually-hidden">Added: </span>Check your e-mail.</ins>' in page
    assert "Compare versions" in page
    assert km_client.get(f"/help/manage/{password_article.pk}/history/?a=1&b=9"
                         ).status_code == 404
    assert km_client.get(f"/help/manage/{password_article.pk}/history/?a=x"
                         ).status_code == 404


def test_the_workflow_in_the_portal(km_client, client, reviewer, topic):
    km_client.post("/help/manage/new/", _form(topic))
    article = Article.objects.get()
    url = f"/help/manage/{article.pk}/status/"
    km_client.post(url, {"to": "review"})
    response = km_client.post(url, {"to": "published"}, follow=True)
    assert "Someone other than the author" in response.content.decode()
    assert Article.objects.get().status == ArticleStatus.REVIEW
    client.force_login(reviewer)
    response = client.post(url, {"to": "published"}, follow=True)
    assert "now “Published”" in response.content.decode()
    assert Article.objects.get().status == ArticleStatus.PUBLISHED
    assert client.post(url, {"to": "nonsense"}).status_code == 302
    assert client.get(url).status_code == 405


def test_adding_a_translation(km_client, topic, knowledge_manager):
    km_client.post("/help/manage/new/", _form(topic))
    article = Article.objects.get()
    url = f"/help/manage/{article.pk}/translate/de/"
    response = km_client.post(url, {"title": "", "body": "Entwurf"})
    assert response.status_code == 400 and "Entwurf" in response.content.decode()
    page = km_client.get(url).content.decode()
    assert "Print from your laptop" in page  # the original, to translate
    response = km_client.post(url, {"title": "Vom Laptop drucken", "summary": "",
                                    "body": "1. Einstellungen öffnen."})
    german = Article.objects.get(language="de")
    assert response.status_code == 302 and german.slug == article.slug
    assert km_client.get(url).url == f"/help/manage/{german.pk}/"  # exists: go there
    assert km_client.get(f"/help/manage/{article.pk}/translate/en/").status_code == 404
    assert km_client.get(f"/help/manage/{article.pk}/translate/fr/").status_code == 404


def test_the_editor_shows_what_readers_said(km_client, password_article, employee):
    from concierge.knowledge.services import feedback_give

    feedback_give(article=password_article, user=employee, helpful=False,
                  comment="The link <b>expired</b>.", query="pw reset")
    page = km_client.get(f"/help/manage/{password_article.pk}/").content.decode()
    assert "0 found it helpful, 1 did not" in page
    assert "The link &lt;b&gt;expired&lt;/b&gt;." in page and "pw reset" in page


def test_unknown_manager_pages_are_404(km_client):
    assert km_client.get("/help/manage/999999/").status_code == 404
    assert km_client.get("/help/manage/999999/history/").status_code == 404


def test_the_version_history_lists_versions(km_client, password_article, knowledge_manager):
    ArticleVersion.objects.create(article=password_article, number=2, title="T2", body="b",
                                  author=knowledge_manager, note="second")
    page = km_client.get(f"/help/manage/{password_article.pk}/history/").content.decode()
    assert "second" in page and "Katrin Knowledge" in page


def test_the_admin_edits_articles(client, admin_user, password_article):
    client.force_login(admin_user)
    assert client.get("/admin/knowledge/article/").status_code == 200
    assert client.get(f"/admin/knowledge/article/{password_article.pk}/change/").status_code == 200
    assert client.get("/admin/knowledge/feedback/").status_code == 200


def test_saving_the_text_in_the_admin_adds_a_version(client, admin_user, password_article):
    client.force_login(admin_user)
    url = f"/admin/knowledge/article/{password_article.pk}/change/"
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"body": "New text.", "tags": '["password"]', "related_items": [],
                 "related_articles": [], "organisations": [], "roles": [],
                 "versions-TOTAL_FORMS": 1, "versions-INITIAL_FORMS": 1,
                 "versions-MIN_NUM_FORMS": 0, "versions-MAX_NUM_FORMS": 1000,
                 "versions-0-id": password_article.versions.get().pk,
                 "versions-0-article": password_article.pk})
    data = {k: v for k, v in data.items() if v not in (None, False)}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert password_article.versions.order_by("-number").first().body == "New text."


def test_the_navigation_links_to_help(employee_client):
    page = employee_client.get("/").content.decode()
    assert page.count('href="/help/"') >= 2  # header and phone tab bar


def test_stale_articles_show_in_the_due_view(km_client, password_article):
    Article.objects.filter(pk=password_article.pk).update(
        review_by=timezone.localdate() - datetime.timedelta(days=2))
    page = km_client.get("/help/manage/?view=stale").content.decode()
    assert "Reset your password" in page


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_manager_uploads_a_picture_and_readers_see_it(km_client, password_article, employee):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concierge.knowledge.models import ArticleImage

    response = km_client.post(f"/help/manage/{password_article.pk}/pictures/", {
        "image": SimpleUploadedFile("screen.png", _png(), content_type="image/png"),
        "alt": "The sign-in page"}, follow=True)
    image = ArticleImage.objects.get()
    page = response.content.decode()
    assert f"![The sign-in page](/help/images/{image.key}/)" in page
    assert image.slug == "reset-password" and image.content_type == "image/png"

    client = km_client  # the same test client, now as a reader
    client.force_login(employee)
    served = client.get(image.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()
    assert "sandbox" in served["Content-Security-Policy"]
    assert client.get("/help/images/00000000-0000-0000-0000-000000000000/").status_code == 404
    client.logout()
    assert client.get(image.get_absolute_url()).status_code == 302


def test_only_pictures_are_accepted(km_client, password_article):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concierge.knowledge.models import ArticleImage

    response = km_client.post(f"/help/manage/{password_article.pk}/pictures/", {
        "image": SimpleUploadedFile("evil.png", b"<script>alert(1)</script>",
                                    content_type="image/png"), "alt": "x"}, follow=True)
    assert "not a file type we accept" in response.content.decode()
    response = km_client.post(f"/help/manage/{password_article.pk}/pictures/", {"alt": ""},
                              follow=True)
    assert "Picture" in response.content.decode() and not ArticleImage.objects.exists()


def test_readers_cannot_upload_pictures(employee_client, password_article):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = employee_client.post(f"/help/manage/{password_article.pk}/pictures/", {
        "image": SimpleUploadedFile("a.png", _png()), "alt": "x"})
    assert response.status_code == 404
