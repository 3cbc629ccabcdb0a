"""Writes of the agents' workspace: assignment, priority, links, merging, views, waiting.

Status changes and messages go through tickets.services (``ticket_move``,
``ticket_change_status``, ``comment_add``) so activities, SLA clocks and e-mails stay right.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.desk.models import SavedView
from concierge.sla.services import sla_apply
from concierge.tickets.choices import OPEN_STATUSES, Priority, TicketStatus
from concierge.tickets.models import Comment, Ticket
from concierge.tickets.services import (
    TicketError,
    activity_log,
    comment_add,
    ticket_change_status,
)

LINK_KINDS = ("duplicate_of", "parent", "child")


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor: User, assignee: User | None) -> Ticket:
    """Give the ticket to an agent (or to nobody); a no-op when nothing changes.

    Writes ``tickets.ticket.assigned``. Only agents can be assignees.
    """
    if assignee is not None and not assignee.is_agent:
        raise TicketError(_("%(name)s is not in the IT team.") % {"name": assignee})
    ticket = _locked(ticket)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    old = ticket.assignee_id
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    activity_log(ticket, actor, "tickets.ticket.assigned", old=old,
                 new=assignee.pk if assignee else None)
    return ticket


@transaction.atomic
def ticket_route(*, ticket: Ticket, actor: User, group: Group | None) -> Ticket:
    """Send the ticket to another IT group (``tickets.ticket.routed``)."""
    ticket = _locked(ticket)
    if ticket.group_id == (group.pk if group else None):
        return ticket
    old = ticket.group_id
    ticket.group = group
    ticket.save(update_fields=["group", "updated_at"])
    activity_log(ticket, actor, "tickets.ticket.routed", old=old, new=group.pk if group else None)
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, actor: User, priority: str) -> Ticket:
    """Change the priority; the SLA deadlines follow the new priority's target."""
    if priority not in Priority.values:
        raise TicketError(_("Please choose a valid priority."))
    ticket = _locked(ticket)
    if ticket.priority == priority:
        return ticket
    old = ticket.priority
    ticket.priority = priority
    ticket.save(update_fields=["priority", "updated_at"])
    sla_apply(ticket=ticket)
    activity_log(ticket, actor, "tickets.ticket.priority_changed", old=old, new=priority)
    return ticket


@transaction.atomic
def ticket_link(*, ticket: Ticket, actor: User, other: Ticket, kind: str) -> Ticket:
    """Link two tickets: ``ticket`` is a duplicate of ``other``, or ``other`` is its parent, or
    its child. No ticket links to itself and parents never form a loop."""
    if kind not in LINK_KINDS:
        raise TicketError(_("Please choose how the tickets are linked."))
    if other.pk == ticket.pk:
        raise TicketError(_("A ticket cannot be linked to itself."))
    child, parent = (other, ticket) if kind == "child" else (ticket, other)
    if kind in ("parent", "child"):
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == child.pk:
                raise TicketError(_("That would make a ticket its own parent."))
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        child = _locked(child)
        child.parent = parent
        child.save(update_fields=["parent", "updated_at"])
        activity_log(child, actor, "tickets.ticket.linked", kind="parent", other=parent.pk)
        activity_log(parent, actor, "tickets.ticket.linked", kind="child", other=child.pk)
        return ticket
    if other.duplicate_of_id == ticket.pk:
        raise TicketError(_("That ticket is already a duplicate of this one."))
    locked = _locked(ticket)
    locked.duplicate_of = other
    locked.save(update_fields=["duplicate_of", "updated_at"])
    activity_log(locked, actor, "tickets.ticket.linked", kind="duplicate_of", other=other.pk)
    return locked


@transaction.atomic
def ticket_unlink(*, ticket: Ticket, actor: User, kind: str) -> Ticket:
    """Remove the ticket's duplicate-of or parent link."""
    if kind not in ("duplicate_of", "parent"):
        raise TicketError(_("Please choose which link to remove."))
    ticket = _locked(ticket)
    if getattr(ticket, f"{kind}_id") is None:
        return ticket
    old = getattr(ticket, f"{kind}_id")
    setattr(ticket, kind, None)
    ticket.save(update_fields=[kind, "updated_at"])
    activity_log(ticket, actor, "tickets.ticket.unlinked", kind=kind, other=old)
    return ticket


