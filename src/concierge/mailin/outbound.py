"""What mail about a ticket carries so that answers come back to it: thread headers, the tagged
Reply-To and the quoted history of an agent's reply."""

from django.conf import settings

from concierge.mailin import threads
from concierge.mailin.choices import MessageStatus
from concierge.mailin.models import InboundMessage
from concierge.tickets.models import Comment, Ticket


def ticket_mail_headers(ticket: Ticket) -> dict[str, str]:
    """Headers for mail about ``ticket`` (its Message-ID stays the notification's own, stable
    per key; ``services`` maps a reply's In-Reply-To back to it).

    In-Reply-To/References point at the ticket's thread (a signed Message-ID naming the ticket)
    and at the requester's own first mail, when the ticket came by e-mail, so their mail client
    shows one conversation; Reply-To is the support address tagged with the ticket's number.
    """
    root = threads.thread_root(ticket.pk)
    first = (InboundMessage.objects.filter(ticket=ticket, status=MessageStatus.PROCESSED)
             .exclude(message_id="").order_by("received_at", "pk")
             .values_list("message_id", flat=True).first())
    references = [root, *([first] if first else [])]
    return {
        "In-Reply-To": references[-1],
        "References": " ".join(references),
        "Reply-To": threads.reply_address(ticket.number),
    }


def ticket_mail_history(comment: Comment, *, limit: int | None = None) -> list[Comment]:
    """The public messages before ``comment``, newest first, to quote under it.

    Internal notes are never included.
    """
    limit = settings.MAILIN_QUOTE_MESSAGES if limit is None else limit
    if limit <= 0:
        return []
    earlier = (Comment.objects.filter(ticket_id=comment.ticket_id, is_public=True,
                                      pk__lt=comment.pk)
               .select_related("author").order_by("-created_at", "-pk")[:limit])
    return list(earlier)
