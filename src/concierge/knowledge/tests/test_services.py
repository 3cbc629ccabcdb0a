import datetime

import pytest
from django.core import mail
from django.utils import timezone

from concierge.core.markdown import render_markdown
from concierge.knowledge import services
from concierge.knowledge.choices import ArticleStatus, Audience
from concierge.knowledge.diff import line_diff, version_diff
from concierge.knowledge.models import Article, Feedback
from concierge.knowledge.tests.conftest import ArticleFactory

pytestmark = pytest.mark.django_db


def _draft(author, topic, **extra):
    values = {"title": "Connect to the VPN", "summary": "From home.", "body": "1. Open it.",
              "category": topic, "tags": ["VPN", "Home"], "audience": Audience.EVERYONE,
              **extra}
    return services.article_create(author=author, slug="connect-vpn", language="en", **values)


def test_creating_an_article_makes_a_draft_with_version_one(knowledge_manager, topic):
    article = _draft(knowledge_manager, topic)
    assert article.status == ArticleStatus.DRAFT and article.owner == knowledge_manager
    assert article.tags == ["home", "vpn"]
    (version,) = article.versions.all()
    assert (version.number, version.title, version.author) == (1, "Connect to the VPN",
                                                               knowledge_manager)


def test_a_reserved_or_taken_slug_is_refused(knowledge_manager, topic):
    _draft(knowledge_manager, topic)
    with pytest.raises(services.KnowledgeError, match="already"):
        _draft(knowledge_manager, topic)
    with pytest.raises(services.KnowledgeError, match="reserved"):
        services.article_create(author=knowledge_manager, slug="manage", language="en",
                                title="x", category=topic)


def test_an_audience_needs_its_organisations_or_roles(knowledge_manager, topic):
    with pytest.raises(services.KnowledgeError, match="organisation"):
        _draft(knowledge_manager, topic, audience=Audience.ORGANISATIONS, organisations=[])
    with pytest.raises(services.KnowledgeError, match="role"):
        _draft(knowledge_manager, topic, audience=Audience.ROLES)


def test_each_save_that_changes_the_text_adds_a_version(knowledge_manager, reviewer, topic):
    article = _draft(knowledge_manager, topic)
    services.article_update(article=article, author=reviewer, body="1. Open it.\n2. Connect.",
                            note="Second step")
    services.article_update(article=article, author=reviewer, tags=["vpn"])  # no text change
    versions = list(article.versions.order_by("number"))
    assert [(v.number, v.author, v.note) for v in versions] == [
        (1, knowledge_manager, "Created"), (2, reviewer, "Second step")]
    assert versions[1].body == "1. Open it.\n2. Connect."


def test_the_workflow_goes_draft_review_published_archived(knowledge_manager, reviewer, topic):
    article = _draft(knowledge_manager, topic)
    article = services.article_transition(article=article, actor=knowledge_manager,
                                          to=ArticleStatus.REVIEW)
    article = services.article_transition(article=article, actor=reviewer,
                                          to=ArticleStatus.PUBLISHED)
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert article.review_by > timezone.localdate()
    article = services.article_transition(article=article, actor=reviewer,
                                          to=ArticleStatus.ARCHIVED)
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.ARCHIVED


def test_the_author_cannot_publish_their_own_text(knowledge_manager, reviewer, topic):
    article = _draft(knowledge_manager, topic)
    services.article_transition(article=article, actor=knowledge_manager,
                                to=ArticleStatus.REVIEW)
    with pytest.raises(services.KnowledgeError, match="other than the author"):
        services.article_transition(article=article, actor=knowledge_manager,
                                    to=ArticleStatus.PUBLISHED)
    # Whoever changed the text last is its author now.
    services.article_update(article=article, author=reviewer, body="Reworded.")
    with pytest.raises(services.KnowledgeError):
        services.article_transition(article=article, actor=reviewer, to=ArticleStatus.PUBLISHED)
    assert services.article_transition(article=article, actor=knowledge_manager,
                                       to=ArticleStatus.PUBLISHED).status == "published"


@pytest.mark.parametrize(("start", "to"), [
    ("draft", "published"), ("draft", "archived"), ("published", "draft"),
    ("archived", "published"), ("review", "archived")])
def test_steps_outside_the_workflow_are_refused(knowledge_manager, reviewer, topic, start, to):
    article = ArticleFactory(status=start, category=topic)
    with pytest.raises(services.KnowledgeError):
        services.article_transition(article=article, actor=reviewer, to=to)
    assert Article.objects.get(pk=article.pk).status == start


def test_a_translation_shares_slug_and_settings(knowledge_manager, reviewer, topic, org, webcam):
    article = _draft(knowledge_manager, topic, audience=Audience.ORGANISATIONS,
                     organisations=[org], related_items=[webcam], is_faq=True)
    german = services.article_translate(article=article, author=reviewer, language="de",
                                        title="VPN verbinden", summary="", body="1. Öffnen.")
    assert (german.slug, german.language, german.status) == ("connect-vpn", "de", "draft")
    assert german.audience == Audience.ORGANISATIONS and list(german.organisations.all()) == [org]
    assert list(german.related_items.all()) == [webcam] and german.is_faq
    assert list(article.translations()) == [german]
    with pytest.raises(services.KnowledgeError):
        services.article_translate(article=article, author=reviewer, language="de",
                                   title="x", summary="", body="")


