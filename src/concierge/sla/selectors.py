"""Reads for service levels: which target and calendar apply to a ticket."""

from django.db.models import Q

from concierge.sla.engine import Schedule
from concierge.sla.models import Calendar, Target
from concierge.tickets.models import Ticket


def target_for(ticket: Ticket) -> Target | None:
    """The most specific target for the ticket's priority: its item's, its category's, or the
    priority's own."""
    scope = Q(item__isnull=True, category__isnull=True)
    if ticket.item_id:
        scope |= Q(item_id=ticket.item_id) | Q(category_id=ticket.item.category_id)
    candidates = Target.objects.filter(scope, priority=ticket.priority)
    ranked = sorted(candidates.select_related("calendar"),
                    key=lambda t: 0 if t.item_id else 1 if t.category_id else 2)
    return ranked[0] if ranked else None


def schedule_for(target: Target) -> Schedule | None:
    calendar = target.calendar or Calendar.objects.filter(is_default=True).first()
    return calendar.schedule() if calendar else None
