"""Reads of tickets, always scoped to the viewer: what they may not see is a 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from concierge.accounts.models import User
from concierge.desk.selectors import desk_scope
from concierge.tickets.choices import OPEN_STATUSES, TicketStatus
from concierge.tickets.models import NUMBER_RE, Attachment, Draft, Ticket

# What the SLA badge reads (Ticket.sla_state); listed so that lists load them with the row.
SLA_FIELDS = ("first_response_at", "response_due_at", "resolution_due_at", "response_warn_at",
              "resolution_warn_at", "resolved_at", "sla_paused_at")


def _visible_to(user: User) -> Q:
    """Their own tickets and those made for them; agents also every ticket they may work in the
    desk (``desk_scope``: their organisation's, those routed to one of their groups, all for
    administrators), so the portal page and its files open for exactly what the desk shows."""
    own = Q(requester=user) | Q(requested_for=user)
    if user.is_agent:
        scope = desk_scope(user)
        return own | scope if scope else scope  # an empty Q (everything) would vanish in an OR
    return own


def ticket_list_for(user: User, *, state: str = "open", query: str = "",
                    kind: str = "") -> QuerySet[Ticket]:
    """The viewer's own tickets and those made for them ("My requests")."""
    tickets = Ticket.objects.filter(Q(requester=user) | Q(requested_for=user))
    if state == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif state == "closed":
        tickets = tickets.exclude(status__in=OPEN_STATUSES)
    if kind:
        tickets = tickets.filter(kind=kind)
    query = (query or "").strip()
    if query:
        number = NUMBER_RE.match(query)
        if number:
            tickets = tickets.filter(Q(pk=int(number.group(2))) | Q(title__icontains=query))
        else:
            tickets = tickets.filter(title__icontains=query)
    return tickets.select_related("requester", "requested_for").only(
        "pk", "kind", "title", "status", "priority", "created_at", "updated_at", "due_at",
        "requester__display_name", "requested_for__display_name", "requester_id",
        "requested_for_id", *SLA_FIELDS,
    ).order_by("-created_at", "-pk")


def ticket_counts_for(user: User) -> dict[str, int]:
    mine = Ticket.objects.filter(Q(requester=user) | Q(requested_for=user))
    return {
        "open": mine.filter(status__in=OPEN_STATUSES).count(),
        "waiting_for_you": mine.filter(status=TicketStatus.WAITING_FOR_YOU).count(),
    }


def ticket_get_for(user: User, pk: int) -> Ticket:
    """A ticket the viewer may see (their own, made for them, or as an agent)."""
    try:
        return Ticket.objects.select_related(
            "requester", "requested_for", "item", "item__category"
        ).get(_visible_to(user), pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket") from None


def attachment_get_for(user: User, key) -> Attachment:
    """A file the viewer may download: on a ticket they may see (``ticket_get_for``, so an agent
    gets the files of every ticket the desk lets them work), or on their own draft. Files on an
    internal note are for agents only."""
    attachment = Attachment.objects.select_related("ticket", "draft", "comment") \
        .filter(key=key).first()
    if attachment is None:
        raise Http404("No such file")
    if attachment.ticket_id is not None:
        ticket_get_for(user, attachment.ticket_id)
        if attachment.comment_id and not attachment.comment.is_public and not user.is_agent:
            raise Http404("No such file")  # a file on an internal note
        return attachment
    if attachment.draft_id is not None and attachment.draft.user_id == user.pk:
        return attachment
    raise Http404("No such file")


def draft_list_for(user: User) -> QuerySet[Draft]:
    return Draft.objects.filter(user=user, item__active=True).select_related("item")
