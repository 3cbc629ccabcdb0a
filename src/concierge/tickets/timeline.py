"""The status timeline a requester sees on their ticket, in plain words."""

from dataclasses import dataclass
from datetime import datetime

from concierge.tickets.choices import STATUS_PATH, TicketStatus
from concierge.tickets.models import Activity, Ticket


@dataclass(frozen=True)
class Stage:
    status: str
    label: str
    state: str  # "done", "current" or "upcoming"
    at: datetime | None


def ticket_timeline(ticket: Ticket, activities: list[Activity]) -> list[Stage]:
    """Stages from submitted to closed; detours (approval, waiting for you) appear when taken."""
    reached: dict[str, datetime] = {TicketStatus.SUBMITTED: ticket.created_at}
    for activity in activities:
        if activity.action == "tickets.ticket.status_changed":
            reached.setdefault(activity.data.get("new"), activity.created_at)
    path = list(STATUS_PATH)
    if TicketStatus.WAITING_APPROVAL in reached or ticket.status == TicketStatus.WAITING_APPROVAL:
        path.insert(1, TicketStatus.WAITING_APPROVAL)
    if ticket.status == TicketStatus.WAITING_FOR_YOU:
        path.insert(path.index(TicketStatus.RESOLVED), TicketStatus.WAITING_FOR_YOU)
    if ticket.status == TicketStatus.CANCELLED:
        path = [TicketStatus.SUBMITTED, TicketStatus.CANCELLED]
    if ticket.status == TicketStatus.REJECTED:
        path = [TicketStatus.SUBMITTED, TicketStatus.WAITING_APPROVAL, TicketStatus.REJECTED]
    current = path.index(ticket.status)
    return [
        Stage(status=status, label=TicketStatus(status).label,
              state="done" if index < current else "current" if index == current else "upcoming",
              at=reached.get(status) if index <= current else None)
        for index, status in enumerate(path)
    ]
