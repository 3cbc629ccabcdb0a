"""Every write of the e-mail channel: receiving a message, turning it into a ticket or a
message on one, and the one polite answer to people we do not know.

Rules, checked in this order (the first that applies decides, and is kept as the reason):
mail we cannot read fails; machine mail (auto-replies, bounces, bulk), mail from our own
addresses and more than MAILIN_MAX_PER_HOUR from one sender are dropped without an answer;
a Message-ID seen before is dropped; unknown senders get one auto-reply per address and day
and no ticket; a reply to a ticket (by the Message-IDs we sent, the support+NUMBER address or
the number in the subject) becomes a public message on it if the sender may see that ticket and is
refused otherwise; anything else becomes a new incident. Files go through the same checks as
uploads in the portal. Nothing raises: every outcome is recorded on the InboundMessage.
"""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.feedback.models import Survey
from concierge.mailin import threads
from concierge.mailin.choices import MessageStatus
from concierge.mailin.models import InboundMessage
from concierge.mailin.parsing import MailUnreadable, ParsedMail, automatic_reason, parse
from concierge.notifications.models import Delivery
from concierge.notifications.services import message_id_for
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Activity, Ticket
from concierge.tickets.services import (
    TicketError,
    attachment_store,
    comment_add,
    ticket_create_from_mail,
)

logger = logging.getLogger(__name__)


class Dropped(Exception):
    """The message is not acted on; the text is the reason kept on it."""


class UnknownSender(Dropped):
    """Nobody active has the sender's address."""


def message_receive(*, raw: bytes, envelope_from: str | None = None,
                    recipients: list[str] | tuple[str, ...] = ()) -> InboundMessage:
    """Keep ``raw`` and act on it; returns the stored message with its outcome.

    ``envelope_from`` is the SMTP MAIL FROM ("" for a bounce, None when unknown, e.g. a file);
    ``recipients`` the RCPT TO addresses. Never raises for anything in the message.
    """
    message = InboundMessage.objects.create(
        raw=raw, size=len(raw), envelope_from=(envelope_from or "")[:254],
        recipients=", ".join(recipients)[:1000])
    try:
        mail = parse(raw)
    except MailUnreadable as exc:
        return _finish(message, MessageStatus.FAILED, str(exc))
    message.message_id, message.from_address = mail.message_id, mail.from_address[:254]
    message.subject = mail.subject
    message.save(update_fields=["message_id", "from_address", "subject"])
    try:
        with transaction.atomic():
            _act(message, mail, envelope_from=envelope_from,
                 recipients=[r.lower() for r in recipients])
            # Marked processed in the transaction that made the ticket or the reply: a crash
            # between the two would leave a ticket whose mail is taken again when redelivered.
            return _finish(message, MessageStatus.PROCESSED, message.reason)
    except UnknownSender as exc:
        # Outside the rolled-back transaction: the once-a-day record must stay.
        _reply_to_unknown(mail)
        return _finish(message, MessageStatus.DROPPED, str(exc))
    except Dropped as exc:
        message.ticket = message.comment = None
        return _finish(message, MessageStatus.DROPPED, str(exc))
    except Exception as exc:  # a bug must not lose the mail nor stop the server
        logger.exception("Could not process inbound message %s", message.pk)
        message.ticket = message.comment = None
        return _finish(message, MessageStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500])


def _finish(message: InboundMessage, status: str, reason: str) -> InboundMessage:
    message.status, message.reason = status, reason[:500]
    message.save(update_fields=["status", "reason", "sender", "ticket", "comment"])
    log = logger.warning if status == MessageStatus.FAILED else logger.info
    log("Inbound mail %s from %s: %s %s", message.pk, message.from_address or "?", status, reason)
    return message


def _act(message: InboundMessage, mail: ParsedMail, *, envelope_from: str | None,
         recipients: list[str]) -> None:
    reason = automatic_reason(mail, envelope_from=envelope_from)
    if reason:
        raise Dropped(reason)
    if threads.is_our_address(mail.from_address):
        raise Dropped("sent from our own address (mail loop)")
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent = InboundMessage.objects.filter(from_address=mail.from_address,
                                           received_at__gte=hour_ago).exclude(pk=message.pk)
    if recent.count() >= settings.MAILIN_MAX_PER_HOUR:
        raise Dropped(f"more than {settings.MAILIN_MAX_PER_HOUR} messages from this sender "
                      "within an hour (mail loop?)")
    if mail.message_id and InboundMessage.objects.filter(
            message_id=mail.message_id, status=MessageStatus.PROCESSED).exists():
        raise Dropped("already received (same Message-ID)")

    sender = User.objects.filter(email__iexact=mail.from_address, is_active=True).first()
    if sender is None:
        raise UnknownSender("unknown sender (answered at most once a day)")
    message.sender = sender

    ticket, how = _referenced_ticket(mail, recipients, sender)
    if ticket is not None:
        if not _may_write(sender, ticket):
            raise Dropped(f"{sender.email} may not write to {ticket.number} ({how})")
        if ticket.status not in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
            _add_reply(message, mail, ticket, sender, how)
            return
        closed = ticket
    else:
        closed = None
    _open_ticket(message, mail, sender, follow_up_of=closed)


