"""Inbound e-mail: new tickets, replies threaded into tickets, loops and strangers dropped."""

import datetime

import pytest
from django.utils import timezone

from concierge.mailin import threads
from concierge.mailin.choices import MessageStatus
from concierge.mailin.models import InboundMessage
from concierge.mailin.parsing import strip_quoted
from concierge.mailin.services import message_receive
from concierge.mailin.tests.conftest import PNG
from concierge.notifications.models import Delivery
from concierge.tickets.choices import TicketKind, TicketStatus
from concierge.tickets.models import Ticket


def receive(raw, **kwargs):
    return message_receive(raw=raw, **kwargs)


def test_a_mail_from_a_known_person_becomes_an_incident_with_its_files(
        employee, mail, mailoutbox, django_capture_on_commit_callbacks):
    raw = mail(subject="Fwd: Printer jams", files=[("jam.png", PNG, "image", "png")])
    with django_capture_on_commit_callbacks(execute=True):
        message = receive(raw)
    assert message.status == MessageStatus.PROCESSED, message.reason
    ticket = message.ticket
    assert ticket.kind == TicketKind.INCIDENT and ticket.requester == employee
    assert ticket.title == "Printer jams" and ticket.item is None
    assert ticket.answers[0]["display"] == "The printer on floor 3 jams."
    assert [a.name for a in ticket.attachments.all()] == ["jam.png"]
    assert ticket.activities.get(action="tickets.ticket.submitted").data["channel"] == "email"
    assert any(ticket.number in m.subject for m in mailoutbox)  # the confirmation


def test_the_sender_is_matched_case_insensitively_among_active_people_only(employee, mail):
    assert receive(mail(sender="EMMA@ACME.EXAMPLE")).ticket.requester == employee
    employee.is_active = False
    employee.save()
    assert receive(mail(subject="Again")).status == MessageStatus.DROPPED


