"""Service-level clocks of tickets: deadlines, pauses, first response and escalation.

Deadlines are kept on the ticket in wall-clock time (``response_due_at``,
``resolution_due_at`` and the warning instants before them) so that lists can filter and sort
by them in SQL. A deadline is the ticket's creation plus the target's business time plus the
business time the clock stood still (``sla_paused_seconds``).
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from concierge.sla.engine import (
    ScheduleError,
    add_business_seconds,
    business_seconds,
    clock_state,
)
from concierge.sla.models import Escalation
from concierge.sla.selectors import schedule_for, target_for
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Ticket

# The clock stands still while the ticket waits for someone else, or is resolved (a reopened
# ticket goes on where it stopped).
PAUSED_STATUSES = {TicketStatus.WAITING_APPROVAL, TicketStatus.WAITING_FOR_YOU,
                   TicketStatus.RESOLVED}
RUNNING_STATUSES = {TicketStatus.SUBMITTED, TicketStatus.IN_PROGRESS}
SLA_FIELDS = ["response_due_at", "resolution_due_at", "response_warn_at", "resolution_warn_at"]


def _deadlines(ticket: Ticket) -> dict[str, datetime.datetime | None]:
    """The four instants for the ticket as it is now (all None without a target or calendar)."""
    empty = dict.fromkeys(SLA_FIELDS)
    target = target_for(ticket)
    schedule = schedule_for(target) if target else None
    if schedule is None:
        return empty
    warn = settings.SLA_WARN_PERCENT / 100
    start, paused = ticket.created_at, ticket.sla_paused_seconds
    try:
        return {
            "response_due_at": add_business_seconds(
                schedule, start, target.response_minutes * 60 + paused),
            "resolution_due_at": add_business_seconds(
                schedule, start, target.resolution_minutes * 60 + paused),
            "response_warn_at": add_business_seconds(
                schedule, start, int(target.response_minutes * 60 * warn) + paused),
            "resolution_warn_at": add_business_seconds(
                schedule, start, int(target.resolution_minutes * 60 * warn) + paused),
        }
    except ScheduleError:
        return empty


def sla_apply(*, ticket: Ticket, save: bool = True) -> Ticket:
    """(Re)compute the ticket's deadlines from its target, e.g. after its priority changed.

    A deadline already met (responded, resolved) keeps its value, so a breach stays a breach.
    """
    deadlines = _deadlines(ticket)
    if ticket.first_response_at is not None and ticket.response_due_at is not None:
        deadlines.pop("response_due_at")
        deadlines.pop("response_warn_at")
    if ticket.resolved_at is not None and ticket.resolution_due_at is not None:
        deadlines.pop("resolution_due_at")
        deadlines.pop("resolution_warn_at")
    for name, value in deadlines.items():
        setattr(ticket, name, value)
    if save:
        ticket.save(update_fields=[*deadlines, "updated_at"])
    return ticket


def sla_start(*, ticket: Ticket, now: datetime.datetime | None = None) -> Ticket:
    """Set the deadlines of a new ticket; its clock stands still if it waits already."""
    sla_apply(ticket=ticket, save=False)
    if ticket.status in PAUSED_STATUSES:
        ticket.sla_paused_at = now or timezone.now()
    ticket.save(update_fields=[*SLA_FIELDS, "sla_paused_at", "updated_at"])
    return ticket


def _schedule_of(ticket: Ticket):
    target = target_for(ticket)
    return schedule_for(target) if target else None


def sla_on_status(*, ticket: Ticket, old: str, new: str,
                  now: datetime.datetime | None = None) -> list[str]:
    """Pause or resume the clock when a ticket changes status; returns the changed fields.

    Resuming adds the business time the clock stood still and moves the deadlines that were
    still running by that much (one already passed when the clock stopped stays breached).
    Resolving counts as the first response if there was none.
    """
    now = now or timezone.now()
    changed = []
    if new == TicketStatus.RESOLVED and ticket.first_response_at is None:
        ticket.first_response_at = now
        changed.append("first_response_at")
    if new in PAUSED_STATUSES and ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
        changed.append("sla_paused_at")
    elif new in RUNNING_STATUSES and ticket.sla_paused_at is not None:
        paused_at = ticket.sla_paused_at
        schedule = _schedule_of(ticket)
        ticket.sla_paused_at = None
        changed.append("sla_paused_at")
        if schedule is not None:
            ticket.sla_paused_seconds += business_seconds(schedule, paused_at, now)
            changed.append("sla_paused_seconds")
            running = _deadlines(ticket)
            if ticket.first_response_at is None and ticket.response_due_at and \
                    ticket.response_due_at > paused_at:
                ticket.response_due_at = running["response_due_at"]
                ticket.response_warn_at = running["response_warn_at"]
                changed += ["response_due_at", "response_warn_at"]
            if ticket.resolution_due_at and ticket.resolution_due_at > paused_at:
                ticket.resolution_due_at = running["resolution_due_at"]
                ticket.resolution_warn_at = running["resolution_warn_at"]
                changed += ["resolution_due_at", "resolution_warn_at"]
    return changed


def sla_record_response(*, ticket: Ticket, at: datetime.datetime | None = None) -> bool:
    """Note the desk's first public answer; False if there was one already."""
    if ticket.first_response_at is not None:
        return False
    ticket.first_response_at = at or timezone.now()
    Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(
        first_response_at=ticket.first_response_at)
    return True


