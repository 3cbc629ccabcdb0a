from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketKind(models.TextChoices):
    REQUEST = "request", _("Request")
    INCIDENT = "incident", _("Something is broken")


TICKET_PREFIX = {TicketKind.REQUEST: "REQ", TicketKind.INCIDENT: "INC"}


class TicketStatus(models.TextChoices):
    """Where a ticket stands, in the words the requester reads."""

    SUBMITTED = "submitted", _("Submitted")
    WAITING_APPROVAL = "waiting_approval", _("Waiting for approval")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_FOR_YOU = "waiting_for_you", _("Waiting for you")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not approved")


# One place for the badge colour of each status (see static/css/app.css .badge--*).
STATUS_COLOUR = {
    TicketStatus.SUBMITTED: "blue",
    TicketStatus.WAITING_APPROVAL: "amber",
    TicketStatus.IN_PROGRESS: "indigo",
    TicketStatus.WAITING_FOR_YOU: "orange",
    TicketStatus.RESOLVED: "green",
    TicketStatus.CLOSED: "grey",
    TicketStatus.CANCELLED: "grey",
    TicketStatus.REJECTED: "red",
}
OPEN_STATUSES = [TicketStatus.SUBMITTED, TicketStatus.WAITING_APPROVAL, TicketStatus.IN_PROGRESS,
                 TicketStatus.WAITING_FOR_YOU]
CANCELLABLE_STATUSES = [TicketStatus.SUBMITTED, TicketStatus.WAITING_APPROVAL]
# The usual path, shown as the timeline on a ticket's page.
STATUS_PATH = [TicketStatus.SUBMITTED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
               TicketStatus.CLOSED]
# Which status may follow which (agents move tickets; requesters only cancel).
TRANSITIONS = {
    TicketStatus.SUBMITTED: {TicketStatus.WAITING_APPROVAL, TicketStatus.IN_PROGRESS,
                             TicketStatus.WAITING_FOR_YOU, TicketStatus.RESOLVED,
                             TicketStatus.CANCELLED},
    TicketStatus.WAITING_APPROVAL: {TicketStatus.IN_PROGRESS, TicketStatus.CANCELLED,
                                    TicketStatus.REJECTED},
    TicketStatus.IN_PROGRESS: {TicketStatus.WAITING_FOR_YOU, TicketStatus.RESOLVED},
    # Closed straight away when the requester never answers (desk: auto-close).
    TicketStatus.WAITING_FOR_YOU: {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
                                   TicketStatus.CLOSED},
    TicketStatus.RESOLVED: {TicketStatus.CLOSED, TicketStatus.IN_PROGRESS},
    TicketStatus.CLOSED: set(),
    TicketStatus.CANCELLED: set(),
    TicketStatus.REJECTED: set(),
}


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Priority(models.TextChoices):
    CRITICAL = "1", _("Critical")
    HIGH = "2", _("High")
    MEDIUM = "3", _("Medium")
    LOW = "4", _("Low")


# Impact x urgency -> priority, the usual matrix.
PRIORITY_MATRIX = {
    (Level.HIGH, Level.HIGH): Priority.CRITICAL,
    (Level.HIGH, Level.MEDIUM): Priority.HIGH,
    (Level.MEDIUM, Level.HIGH): Priority.HIGH,
    (Level.HIGH, Level.LOW): Priority.MEDIUM,
    (Level.MEDIUM, Level.MEDIUM): Priority.MEDIUM,
    (Level.LOW, Level.HIGH): Priority.MEDIUM,
    (Level.MEDIUM, Level.LOW): Priority.LOW,
    (Level.LOW, Level.MEDIUM): Priority.LOW,
    (Level.LOW, Level.LOW): Priority.LOW,
}


def priority_for(impact: str | None, urgency: str | None) -> str:
    return PRIORITY_MATRIX.get((impact or Level.MEDIUM, urgency or Level.MEDIUM), Priority.MEDIUM)
