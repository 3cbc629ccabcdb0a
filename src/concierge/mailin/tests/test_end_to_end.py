"""The whole conversation over real SMTP: a mail opens a ticket, the agent's public reply goes
out threaded (with the history quoted, never the internal note), the requester's answer from
their mail client lands on the same ticket, their out-of-office is dropped and a loop stops."""

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail as outbox

from concierge.mailin import threads
from concierge.mailin.choices import MessageStatus
from concierge.mailin.models import InboundMessage
from concierge.mailin.server import mail_server
from concierge.mailin.tests.test_server import free_port
from concierge.tickets.models import Ticket
from concierge.tickets.services import comment_add


def send(server, message: EmailMessage, *, sender: str) -> None:
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.send_message(message, from_addr=sender, to_addrs=["support@example.com"])


def reply_to(received, *, body: str, sender: str, headers=None) -> EmailMessage:
    """What a mail client makes of "Reply": Re: subject, In-Reply-To/References, quote below."""
    original = message_from_bytes(received.message().as_bytes(), policy=policy.default)
    answer = EmailMessage()
    answer["From"] = sender
    answer["To"] = original["Reply-To"]
    answer["Subject"] = "Re: " + original["Subject"]
    answer["In-Reply-To"] = original["Message-ID"]
    answer["References"] = f"{original['References']} {original['Message-ID']}"
    for name, value in (headers or {}).items():
        answer[name] = value
    quoted = "\n".join(f"> {line}" for line in received.body.splitlines())
    answer.set_content(f"{body}\n\nOn Tue, 24 Nov 2026, IT Support wrote:\n{quoted}\n")
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_conversation_by_mail(employee, agent, settings):
    settings.MAILIN_MAX_PER_HOUR = 5
    server = mail_server(host="127.0.0.1", port=free_port())
    server.start()
    try:
        first = EmailMessage()
        first["From"] = f"Emma Employee <{employee.email}>"
        first["To"] = "support@example.com"
        first["Subject"] = "VPN drops every hour"
        first["Message-ID"] = "<first@acme.example>"
        first.set_content("Since Monday the VPN drops every hour.")
        send(server, first, sender=employee.email)
        ticket = Ticket.objects.get()
        assert ticket.title == "VPN drops every hour" and ticket.requester == employee

        outbox.outbox.clear()
        comment_add(ticket=ticket, author=agent, body="Checking the VPN logs.", is_public=False)
        comment_add(ticket=ticket, author=agent, body="Please update the VPN client to 5.2.")
        reply = next(m for m in outbox.outbox if employee.email in m.to[0])
        headers = reply.extra_headers
        assert headers["Message-ID"].endswith("@example.com>")
        assert headers["In-Reply-To"] == "<first@acme.example>"
        assert threads.thread_root(ticket.pk) in headers["References"]
        assert headers["Reply-To"] == f"support+{ticket.number}@example.com"
        assert "Please update the VPN client to 5.2." in reply.body
        assert "Checking the VPN logs" not in reply.body + str(reply.alternatives)

        answer = reply_to(reply, body="Updated, works now. Thanks!", sender=employee.email)
        send(server, answer, sender=employee.email)
        assert "by reference headers" in InboundMessage.objects.latest("pk").reason
        assert Ticket.objects.count() == 1
        assert list(ticket.comments.filter(author=employee).values_list("body", flat=True)) \
            == ["Updated, works now. Thanks!"]

        out_of_office = reply_to(reply, body="I am away until Monday.", sender=employee.email,
                                 headers={"Auto-Submitted": "auto-replied"})
        send(server, out_of_office, sender=employee.email)
        assert InboundMessage.objects.latest("pk").status == MessageStatus.DROPPED

        # A misconfigured forwarder bounces our own mail back again and again.
        for n in range(6):
            looped = reply_to(reply, body=f"loop {n}", sender=employee.email)
            send(server, looped, sender=employee.email)
        statuses = list(InboundMessage.objects.order_by("pk").values_list("status", flat=True))
        assert statuses[-1] == MessageStatus.DROPPED
        assert "within an hour" in InboundMessage.objects.latest("pk").reason
        assert ticket.comments.filter(author=employee).count() < 8
    finally:
        server.stop()