def test_files_of_a_refused_type_are_named_in_the_ticket_not_stored(employee, mail):
    raw = mail(files=[("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "application", "octet-stream")])
    message = receive(raw)
    assert message.status == MessageStatus.PROCESSED
    assert not message.ticket.attachments.exists()
    assert "tool.exe" in message.ticket.answers[0]["display"]
    assert "1 file(s) refused" in message.reason


def test_unknown_senders_get_one_polite_answer_a_day_and_no_ticket(
        db, mail, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(mail(sender="someone@nowhere.example"))
        second = receive(mail(sender="someone@nowhere.example", subject="Hello?"))
    assert first.status == second.status == MessageStatus.DROPPED
    assert "unknown sender" in first.reason
    assert not Ticket.objects.exists()
    assert len(mailoutbox) == 1
    reply = mailoutbox[0]
    assert reply.to == ["someone@nowhere.example"]
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert Delivery.objects.filter(address="someone@nowhere.example").count() == 1


def test_a_reply_with_the_number_in_the_subject_threads_into_the_ticket(employee, mail):
    ticket = receive(mail()).ticket
    message = receive(mail(subject=f"Re: [{ticket.number}] Printer jams",
                           body="Still broken.\n\nOn Tue, 24 Nov 2026, IT wrote:\n> old"))
    assert message.status == MessageStatus.PROCESSED and message.ticket == ticket
    assert "by subject" in message.reason
    assert ticket.comments.get().body == "Still broken."
    assert Ticket.objects.count() == 1


def test_a_reply_by_reference_headers_threads_even_without_a_number(employee, mail):
    ticket = receive(mail()).ticket
    ours = threads.message_id(ticket.pk, "comment-1")
    message = receive(mail(subject="Re: something else", body="Thanks",
                           headers={"In-Reply-To": ours, "References": f"<x@y> {ours}"}))
    assert message.ticket == ticket and "by reference headers" in message.reason


def test_a_forged_reference_does_not_name_a_ticket(employee, mail):
    ticket = receive(mail()).ticket
    forged = f"<ticket-{ticket.pk}.comment-1.0123456789abcdef@example.com>"
    message = receive(mail(subject="Re: hello", headers={"In-Reply-To": forged}))
    assert message.ticket != ticket  # a new ticket instead


def test_the_tagged_reply_address_threads_too(employee, mail):
    ticket = receive(mail()).ticket
    message = receive(mail(subject="no number here", body="More",
                           to=threads.reply_address(ticket.number)))
    assert message.ticket == ticket and "by address" in message.reason


def test_by_mail_the_desks_wider_scope_does_not_count(employee, mail):
    """An e-mail's sender can be forged: an agent of another organisation may work a ticket
    routed to their group in the desk, but not write into it by mail."""
    from django.contrib.auth.models import Group

    from concierge.accounts.choices import Role
    from concierge.core.testing import OrganisationFactory, UserFactory

    ticket = receive(mail()).ticket
    group = Group.objects.create(name="shared-desk")
    Ticket.objects.filter(pk=ticket.pk).update(group=group)
    elsewhere = OrganisationFactory(slug="elsewhere")
    rita = UserFactory(email="rita@elsewhere.example", roles=[Role.AGENT], organisation=elsewhere)
    rita.groups.add(group)
    boss = UserFactory(email="boss@elsewhere.example", organisation=elsewhere, is_superuser=True)
    for person in (rita, boss):
        message = receive(mail(sender=person.email, subject=f"Re: [{ticket.number}] hi",
                               body="Let me in"))
        assert message.status == MessageStatus.DROPPED and "may not write" in message.reason
    assert not ticket.comments.exists()


def test_a_stranger_cannot_write_into_someone_elses_ticket(employee, outsider, stranger, mail):
    ticket = receive(mail()).ticket
    for person in (outsider, stranger):
        message = receive(mail(sender=person.email, subject=f"Re: [{ticket.number}] hi",
                               body="Let me in"))
        assert message.status == MessageStatus.DROPPED
        assert "may not write" in message.reason
    assert not ticket.comments.exists()
    assert Ticket.objects.count() == 1


def test_an_agent_may_answer_by_mail(employee, agent, mail):
    ticket = receive(mail()).ticket
    message = receive(mail(sender=agent.email, subject=f"Re: {ticket.number}", body="On it"))
    assert message.ticket == ticket and ticket.comments.get().author == agent


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(employee, agent, mail):
    ticket = receive(mail()).ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    message = receive(mail(subject=f"Re: [{ticket.number}] Printer jams", body="Again"))
    assert message.ticket != ticket
    assert f"Follow-up to {ticket.number}" in message.ticket.answers[0]["display"]


def test_outlook_and_gmail_replies_keep_only_the_new_text(employee, eml, mail):
    ticket = receive(mail()).ticket
    number = ticket.number.encode()
    receive(eml("outlook_reply.eml").replace(b"INC-000001", number))
    receive(eml("gmail_html.eml").replace(b"Re: Printer jams", b"Re: [" + number + b"] Printer"))
    bodies = list(ticket.comments.values_list("body", flat=True))
    assert bodies == ["It still jams on page 2, sorry.\n\nEmma", "Works now & thanks!\nEmma"]


@pytest.mark.parametrize("text, expected", [
    ("New\n\n##- Please type your reply above this line -##\nold", "New"),
    ("New\nAm 24.11.2026 um 10:00 schrieb IT <it@x>:\n> alt", "New"),
    ("New\n-----Original Message-----\nFrom: x", "New"),
    ("New\n> quoted\nmore", "New\nmore"),
    ("New\n-- \nEmma, Finance", "New"),
])
def test_quoted_history_and_signatures_are_stripped(text, expected):
    assert strip_quoted(text) == expected


@pytest.mark.parametrize("headers, reason", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"X-Autoreply": "yes"}, "X-Autoreply"),
    ({"Precedence": "bulk"}, "Precedence"),
    ({"Precedence": "junk"}, "Precedence"),
    ({"Precedence": "list"}, "Precedence"),
])
def test_automatic_mail_is_dropped_without_an_answer(employee, mail, mailoutbox, headers,
                                                     reason, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = receive(mail(headers=headers))
    assert message.status == MessageStatus.DROPPED and reason in message.reason
    assert not Ticket.objects.exists() and not mailoutbox


def test_out_of_office_and_bounces_are_dropped(employee, eml):
    assert receive(eml("out_of_office.eml")).status == MessageStatus.DROPPED
    assert "mail system" in receive(eml("bounce.eml")).reason
    assert "bounce" in receive(b"From: emma@acme.example\n\nhi", envelope_from="").reason
    assert not Ticket.objects.exists()


def test_mail_from_our_own_address_is_a_loop(db, mail, settings):
    for sender in ("concierge@example.com", "support@example.com",
                   "support+INC-000001@example.com"):
        message = receive(mail(sender=sender))
        assert message.status == MessageStatus.DROPPED and "loop" in message.reason


def test_too_many_mails_from_one_sender_within_an_hour_are_dropped(employee, mail, settings):
    settings.MAILIN_MAX_PER_HOUR = 3
    statuses = [receive(mail(subject=f"Mail {n}")).status for n in range(5)]
    assert statuses == [MessageStatus.PROCESSED] * 3 + [MessageStatus.DROPPED] * 2
    InboundMessage.objects.update(received_at=timezone.now() - datetime.timedelta(hours=2))
    assert receive(mail(subject="Later")).status == MessageStatus.PROCESSED


def test_the_same_message_twice_is_taken_once(employee, mail):
    raw = mail()
    assert receive(raw).status == MessageStatus.PROCESSED
    assert receive(raw).status == MessageStatus.DROPPED
    assert Ticket.objects.count() == 1


def test_malformed_mail_is_kept_as_failed_never_raises(employee, eml):
    garbage = receive(eml("garbage.eml"))
    assert garbage.status == MessageStatus.FAILED and garbage.raw
    assert receive(b"").status == MessageStatus.FAILED
    odd = receive(eml("broken_headers.eml"))
    assert odd.status == MessageStatus.PROCESSED, odd.reason
    assert "Hello world" in odd.ticket.answers[0]["display"]


def test_a_bug_while_processing_is_recorded_and_rolled_back(employee, mail, monkeypatch):
    from concierge.tickets import services

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "attachment_store", boom)
    message = receive(mail(files=[("jam.png", PNG, "image", "png")]))
    assert message.status == MessageStatus.FAILED and "disk full" in message.reason
    assert message.ticket is None and not Ticket.objects.exists()
    assert InboundMessage.objects.get().raw


def test_admins_see_incoming_mail_in_the_admin_read_only(client, admin_user, employee, eml):
    from django.urls import reverse

    kept = receive(eml("garbage.eml"))
    receive(eml("out_of_office.eml"))
    client.force_login(admin_user)
    listing = client.get(reverse("admin:mailin_inboundmessage_changelist"))
    assert listing.status_code == 200 and "no sender address" in listing.content.decode()
    page = client.get(reverse("admin:mailin_inboundmessage_change", args=[kept.pk]))
    assert page.status_code == 200 and "this is not" in page.content.decode()
    assert client.get(reverse("admin:mailin_inboundmessage_add")).status_code == 403


def test_a_ticket_from_mail_shows_on_the_requesters_page_and_the_desk(client, employee, agent,
                                                                     mail):
    from django.urls import reverse

    ticket = receive(mail(files=[("jam.png", PNG, "image", "png")])).ticket
    client.force_login(employee)
    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200 and "The printer on floor 3 jams." in page.content.decode()
    client.force_login(agent)
    desk = client.get(reverse("desk:ticket", args=[ticket.number]))
    assert desk.status_code == 200 and "jam.png" in desk.content.decode()


def test_a_mail_ticket_is_made_like_a_portal_ticket(
        employee, mail, mailoutbox, django_capture_on_commit_callbacks):
    from concierge.notifications.models import Notification
    from concierge.sla.models import Calendar, Target
    from concierge.tickets.choices import Priority

    Calendar.objects.create(name="Office", time_zone="Europe/Berlin", is_default=True,
                            hours={day: ["08:00-18:00"] for day in ["mon", "tue", "wed", "thu",
                                                                     "fri"]})
    Target.objects.create(priority=Priority.MEDIUM, response_minutes=240,
                          resolution_minutes=1800)
    raw = mail(subject="VPN drops")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = receive(raw).ticket
    assert ticket.number == f"INC-{ticket.pk:06d}" and ticket.status == TicketStatus.SUBMITTED
    assert ticket.organisation == employee.organisation and ticket.requested_for == employee
    submitted = ticket.activities.get(action="tickets.ticket.submitted")
    assert submitted.actor == employee and submitted.data["message_id"]
    assert ticket.response_due_at is not None and ticket.resolution_due_at is not None
    # The confirmation goes through notify: a line in the bell and one e-mail, once per key.
    bell = Notification.objects.get(recipient=employee)
    assert bell.key == f"activity:{submitted.pk}:{employee.pk}"
    [confirmation] = mailoutbox
    assert confirmation.extra_headers["Message-ID"].startswith("<")
    assert ticket.number in confirmation.subject


def test_a_follow_up_by_mail_names_the_closed_ticket_in_its_activity(employee, agent, mail):
    closed = receive(mail()).ticket
    closed.status = TicketStatus.CLOSED
    closed.save(update_fields=["status"])
    follow_up = receive(mail(subject=f"Re: [{closed.number}] Printer jams")).ticket
    assert follow_up != closed
    assert follow_up.activities.get(action="tickets.ticket.submitted").data[
        "follow_up_of"] == closed.pk


@pytest.mark.django_db(transaction=True)
def test_a_crash_before_the_mail_is_marked_leaves_no_ticket_and_redelivery_makes_one(
        employee, mail, monkeypatch):
    from concierge.mailin import services

    raw = mail(subject="Printer on fire")
    real_finish = services._finish

    def dies_when_done(message, status, reason):
        if status == MessageStatus.PROCESSED:
            raise KeyboardInterrupt("the process died here")
        return real_finish(message, status, reason)

    monkeypatch.setattr(services, "_finish", dies_when_done)
    with pytest.raises(KeyboardInterrupt):
        receive(raw)
    assert not Ticket.objects.exists()
    monkeypatch.setattr(services, "_finish", real_finish)
    receive(raw)  # the mail server delivers it again
    assert Ticket.objects.filter(title="Printer on fire").count() == 1


def test_a_ticket_by_mail_waits_unrouted_for_the_service_desk(employee, mail):
    """Mail names no service, so no group handles it yet: it waits in "Unassigned"."""
    ticket = receive(mail()).ticket
    assert ticket.group_id is None and ticket.assignee_id is None
