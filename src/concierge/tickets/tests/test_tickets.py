"""My requests, a request's page, comments, files, cancelling and status changes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concierge.core.testing import TicketFactory, UserFactory
from concierge.tickets import services
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Attachment, Comment

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def ticket(employee, webcam):
    return TicketFactory(requester=employee, item=webcam, title="Webcam")


def test_my_requests_lists_own_and_received_tickets_only(employee_client, employee, outsider):
    own = TicketFactory(requester=employee, title="Own headset")
    received = TicketFactory(requester=outsider, requested_for=employee, title="For me")
    TicketFactory(requester=outsider, title="Not mine")
    content = employee_client.get(reverse("tickets:list")).content.decode()
    assert own.title in content and received.title in content
    assert "Not mine" not in content


def test_my_requests_filters_by_state_and_finds_by_number(employee_client, employee):
    open_ticket = TicketFactory(requester=employee, title="Open one")
    closed = TicketFactory(requester=employee, title="Closed one", status=TicketStatus.CLOSED)
    page = employee_client.get(reverse("tickets:list")).content.decode()
    assert "Open one" in page and "Closed one" not in page
    page = employee_client.get(reverse("tickets:list"), {"state": "closed"}).content.decode()
    assert "Closed one" in page and "Open one" not in page
    page = employee_client.get(reverse("tickets:list"),
                               {"state": "all", "q": closed.number}).content.decode()
    assert "Closed one" in page and open_ticket.title not in page


def test_my_requests_htmx_returns_only_the_results(employee_client, employee):
    TicketFactory(requester=employee, title="Open one")
    response = employee_client.get(reverse("tickets:list"), headers={"HX-Request": "true"})
    assert b"<html" not in response.content and b"Open one" in response.content


def test_my_requests_query_count_does_not_grow_with_tickets(employee_client, employee, outsider):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert employee_client.get(reverse("tickets:list")).status_code == 200
        return len(queries)

    TicketFactory(requester=employee)
    count()  # the first request of a session writes it
    few = count()
    for _ in range(15):
        TicketFactory(requester=employee)
        TicketFactory(requester=outsider, requested_for=employee)
    assert count() == few


def test_home_query_count_does_not_grow_with_tickets(employee_client, employee, webcam):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert employee_client.get(reverse("portal:home")).status_code == 200
        return len(queries)

    TicketFactory(requester=employee)
    count()
    few = count()
    for _ in range(10):
        TicketFactory(requester=employee)
    assert count() == few


def test_the_detail_page_shows_timeline_answers_and_messages(employee_client, ticket, agent):
    services.comment_add(ticket=ticket, author=agent, body="We ordered it.")
    content = employee_client.get(ticket.get_absolute_url()).content.decode()
    assert ticket.number in content
    assert "Submitted" in content and "In progress" in content and "Resolved" in content
    assert "We ordered it." in content


@pytest.mark.parametrize("persona", ["outsider", "stranger"])
def test_someone_elses_request_is_a_404(client, ticket, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.post(reverse("tickets:comment-create", args=[ticket.pk]),
                       {"body": "hi"}).status_code == 404
    assert client.post(reverse("tickets:cancel", args=[ticket.pk])).status_code == 404


def test_an_agent_of_the_same_organisation_sees_the_request(client, ticket, agent):
    client.force_login(agent)
    assert client.get(ticket.get_absolute_url()).status_code == 200


def test_an_agent_of_another_organisation_does_not(client, ticket, stranger):
    from django.contrib.auth.models import Group

    from concierge.core.testing import enrol_mfa

    stranger.groups.add(Group.objects.get_or_create(name="agent")[0])
    enrol_mfa(stranger)
    client.force_login(stranger)
    assert client.get(ticket.get_absolute_url()).status_code == 404


def test_a_comment_with_a_file_is_added_and_emailed(employee_client, ticket, agent, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    ticket.requested_for = agent  # so someone other than the author hears of it
    ticket.save()
    upload = SimpleUploadedFile("screen.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(reverse("tickets:comment-create", args=[ticket.pk]),
                                        {"body": "Here is a screenshot", "files": [upload]})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.attachments.get().content_type == "image/png"
    assert [m.to for m in mailoutbox] == [[f"{agent.display_name} <{agent.email}>"]]


def test_a_comment_via_htmx_returns_the_messages_partial(employee_client, ticket):
    response = employee_client.post(reverse("tickets:comment-create", args=[ticket.pk]),
                                    {"body": "Hello"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="comments"' in response.content and b"<html" not in response.content
    assert b"Hello" in response.content


def test_an_empty_comment_is_refused_with_a_message(employee_client, ticket):
    response = employee_client.post(reverse("tickets:comment-create", args=[ticket.pk]),
                                    {"body": "  "})
    assert response.status_code == 200
    assert "Please write a message or add a file." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_file_that_lies_about_its_type_is_refused_and_the_text_kept(employee_client, ticket):
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
                              content_type="application/pdf")
    response = employee_client.post(reverse("tickets:comment-create", args=[ticket.pk]),
                                    {"body": "My draft text", "files": [fake]})
    content = response.content.decode()
    assert response.status_code == 200
    assert "not a file type we accept" in content
    assert "My draft text" in content
    assert not Comment.objects.exists() and not Attachment.objects.exists()


def test_attachments_download_only_for_those_who_may_see_the_ticket(
        client, employee, outsider, ticket):
    attachment = services.attachment_store(
        upload=SimpleUploadedFile("a.txt", b"hello"), uploaded_by=employee, ticket=ticket)
    url = attachment.get_absolute_url()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(employee)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"hello"


def test_the_requester_cancels_before_work_starts(employee_client, ticket, mailoutbox):
    response = employee_client.post(reverse("tickets:cancel", args=[ticket.pk]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED and ticket.closed_at
    assert ticket.activities.filter(action="tickets.ticket.status_changed").exists()


def test_cancelling_after_work_started_is_refused(employee_client, ticket, agent):
    services.ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.IN_PROGRESS)
    response = employee_client.post(reverse("tickets:cancel", args=[ticket.pk]), follow=True)
    assert "can no longer be cancelled" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_cancel_needs_post(employee_client, ticket):
    assert employee_client.get(reverse("tickets:cancel", args=[ticket.pk])).status_code == 405


def test_agents_move_tickets_and_the_requester_is_emailed_in_their_language(
        client, ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    employee.language = "de"
    employee.save()
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:status", args=[ticket.pk]),
                               {"status": TicketStatus.IN_PROGRESS})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert len(mailoutbox) == 1
    assert "In Bearbeitung" in mailoutbox[0].subject
    assert mailoutbox[0].alternatives  # HTML and text


def test_employees_cannot_change_the_status(employee_client, ticket):
    response = employee_client.post(reverse("tickets:status", args=[ticket.pk]),
                                    {"status": TicketStatus.RESOLVED})
    assert response.status_code == 403


def test_impossible_transitions_are_refused(ticket, agent):
    with pytest.raises(services.TicketError):
        services.ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.CLOSED)


def test_a_bad_status_value_gives_a_message(client, ticket, agent):
    client.force_login(agent)
    response = client.post(reverse("tickets:status", args=[ticket.pk]), {"status": "bogus"},
                           follow=True)
    assert "Please choose a valid status." in response.content.decode()


def test_notifications_are_sent_once_even_when_the_task_runs_twice(
        ticket, agent, mailoutbox, django_capture_on_commit_callbacks):
    from concierge.tickets.tasks import ticket_notify

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(ticket=ticket, author=agent, body="Hi")
    activity = ticket.activities.get(data__comment=comment.pk)
    sent_before = len(mailoutbox)
    assert sent_before == 1
    assert ticket_notify.call(activity.pk) == 0  # already delivered
    assert len(mailoutbox) == sent_before


def test_emails_are_enqueued_only_after_commit(ticket, agent, django_capture_on_commit_callbacks,
                                              mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.comment_add(ticket=ticket, author=agent, body="Hi")
    assert len(callbacks) == 1 and not mailoutbox


def test_the_database_backend_queues_tasks(settings, ticket, agent,
                                          django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=agent, body="Hi")
    assert DBTaskResult.objects.filter(task_path__endswith="ticket_notify").count() == 1


@pytest.mark.parametrize(("name", "content", "ok"), [
    ("notes.txt", "Grüße aus München".encode(), True),
    ("data.csv", b"a,b\n1,2\n", True),
    ("photo.png", PNG, True),
    ("photo.png", b"<html><script>alert(1)</script>", True),  # text is text, served as download
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, False),
    ("empty.txt", b"", False),
])
def test_files_are_checked_by_content(name, content, ok, employee, ticket):
    from django.core.exceptions import ValidationError

    upload = SimpleUploadedFile(name, content)
    if ok:
        assert services.attachment_store(upload=upload, uploaded_by=employee, ticket=ticket)
    else:
        with pytest.raises(ValidationError):
            services.attachment_store(upload=upload, uploaded_by=employee, ticket=ticket)


def test_oversized_files_are_refused(settings, employee, ticket):
    from django.core.exceptions import ValidationError

    settings.ATTACHMENT_MAX_MB = 1
    upload = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        services.attachment_store(upload=upload, uploaded_by=employee, ticket=ticket)


def test_wizard_attachment_upload_is_kept_and_submitted(employee_client, employee, db):
    from concierge.core.testing import CatalogItemFactory
    from concierge.tickets.models import Ticket

    CatalogItemFactory(slug="shot", form={"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "screenshot", "type": "attachment", "required": True, "label": "Screenshot",
         "allowed_types": ["png"]}]}]})
    url = reverse("tickets:wizard-step", args=["shot", "s"])
    bad = employee_client.post(url, {"screenshot": SimpleUploadedFile("a.png", b"%PDF-1.4 x"),
                                     "action": "next"})
    assert "not a file type we accept" in bad.content.decode()
    good = employee_client.post(url, {"screenshot": io.BytesIO(PNG), "action": "next"})
    assert good.status_code == 302
    employee_client.post(reverse("tickets:wizard-review", args=["shot"]))
    ticket = Ticket.objects.get()
    assert ticket.attachments.get().question_key == "screenshot"
    assert ticket.answers[0]["value"]["name"]


def test_user_factory_personas_are_distinct(employee, outsider, stranger):
    assert len({employee.pk, outsider.pk, stranger.pk}) == 3
    assert UserFactory().organisation_id != employee.organisation_id


# The worker closes its database connection when done: no test transaction can wrap it.
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_queued_emails_once(settings, ticket, agent, mailoutbox,
                                                django_capture_on_commit_callbacks):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(ticket=ticket, actor=agent,
                                      status=TicketStatus.IN_PROGRESS)
    assert not mailoutbox  # queued, not sent by the web request
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mailoutbox) == 1 and ticket.number in mailoutbox[0].subject
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mailoutbox) == 1


def test_discarding_a_draft_deletes_its_files(employee, webcam):
    from django.core.files.storage import default_storage

    draft = services.draft_start(user=employee, item=webcam)
    stored = services.attachment_store(upload=SimpleUploadedFile("a.txt", b"hello"),
                                       uploaded_by=employee, draft=draft, question_key="x")
    name = stored.file.name
    assert default_storage.exists(name)
    services.draft_discard(draft=draft)
    assert not default_storage.exists(name) and not Attachment.objects.exists()


def test_agents_cannot_resolve_while_tasks_are_open(client, agent, employee, db):
    from concierge.core.testing import CatalogItemFactory
    from concierge.tickets.services import ticket_submit

    item = CatalogItemFactory(fulfilment={"tasks": [
        {"key": "order", "title": "Order", "group": "procurement"}]})
    ticket = ticket_submit(requester=employee, item=item,
                           answers={"model": "standard", "address": "Room 1"})
    client.force_login(agent)
    response = client.post(reverse("tickets:status", args=[ticket.pk]),
                           {"status": TicketStatus.RESOLVED}, follow=True)
    assert "tasks are not done yet" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