def _referenced_ticket(mail: ParsedMail, recipients: list[str],
                       sender: User) -> tuple[Ticket | None, str]:
    """The ticket the mail answers: our Message-IDs first, then the address tag, the subject."""
    for pk in [*threads.ticket_ids_from_references(mail.references),
               *_ticket_ids_from_sent(mail.references, sender)]:
        ticket = Ticket.objects.filter(pk=pk).first()
        if ticket is not None:
            return ticket, "by reference headers"
    candidates = [
        (threads.ticket_numbers_in_recipients(recipients + mail.recipients), "by address"),
        (threads.ticket_numbers_in(mail.subject), "by subject"),
    ]
    for numbers, how in candidates:
        for kind, pk in numbers:
            ticket = Ticket.objects.filter(pk=pk, kind=kind).first()
            if ticket is not None:
                return ticket, how
    return None, ""


SENT_LOOKBACK = 500


def _ticket_ids_from_sent(references: list[str], sender: User) -> list[int]:
    """Tickets of the notifications we e-mailed ``sender`` whose Message-IDs the mail names.

    A notification's Message-ID is a hash of its key (``notifications.services
    .message_id_for``), so the sender's latest deliveries are hashed again and compared.
    """
    wanted = set(references)
    if not wanted:
        return []
    keys = (Delivery.objects.filter(recipient=sender)
            .filter(Q(key__startswith="activity:") | Q(key__startswith="survey:"))
            .order_by("-pk").values_list("key", flat=True)[:SENT_LOOKBACK])
    found = []
    for key in keys:
        if message_id_for(key) not in wanted:
            continue
        kind, _sep, rest = key.partition(":")
        pk = int(rest.split(":")[0])
        rows = Activity.objects if kind == "activity" else Survey.objects
        ticket_id = rows.filter(pk=pk).values_list("ticket_id", flat=True).first()
        if ticket_id is not None and ticket_id not in found:
            found.append(ticket_id)
    return found


def _uploads(mail: ParsedMail) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content, content_type=content_type)
            for name, content_type, content in mail.attachments]


def _files(mail: ParsedMail, uploader: User, **links) -> list[str]:
    """Store the mail's files with the portal's checks; returns what was refused and why."""
    refused = []
    for upload in _uploads(mail):
        try:
            attachment_store(upload=upload, uploaded_by=uploader, **links)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    return refused


def _with_refusals(body: str, refused: list[str]) -> str:
    if not refused:
        return body
    note = _("Files that were not accepted:") + "\n" + "\n".join(f"- {r}" for r in refused)
    return f"{body}\n\n{note}".strip()


def _add_reply(message: InboundMessage, mail: ParsedMail, ticket: Ticket, sender: User,
               how: str) -> None:
    if not mail.body and not mail.attachments:
        raise Dropped(f"empty reply to {ticket.number}")
    with translation.override(sender.language or settings.LANGUAGE_CODE):
        try:
            comment = comment_add(ticket=ticket, author=sender,
                                  body=mail.body or _("(see the attached files)"))
        except TicketError as exc:
            raise Dropped(f"{ticket.number}: {exc}") from None
        refused = _files(mail, sender, ticket=ticket, comment=comment)
        if refused:
            comment.body = _with_refusals(mail.body, refused)
            comment.save(update_fields=["body"])
    message.ticket, message.comment = ticket, comment
    message.reason = f"added to {ticket.number} {how}" + (
        f"; {len(refused)} file(s) refused" if refused else "")


def _clean_subject(subject: str) -> str:
    subject = re.sub(r"^\s*((re|aw|fwd?|wg|sv)\s*:\s*)+", "", subject, flags=re.IGNORECASE)
    return subject.strip()


def _may_write(sender: User, ticket: Ticket) -> bool:
    """Who may write to a ticket by e-mail, whose sender can be forged: its requester, the
    person it is for, and agents of its organisation (administrators included): not the
    desk's wider scope of tickets routed in from other organisations."""
    return sender.pk in (ticket.requester_id, ticket.requested_for_id) or (
        sender.is_agent and sender.organisation_id == ticket.organisation_id)


