"""Headers and history of the mail that goes out about a ticket."""

from concierge.core.testing import TicketFactory
from concierge.mailin import threads
from concierge.mailin.outbound import ticket_mail_headers, ticket_mail_history
from concierge.mailin.services import message_receive
from concierge.mailin.tests.conftest import make_mail
from concierge.tickets.choices import TicketStatus
from concierge.tickets.services import comment_add


def test_headers_point_at_the_signed_thread_and_route_replies_back(employee):
    ticket = TicketFactory(requester=employee)
    headers = ticket_mail_headers(ticket)
    assert headers == ticket_mail_headers(ticket)
    assert threads.ticket_ids_from_references([headers["References"]]) == [ticket.pk]
    assert headers["In-Reply-To"] == headers["References"] == threads.thread_root(ticket.pk)
    assert headers["Reply-To"] == f"support+{ticket.number}@example.com"


def test_a_ticket_from_mail_refers_to_the_requesters_first_message(employee):
    raw = make_mail()
    message = message_receive(raw=raw)
    headers = ticket_mail_headers(message.ticket)
    assert headers["In-Reply-To"] == message.message_id
    assert headers["References"].split() == [threads.thread_root(message.ticket.pk),
                                             message.message_id]


def test_history_quotes_earlier_public_messages_never_internal_notes(employee, agent,
                                                                    settings):
    settings.MAILIN_QUOTE_MESSAGES = 2
    ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    comment_add(ticket=ticket, author=employee, body="first")
    comment_add(ticket=ticket, author=agent, body="second")
    comment_add(ticket=ticket, author=agent, body="secret note", is_public=False)
    comment_add(ticket=ticket, author=employee, body="third")
    reply = comment_add(ticket=ticket, author=agent, body="the reply")
    assert [c.body for c in ticket_mail_history(reply)] == ["third", "second"]
    assert [c.body for c in ticket_mail_history(reply, limit=10)] == ["third", "second",
                                                                      "first"]


def test_an_agents_reply_mail_quotes_the_history_and_threads(employee, agent, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=employee, body="It beeps.\nTwice.")
        comment_add(ticket=ticket, author=agent, body="note: swap it", is_public=False)
        comment_add(ticket=ticket, author=agent, body="We send a new one.")
    mail = mailoutbox[-1]
    assert mail.to == [f"{employee.display_name} <{employee.email}>"]
    assert mail.body.startswith("##- Please type your reply above this line -##")
    assert "> It beeps.\n> Twice." in mail.body
    assert "swap it" not in mail.body and "swap it" not in mail.alternatives[0][0]
    assert mail.extra_headers["Reply-To"] == f"support+{ticket.number}@example.com"
    assert threads.ticket_ids_from_references(mail.extra_headers["References"].split()) == [
        ticket.pk]
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_reply_naming_only_our_message_id_finds_its_ticket(
        employee, agent, mail, mailoutbox, django_capture_on_commit_callbacks):
    """Clients that keep only In-Reply-To (no References, no tag, no number) still thread."""
    ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, author=agent, body="Try again, please.")
    sent_id = mailoutbox[-1].extra_headers["Message-ID"]
    message = message_receive(raw=mail(subject="Re: hm", body="Done.",
                                       headers={"In-Reply-To": sent_id}))
    assert message.ticket == ticket and "by reference headers" in message.reason
    # Someone else quoting that Message-ID gets nowhere: only the recipient's own mail counts.
    other = message_receive(raw=mail(sender=agent.email, subject="Re: hm",
                                     headers={"In-Reply-To": sent_id}))
    assert other.ticket != ticket
