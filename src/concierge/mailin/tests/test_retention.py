"""Retention: mail sources, dropped mail and the files of closed tickets are deleted on time.

Time is moved by handing the services a later ``now`` (as the other periodic jobs' tests do).
"""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concierge.core.testing import TicketFactory
from concierge.mailin import services as mailin_services
from concierge.mailin.choices import MessageStatus
from concierge.mailin.models import InboundMessage
from concierge.mailin.services import inbound_retention_apply, message_receive
from concierge.mailin.tests.conftest import PNG
from concierge.notifications.models import Delivery
from concierge.tickets import services as ticket_services
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Activity, Attachment
from concierge.tickets.services import attachment_store, comment_add, ticket_files_expire

DAY = datetime.timedelta(days=1)


def test_mail_sources_go_after_the_period_and_the_outcome_stays(employee, mail, settings):
    settings.RETENTION_MAIL_SOURCE_DAYS = 90
    kept = message_receive(raw=mail(subject="Printer jams"))
    now = timezone.now()
    assert inbound_retention_apply(now=now + 89 * DAY)["sources"] == 0
    assert inbound_retention_apply(now=now + 91 * DAY)["sources"] == 1
    kept.refresh_from_db()
    assert bytes(kept.raw) == b"" and kept.raw_deleted_at == now + 91 * DAY
    assert kept.status == MessageStatus.PROCESSED and kept.ticket is not None
    assert kept.from_address == employee.email and kept.subject == "Printer jams"
    # Idempotent: a second run finds nothing and keeps the first deletion's date.
    assert inbound_retention_apply(now=now + 92 * DAY) == {"dropped": 0, "sources": 0,
                                                           "answers": 0}
    kept.refresh_from_db()
    assert kept.raw_deleted_at == now + 91 * DAY


def test_dropped_mail_and_answers_to_strangers_go_entirely(employee, mail, settings):
    settings.RETENTION_DROPPED_MAIL_DAYS = 30
    loop = message_receive(raw=mail(headers={"Auto-Submitted": "auto-replied"}))
    stranger = message_receive(raw=mail(sender="someone@nowhere.example"))
    processed = message_receive(raw=mail(subject="Keep me"))
    assert loop.status == stranger.status == MessageStatus.DROPPED
    assert Delivery.objects.filter(address="someone@nowhere.example").exists()
    now = timezone.now()
    assert inbound_retention_apply(now=now + 29 * DAY)["dropped"] == 0
    result = inbound_retention_apply(now=now + 31 * DAY)
    assert result["dropped"] == 2 and result["answers"] == 1
    assert list(InboundMessage.objects.all()) == [processed]
    assert not Delivery.objects.filter(address="someone@nowhere.example").exists()


def test_zero_keeps_everything(employee, mail, settings):
    settings.RETENTION_MAIL_SOURCE_DAYS = settings.RETENTION_DROPPED_MAIL_DAYS = 0
    message_receive(raw=mail())
    message_receive(raw=mail(headers={"Auto-Submitted": "auto-replied"}))
    assert inbound_retention_apply(now=timezone.now() + 3650 * DAY) == {
        "dropped": 0, "sources": 0, "answers": 0}
    assert InboundMessage.objects.filter(raw_deleted_at__isnull=True).count() == 2