def _open_ticket(message: InboundMessage, mail: ParsedMail, sender: User, *,
                 follow_up_of: Ticket | None) -> None:
    """A new incident from the mail, made like a portal ticket (number, activity, service
    level, the requester's confirmation through ``notify``)."""
    if not mail.body and not mail.attachments and not _clean_subject(mail.subject):
        raise Dropped("empty message")
    with translation.override(sender.language or settings.LANGUAGE_CODE):
        title = _clean_subject(mail.subject) or _("Message by e-mail")
        body = mail.body
        if follow_up_of is not None:
            body = (_("Follow-up to %(number)s, which is closed.") % {
                "number": follow_up_of.number} + "\n\n" + body).strip()
    ticket, refused = ticket_create_from_mail(
        requester=sender, title=title, body=body, files=_uploads(mail),
        message_id=mail.message_id, follow_up_of=follow_up_of)
    message.ticket = ticket
    message.reason = f"created {ticket.number}" + (
        f" (follow-up to {follow_up_of.number})" if follow_up_of else "") + (
        f"; {len(refused)} file(s) refused" if refused else "")


def _reply_to_unknown(mail: ParsedMail) -> None:
    """One polite answer per address and day: we only take mail from people we know.

    Sent here and not through ``notifications.services.notify``, on purpose: ``notify`` is
    for people with an account (a line in their bell, their language, their preferences),
    and this goes to an address nobody has. It is an automatic answer to a message, so it
    must be marked ``Auto-Submitted: auto-replied`` (RFC 3834; ``notify`` marks mail
    auto-generated), go to the sender once per address and day (the Delivery row below, kept
    even when the rest rolls back) and never be retried: a failed answer to a stranger is
    dropped, so a bouncing address cannot keep a loop going. Every message to a person with an
    account (confirmations, replies, status) goes through ``notify`` in ``tickets.notify``.
    """
    key = f"mailin:unknown:{mail.from_address}:{timezone.localdate().isoformat()}"
    try:
        with transaction.atomic():
            Delivery.objects.create(key=key[:200], address=mail.from_address[:254])
    except IntegrityError:
        return
    context = {"subject": mail.subject, "site_url": settings.SITE_URL,
               "site_name": settings.SITE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("mailin/unknown_sender.txt", context)
        subject = _("We could not accept your message")
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if mail.message_id:
        headers.update({"In-Reply-To": mail.message_id, "References": mail.message_id})
    reply = EmailMessage(subject=subject, body=body, to=[mail.from_address], headers=headers)
    transaction.on_commit(lambda: _send_quietly(reply))


def _send_quietly(message: EmailMessage) -> None:
    """An auto-reply that cannot be sent is not worth a retry (nor an error for the sender)."""
    try:
        message.send()
    except Exception:
        logger.warning("Could not send an auto-reply to %s", message.to, exc_info=True)


# --- retention --------------------------------------------------------------------------------

RETENTION_BATCH = 500


def _in_batches(rows, apply) -> int:
    """Apply ``apply(pks)`` to the rows' keys, ``RETENTION_BATCH`` at a time, each batch in its
    own transaction; only keys are read, never the messages themselves."""
    done = 0
    while True:
        with transaction.atomic():
            pks = list(rows.order_by("pk").values_list("pk", flat=True)[:RETENTION_BATCH])
            if not pks:
                return done
            apply(pks)
        done += len(pks)


def inbound_retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what the e-mail channel keeps longer than the retention settings allow.

    After ``RETENTION_DROPPED_MAIL_DAYS`` dropped mail (loops, auto-replies, strangers) goes
    entirely, and so does the once-a-day record of answering an unknown address. After
    ``RETENTION_MAIL_SOURCE_DAYS`` every other message loses its source (``raw``, which holds
    the text and files), while the row saying who wrote, when, and what became of it stays
    for audit. 0 keeps. Idempotent; returns how many of each were deleted.
    """
    now = now or timezone.now()
    result = {"dropped": 0, "sources": 0, "answers": 0}
    if settings.RETENTION_DROPPED_MAIL_DAYS:
        cutoff = now - datetime.timedelta(days=settings.RETENTION_DROPPED_MAIL_DAYS)
        result["dropped"] = _in_batches(
            InboundMessage.objects.filter(status=MessageStatus.DROPPED, received_at__lt=cutoff),
            lambda pks: InboundMessage.objects.filter(pk__in=pks).delete())
        result["answers"] = _in_batches(
            Delivery.objects.filter(key__startswith="mailin:unknown:", sent_at__lt=cutoff),
            lambda pks: Delivery.objects.filter(pk__in=pks).delete())
    if settings.RETENTION_MAIL_SOURCE_DAYS:
        cutoff = now - datetime.timedelta(days=settings.RETENTION_MAIL_SOURCE_DAYS)
        result["sources"] = _in_batches(
            InboundMessage.objects.filter(raw_deleted_at__isnull=True, received_at__lt=cutoff),
            lambda pks: InboundMessage.objects.filter(pk__in=pks).update(
                raw=b"", raw_deleted_at=now))
    if any(result.values()):
        logger.info("Retention: deleted %(dropped)d dropped mails, %(sources)d mail sources "
                    "and %(answers)d records of answers to unknown senders", result)
    return result