def test_feedback_counts_once_per_person_and_can_change(password_article, employee, outsider):
    services.feedback_give(article=password_article, user=employee, helpful=True)
    services.feedback_give(article=password_article, user=employee, helpful=True)
    services.feedback_give(article=password_article, user=outsider, helpful=False,
                           comment="Step 2 is missing", query="passwort vergessen")
    password_article.refresh_from_db()
    assert (password_article.helpful_yes, password_article.helpful_no) == (1, 1)
    services.feedback_give(article=password_article, user=employee, helpful=False)
    password_article.refresh_from_db()
    assert (password_article.helpful_yes, password_article.helpful_no) == (0, 2)
    assert Feedback.objects.count() == 2
    assert Feedback.objects.get(user=outsider).query == "passwort vergessen"


def test_views_are_counted_once_per_session(password_article):
    session = {}
    assert services.article_view_count(article=password_article, session=session)
    assert not services.article_view_count(article=password_article, session=session)
    assert services.article_view_count(article=password_article, session={})
    password_article.refresh_from_db()
    assert password_article.view_count == 2


def test_owners_of_overdue_articles_are_reminded_once_per_date(
        password_article, knowledge_manager, topic, django_capture_on_commit_callbacks):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Article.objects.filter(pk=password_article.pk).update(review_by=yesterday)
    ArticleFactory(category=topic, owner=knowledge_manager, status=ArticleStatus.DRAFT,
                   review_by=yesterday)  # not published: no reminder
    ArticleFactory(category=topic, owner=knowledge_manager)  # not due yet
    assert services.article_review_remind() == 1
    assert services.article_review_remind() == 0
    (message,) = mail.outbox
    assert message.to == [f"{knowledge_manager.display_name} <{knowledge_manager.email}>"]
    assert "Reset your password" in message.subject
    assert f"/help/manage/{password_article.pk}/" in message.body
    from concierge.notifications.models import Notification

    bell = Notification.objects.get(recipient=knowledge_manager)
    assert bell.kind == "knowledge" and bell.url == f"/help/manage/{password_article.pk}/"
    # A new review-by date that passes again means a new reminder.
    Article.objects.filter(pk=password_article.pk).update(
        review_by=yesterday - datetime.timedelta(days=1))
    assert services.article_review_remind() == 1
    assert len(mail.outbox) == 2


def test_owners_who_turned_off_knowledge_mail_are_reminded_in_the_portal_only(
        password_article, knowledge_manager):
    from concierge.notifications.models import Notification
    from concierge.notifications.services import preferences_save

    preferences_save(user=knowledge_manager, email_kinds=set())
    Article.objects.filter(pk=password_article.pk).update(
        review_by=timezone.localdate() - datetime.timedelta(days=1))
    assert services.article_review_remind() == 1
    assert not mail.outbox and Notification.objects.filter(recipient=knowledge_manager).exists()


def test_the_periodic_task_is_scheduled(settings):
    from django.utils.module_loading import import_string

    job = settings.PERIODIC_TASKS["knowledge.review_reminders"]
    assert import_string(job["task"]).name


def test_the_diff_marks_added_and_removed_lines():
    rows = line_diff("one\ntwo\nthree", "one\nTWO\nthree\nfour")
    kinds = [(row.kind, row.text) for row in rows]
    assert ("removed", "two") in kinds and ("added", "TWO") in kinds
    assert ("added", "four") in kinds and ("same", "one") in kinds
    assert line_diff("same", "same") == []


def test_long_unchanged_stretches_are_left_out():
    old = "\n".join(f"line {n}" for n in range(20))
    new = old.replace("line 10", "line ten")
    rows = line_diff(old, new)
    assert rows[0].kind == "skipped" and rows[-1].kind == "skipped"
    assert len(rows) < 10


def test_version_diff_per_field(knowledge_manager, topic):
    article = _draft(knowledge_manager, topic)
    services.article_update(article=article, author=knowledge_manager, title="New title")
    old, new = article.versions.order_by("number")
    fields = {field.label: field.changed for field in version_diff(old, new)}
    assert fields == {"Title": True, "Summary": False, "Text": False}


def test_videos_only_from_allowed_hosts_become_players(settings):
    settings.KNOWLEDGE_VIDEO_HOSTS = ["www.youtube-nocookie.com"]
    html = render_markdown("[Watch](https://www.youtube-nocookie.com/embed/abc)\n\n"
                           "[Other](https://videos.example/embed/abc)", embed_videos=True)
    assert html.count("<iframe") == 1 and 'sandbox="' in html and 'title="Watch"' in html
    assert '<a href="https://videos.example/embed/abc"' in html
    assert "<iframe" not in render_markdown("[Watch](https://www.youtube-nocookie.com/embed/a)")


def test_video_titles_cannot_break_out_of_the_attribute(settings):
    html = render_markdown('["onload="x](https://player.vimeo.com/video/1)', embed_videos=True)
    assert '" onload' not in html and 'title="&quot;onload=&quot;x"' in html


def test_raw_html_and_scripts_in_articles_are_removed():
    html = render_markdown('<iframe src="https://evil.example"></iframe><script>x()</script>'
                           '<img src="/media/a.png" onerror="x()">', embed_videos=True)
    assert "<iframe" not in html and "<script" not in html and "onerror" not in html


def test_the_csp_allows_frames_from_exactly_the_video_hosts(settings):
    assert settings.SECURE_CSP["frame-src"] == [
        f"https://{host}" for host in settings.KNOWLEDGE_VIDEO_HOSTS]