def test_retention_works_in_batches_without_reading_the_sources(
        employee, mail, settings, monkeypatch, django_assert_max_num_queries):
    settings.RETENTION_MAIL_SOURCE_DAYS, settings.RETENTION_DROPPED_MAIL_DAYS = 1, 0
    monkeypatch.setattr(mailin_services, "RETENTION_BATCH", 2)
    for number in range(5):
        message_receive(raw=mail(subject=f"Mail {number}"))
    later = timezone.now() + 2 * DAY
    # 3 batches of at most 2 and the empty look that ends it: the keys, then one update each
    # (with the batch's savepoint and release), never a query per message.
    with django_assert_max_num_queries(15) as context:
        assert inbound_retention_apply(now=later)["sources"] == 5
    selects = [q["sql"] for q in context.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 4 and not any('"raw"' in sql for sql in selects)


@pytest.fixture
def closed_with_files(employee, agent, settings):
    ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    upload = attachment_store(upload=SimpleUploadedFile("scan.png", PNG, "image/png"),
                              uploaded_by=employee, ticket=ticket, question_key="scan")
    ticket.answers = [{"key": "scan", "type": "attachment", "label": {"en": "Scan"},
                       "value": {"key": upload.key.hex, "name": "scan.png"},
                       "display": "scan.png", "step": "s"}]
    ticket.save(update_fields=["answers"])
    comment_add(ticket=ticket, author=agent, body="Here is the log.",
                files=[SimpleUploadedFile("log.png", PNG, "image/png")])
    for status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket_services.ticket_change_status(ticket=ticket, actor=agent, status=status)
    ticket.refresh_from_db()
    return ticket


def test_files_of_long_closed_tickets_go_with_a_note(closed_with_files, settings):
    settings.RETENTION_CLOSED_FILES_DAYS = 180
    ticket = closed_with_files
    names = [a.file.name for a in Attachment.objects.all()]
    assert all(default_storage.exists(name) for name in names) and len(names) == 2
    assert ticket_files_expire(now=ticket.closed_at + 179 * DAY) == 0
    assert ticket_files_expire(now=ticket.closed_at + 181 * DAY) == 2
    assert not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    note = Activity.objects.get(ticket=ticket, action="tickets.ticket.files_deleted")
    assert note.data == {"days": 180, "count": 2} and note.actor is None
    ticket.refresh_from_db()
    assert ticket.answers[0]["value"] is None
    assert "retention" in ticket.answers[0]["display"]["en"]
    from django.test import Client

    reader = Client()
    reader.force_login(ticket.requester)
    assert "as the retention rules say" in reader.get(ticket.get_absolute_url()).content.decode()
    assert ticket.comments.get().body == "Here is the log."  # the message stays
    # Idempotent: nothing more to do, and no second note.
    assert ticket_files_expire(now=ticket.closed_at + 400 * DAY) == 0
    assert Activity.objects.filter(action="tickets.ticket.files_deleted").count() == 1


def test_files_of_open_or_recently_closed_tickets_and_drafts_stay(closed_with_files, employee,
                                                                   settings):
    settings.RETENTION_CLOSED_FILES_DAYS = 30
    open_ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    attachment_store(upload=SimpleUploadedFile("open.png", PNG, "image/png"),
                     uploaded_by=employee, ticket=open_ticket)
    assert ticket_files_expire(now=closed_with_files.closed_at + 10 * DAY) == 0
    assert ticket_files_expire(now=closed_with_files.closed_at + 31 * DAY) == 2
    assert list(Attachment.objects.values_list("name", flat=True)) == ["open.png"]


def test_files_are_kept_by_default(closed_with_files, settings):
    assert settings.RETENTION_CLOSED_FILES_DAYS == 0
    assert ticket_files_expire(now=closed_with_files.closed_at + 3650 * DAY) == 0
    assert Attachment.objects.count() == 2


def test_file_retention_goes_through_tickets_in_batches(employee, agent, settings, monkeypatch):
    settings.RETENTION_CLOSED_FILES_DAYS = 1
    monkeypatch.setattr(ticket_services, "FILES_RETENTION_BATCH", 2)
    for _number in range(5):
        ticket = TicketFactory(requester=employee, status=TicketStatus.SUBMITTED)
        attachment_store(upload=SimpleUploadedFile("a.png", PNG, "image/png"),
                         uploaded_by=employee, ticket=ticket)
        ticket_services.ticket_change_status(ticket=ticket, actor=agent,
                                             status=TicketStatus.CANCELLED)
    assert ticket_files_expire(now=timezone.now() + 2 * DAY) == 5
    assert not Attachment.objects.exists()


def test_the_retention_jobs_are_periodic_tasks_of_the_worker(db, settings,
                                                             django_capture_on_commit_callbacks):
    from django.utils.module_loading import import_string

    from concierge.core.scheduler import schedule_due

    jobs = {name: settings.PERIODIC_TASKS[name] for name in
            ("mailin.retention", "tickets.file_retention")}
    for job in jobs.values():
        import_string(job["task"])
    settings.PERIODIC_TASKS = jobs
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_due(timezone.now()) == ["mailin.retention", "tickets.file_retention"]


def test_a_ticket_whose_files_cannot_go_does_not_stop_the_others(employee, agent, settings,
                                                                  monkeypatch):
    from concierge.tickets import services

    settings.RETENTION_CLOSED_FILES_DAYS = 30
    tickets = []
    for _ in range(3):
        ticket = TicketFactory(requester=employee, status=TicketStatus.CLOSED,
                               closed_at=timezone.now() - 60 * DAY)
        attachment_store(upload=SimpleUploadedFile("a.png", PNG, "image/png"),
                         uploaded_by=employee, ticket=ticket)
        tickets.append(ticket)
    real = services._ticket_files_delete

    def fails_for_the_first(ticket_id, **kwargs):
        if ticket_id == tickets[0].pk:
            raise OSError("storage refused")
        return real(ticket_id, **kwargs)

    monkeypatch.setattr(services, "_ticket_files_delete", fails_for_the_first)
    assert ticket_files_expire() == 2
    assert list(Attachment.objects.values_list("ticket_id", flat=True)) == [tickets[0].pk]
