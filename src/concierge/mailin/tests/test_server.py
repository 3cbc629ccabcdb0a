"""The real thing: aiosmtpd on 127.0.0.1, messages sent with smtplib; and the Maildir/pipe."""

import io
import mailbox
import smtplib
import socket

import pytest
from django.core.management import call_command

from concierge.mailin.choices import MessageStatus
from concierge.mailin.models import InboundMessage
from concierge.mailin.server import mail_server
from concierge.mailin.tests.conftest import make_mail
from concierge.tickets.models import Ticket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(transactional_db):
    server = mail_server(host="127.0.0.1", port=free_port())
    server.start()
    yield server
    server.stop()


def send(server, raw: bytes, *, sender="emma@acme.example", to=("support@example.com",)):
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.sendmail(sender, list(to), raw)


@pytest.mark.django_db(transaction=True)
def test_a_mail_sent_over_smtp_becomes_a_ticket(smtp_server, employee):
    send(smtp_server, make_mail(subject="VPN is down"))
    message = InboundMessage.objects.get()
    assert message.status == MessageStatus.PROCESSED, message.reason
    assert message.envelope_from == "emma@acme.example"
    assert message.recipients == "support@example.com"
    assert Ticket.objects.get().title == "VPN is down"


@pytest.mark.django_db(transaction=True)
def test_a_bounce_over_smtp_is_accepted_and_dropped(smtp_server, employee):
    send(smtp_server, make_mail(subject="Undelivered"), sender="")
    message = InboundMessage.objects.get()
    assert message.status == MessageStatus.DROPPED and "bounce" in message.reason
    assert not Ticket.objects.exists()


def test_the_maildir_is_emptied_into_tickets(employee, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(make_mail(subject="One"))
    box.add(b"garbage")
    out = io.StringIO()
    call_command("mail_fetch", maildir=str(tmp_path / "Maildir"), stdout=out)
    assert "2 message(s): 1 failed, 1 processed" in out.getvalue()
    assert len(box.keys()) == 0
    assert Ticket.objects.get().title == "One"


def test_a_missing_maildir_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Cannot read the Maildir"):
        call_command("mail_fetch", maildir=str(tmp_path / "nope"))


def test_a_message_on_standard_input(employee, monkeypatch):
    raw = make_mail(subject="From a pipe")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("mail_fetch", stdin=True, sender="emma@acme.example", stdout=out)
    assert out.getvalue().startswith("processed")
    assert Ticket.objects.get().title == "From a pipe"
