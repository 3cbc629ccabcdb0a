"""A ticket's history for agents: every activity entry as one line in plain words.

Every app writes what it does to a ticket into ``tickets.Activity`` (``tickets.services.
activity_log``). The desk shows that audit trail in order, with who did it and the names of the
people, groups and tickets an entry points to, read in three queries whatever the history holds.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.core.i18n import choice_label, localize
from concierge.fulfilment.models import Task
from concierge.sla.models import Escalation
from concierge.tickets.choices import Priority, TicketStatus
from concierge.tickets.models import Activity, Ticket


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    actor: str  # "" when the portal did it by itself
    text: str


def history_for(ticket: Ticket) -> list[Entry]:
    """The ticket's activity, oldest first, each entry in words."""
    activities = list(Activity.objects.filter(ticket=ticket).select_related("actor")
                      .only("created_at", "action", "data", "actor__display_name")
                      .order_by("created_at", "pk"))
    people, groups, numbers = set(), set(), set()
    for activity in activities:
        data = activity.data or {}
        if activity.action == "tickets.ticket.assigned":
            people.update(v for v in (data.get("old"), data.get("new")) if v)
        elif activity.action == "tickets.ticket.routed":
            groups.update(v for v in (data.get("old"), data.get("new")) if v)
        elif activity.action in ("approvals.vote.reminded", "sla.escalated"):
            people.update(v for v in (data.get("approver"), data.get("notified")) if v)
        for key in ("other", "duplicate", "merged_into", "follow_up_of"):
            if isinstance(data.get(key), int):
                numbers.add(data[key])
    names = {
        "people": dict(User.objects.filter(pk__in=people).values_list("pk", "display_name")),
        "groups": dict(Group.objects.filter(pk__in=groups).values_list("pk", "name")),
        "tickets": {pk: Ticket(pk=pk, kind=kind).number for pk, kind in
                    Ticket.objects.filter(pk__in=numbers).values_list("pk", "kind")},
        "tasks": {key: localize(title) for key, title in
                  Task.objects.filter(ticket=ticket).values_list("key", "title")},
    }
    return [Entry(at=a.created_at, actor=a.actor.display_name if a.actor else "",
                  text=describe(a.action, a.data or {}, names)) for a in activities]


def describe(action: str, data: dict, names: dict) -> str:
    """One activity entry in words; an action this does not know is shown by its name."""
    person = names["people"].get
    ticket_number = names["tickets"].get
    task = names["tasks"].get(data.get("task"), data.get("task", ""))
    match action:
        case "tickets.ticket.submitted":
            if data.get("follow_up_of"):
                return _("Received by e-mail, following up %(number)s") % {
                    "number": ticket_number(data["follow_up_of"], "?")}
            if data.get("channel") == "email":
                return _("Received by e-mail")
            return _("Submitted")
        case "tickets.ticket.status_changed":
            if data.get("merged_into"):
                return _("Closed: merged into %(number)s") % {
                    "number": ticket_number(data["merged_into"], "?")}
            return _("Status changed from %(old)s to %(new)s") % {
                "old": choice_label(TicketStatus, data.get("old")),
                "new": choice_label(TicketStatus, data.get("new"))}
        case "tickets.ticket.assigned":
            if data.get("new"):
                return _("Assigned to %(name)s") % {"name": person(data["new"], "?")}
            return _("Unassigned")
        case "tickets.ticket.routed":
            if data.get("new"):
                return _("Routed to %(group)s") % {"group": names["groups"].get(data["new"], "?")}
            return _("Taken out of its group")
        case "tickets.ticket.priority_changed":
            return _("Priority changed from %(old)s to %(new)s") % {
                "old": choice_label(Priority, data.get("old")),
                "new": choice_label(Priority, data.get("new"))}
        case "tickets.ticket.linked":
            number = ticket_number(data.get("other"), "?")
            if data.get("kind") == "duplicate_of":
                return _("Marked as a duplicate of %(number)s") % {"number": number}
            if data.get("kind") == "parent":
                return _("Made part of %(number)s") % {"number": number}
            return _("%(number)s made part of this ticket") % {"number": number}
        case "tickets.ticket.unlinked":
            return _("Link to %(number)s removed") % {
                "number": ticket_number(data.get("other"), "?")}
        case "tickets.ticket.merged":
            return _("%(number)s merged into this ticket") % {
                "number": ticket_number(data.get("duplicate"), "?")}
        case "tickets.ticket.reminded":
            return _("Requester reminded to answer")
        case "tickets.ticket.files_deleted":
            return _("Files deleted after the retention period")
        case "tickets.comment.added":
            return _("Replied")
        case "tickets.note.added":
            return _("Added an internal note")
        case "approvals.stage.opened":
            return _("Approval requested")
        case "approvals.stage.skipped":
            return _("An approval stage was skipped: nobody could decide it")
        case "approvals.stage.escalated":
            return _("The decision passed to the approver's manager")
        case "approvals.vote.approved":
            return _("Approved")
        case "approvals.vote.rejected":
            return _("Not approved: %(reason)s") % {"reason": data.get("reason") or "—"}
        case "approvals.vote.reminded":
            return _("%(name)s reminded to decide") % {"name": person(data.get("approver"), "?")}
        case "fulfilment.plan.started":
            return _("Fulfilment started")
        case "fulfilment.task.opened":
            return _("Task opened: %(task)s") % {"task": task}
        case "fulfilment.task.claimed":
            return _("Task taken: %(task)s") % {"task": task}
        case "fulfilment.task.done":
            return _("Task done: %(task)s") % {"task": task}
        case "fulfilment.task.failed":
            return _("Task failed: %(task)s") % {"task": task}
        case "fulfilment.task.reminded":
            return _("Reminder about an overdue task: %(task)s") % {"task": task}
        case "feedback.survey.answered":
            return _("Rated %(rating)s of 5") % {"rating": data.get("rating", "?")}
        case "feedback.survey.reopened":
            return _("The requester said it is not fixed: reopened")
        case "sla.escalated":
            return _("%(deadline)s deadline %(level)s: %(name)s told") % {
                "deadline": choice_label(Escalation.Deadline, data.get("deadline")),
                "level": choice_label(Escalation.Level, data.get("level")).lower(),
                "name": person(data.get("notified"), _("nobody"))}
        case "desk.article.drafted":
            return _("Knowledge article drafted from this ticket")
        case "directory.change.scheduled":
            return _("Directory change scheduled")
        case "directory.change.done":
            return _("Directory change made")
        case "directory.change.failed":
            return _("Directory change failed")
        case "directory.change.cancelled":
            return _("Directory change cancelled")
        case "directory.change.undone":
            return _("Directory change undone")
    return action