@transaction.atomic
def ticket_merge(*, duplicate: Ticket, keep: Ticket, actor: User) -> Ticket:
    """Merge ``duplicate`` into ``keep``: its messages and files move to the kept ticket, the
    duplicate is closed with a link to it, and both requesters are told by a public message.

    Both tickets must be open. Returns the kept ticket.
    """
    if duplicate.pk == keep.pk:
        raise TicketError(_("A ticket cannot be merged into itself."))
    first, second = sorted([duplicate.pk, keep.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])
              .order_by("pk")}
    duplicate, keep = locked[duplicate.pk], locked[keep.pk]
    for ticket in (duplicate, keep):
        if ticket.status not in OPEN_STATUSES:
            raise TicketError(_("%(number)s is no longer open, so it cannot be merged.")
                              % {"number": ticket.number})
    if duplicate.status == TicketStatus.WAITING_APPROVAL:
        raise TicketError(_("%(number)s waits for approval; withdraw or decide it first.")
                          % {"number": duplicate.number})
    moved_comments = list(duplicate.comments.values_list("pk", flat=True))
    Comment.objects.filter(pk__in=moved_comments).update(ticket=keep)
    moved_files = duplicate.attachments.update(ticket=keep)
    activity_log(keep, actor, "tickets.ticket.merged", duplicate=duplicate.pk,
                 comments=len(moved_comments), files=moved_files)
    comment_add(ticket=keep, author=actor, body=_(
        "%(number)s (“%(title)s”, from %(name)s) described the same thing and was merged "
        "into this request. We go on here.") % {
        "number": duplicate.number, "title": duplicate.title,
        "name": duplicate.requester.display_name})
    comment_add(ticket=duplicate, author=actor, body=_(
        "This was merged into %(number)s, which deals with the same thing. We go on there and "
        "keep you posted.") % {"number": keep.number})
    duplicate.duplicate_of = keep
    duplicate.status = TicketStatus.CLOSED
    duplicate.closed_at = timezone.now()
    duplicate.save(update_fields=["duplicate_of", "status", "closed_at", "updated_at"])
    activity_log(duplicate, actor, "tickets.ticket.status_changed",
                 old=locked[duplicate.pk].status, new=TicketStatus.CLOSED,
                 merged_into=keep.pk)
    return keep


# --- saved views ------------------------------------------------------------------------------

def saved_view_save(*, owner: User, name: str, filters: dict, shared: bool) -> SavedView:
    """Create or overwrite the owner's view of that name."""
    name = (name or "").strip()[:80]
    if not name:
        raise TicketError(_("Please give the view a name."))
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name, defaults={"filters": filters, "shared": shared})
    return view


def saved_view_delete(*, view: SavedView, actor: User) -> None:
    if view.owner_id != actor.pk:
        raise TicketError(_("Only the person who saved a view can delete it."))
    view.delete()


# --- waiting for the requester ----------------------------------------------------------------

def waiting_nudge(now: datetime.datetime | None = None) -> dict:
    """Remind requesters a ticket waits for them (once), and close what waited too long.

    Waiting starts when the status became "waiting for you" (the SLA clock's pause). After
    ``DESK_WAITING_REMIND_DAYS`` the requester gets one reminder; after
    ``DESK_WAITING_CLOSE_DAYS`` the ticket is closed with a reason they can read.
    """
    from concierge.notifications.services import email_send

    now = now or timezone.now()
    waiting = Ticket.objects.filter(status=TicketStatus.WAITING_FOR_YOU,
                                    sla_paused_at__isnull=False)
    close_before = now - datetime.timedelta(days=settings.DESK_WAITING_CLOSE_DAYS)
    closed = 0
    for ticket in waiting.filter(sla_paused_at__lte=close_before)[:500]:
        try:
            ticket_change_status(ticket=ticket, actor=None, status=TicketStatus.CLOSED,
                                 reason=_("We did not hear back from you for %(days)d days. "
                                          "If you still need help, please open a new request.")
                                 % {"days": settings.DESK_WAITING_CLOSE_DAYS})
        except TicketError:
            continue
        closed += 1
    remind_before = now - datetime.timedelta(days=settings.DESK_WAITING_REMIND_DAYS)
    reminded = 0
    for ticket in (waiting.filter(sla_paused_at__lte=remind_before,
                                  sla_paused_at__gt=close_before,
                                  waiting_reminded_at__isnull=True)
                   .select_related("requester", "requested_for")[:500]):
        with transaction.atomic():
            if not Ticket.objects.filter(pk=ticket.pk, waiting_reminded_at__isnull=True) \
                    .update(waiting_reminded_at=now):
                continue
            activity_log(ticket, None, "tickets.ticket.reminded")
            close_on = ticket.sla_paused_at + datetime.timedelta(
                days=settings.DESK_WAITING_CLOSE_DAYS)
            for person in {ticket.requester, ticket.requested_for}:
                email_send(key=f"waiting:{ticket.pk}:{ticket.sla_paused_at.isoformat()}:"
                               f"{person.pk}", recipient=person, template="desk_waiting_reminder",
                           context={"ticket": ticket, "close_on": close_on})
        reminded += 1
    return {"reminded": reminded, "closed": closed}