def sla_state_of(ticket: Ticket, now: datetime.datetime | None = None) -> str | None:
    return clock_state(
        now=now or timezone.now(), paused_at=ticket.sla_paused_at,
        response_due=ticket.response_due_at, responded_at=ticket.first_response_at,
        response_warn=ticket.response_warn_at, resolution_due=ticket.resolution_due_at,
        resolved_at=ticket.resolved_at, resolution_warn=ticket.resolution_warn_at)


# --- escalation -------------------------------------------------------------------------------

def _due(deadline: str, level: str, now: datetime.datetime):
    """Running tickets whose ``deadline`` reached ``level`` and were not announced yet."""
    at = f"{deadline}_{'warn' if level == Escalation.Level.WARNING else 'due'}_at"
    done = "first_response_at" if deadline == Escalation.Deadline.RESPONSE else "resolved_at"
    announced = Escalation.objects.filter(ticket=OuterRef("pk"), deadline=deadline, level=level)
    return (Ticket.objects
            .filter(status__in=RUNNING_STATUSES, sla_paused_at__isnull=True,
                    **{f"{done}__isnull": True, f"{at}__lte": now})
            .filter(~Exists(announced))
            .select_related("assignee", "group")
            .order_by(at)[:settings.SLA_ESCALATION_BATCH])


def sla_escalate_due(now: datetime.datetime | None = None) -> int:
    """Announce every deadline at risk (to the assignee, else the group lead) and every breach
    (to the group lead, else the assignee): once per ticket, deadline and level."""
    from concierge.desk.selectors import group_lead_of
    from concierge.notifications.services import email_send
    from concierge.tickets.services import activity_log

    now = now or timezone.now()
    count = 0
    for deadline in (Escalation.Deadline.RESPONSE, Escalation.Deadline.RESOLUTION):
        for level in (Escalation.Level.BREACH, Escalation.Level.WARNING):
            for ticket in _due(deadline, level, now):
                if level == Escalation.Level.WARNING and Escalation.objects.filter(
                        ticket=ticket, deadline=deadline, level=Escalation.Level.BREACH).exists():
                    continue  # past the warning already: the breach was announced
                lead = group_lead_of(ticket.group_id)
                person = (ticket.assignee or lead) if level == Escalation.Level.WARNING \
                    else (lead or ticket.assignee)
                try:
                    with transaction.atomic():
                        escalation = Escalation.objects.create(
                            ticket=ticket, deadline=deadline, level=level, notified=person)
                        activity_log(ticket, None, "sla.escalated", deadline=deadline,
                                     level=level, notified=person.pk if person else None)
                except IntegrityError:
                    continue  # another worker announced it
                count += 1
                if person is not None:
                    email_send(key=f"sla:{escalation.pk}:{person.pk}", recipient=person,
                               template="sla_escalation",
                               context={"ticket": ticket, "escalation": escalation})
    return count

