"""What happens to a request, step by step and in plain words, and when it should be done.

One list for the requester: each approval stage (who decides, or who decided), then each
fulfilment task (who does it, or "you"), then the expected completion. Before the approvals are
through, the tasks still to come are read from the item's plan. The expected date adds about one
working day per open decision, then each task's working days after the tasks it waits for;
open tasks count with their due date. It is an estimate and the page says so.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.approvals.choices import Decision, StageStatus
from concierge.approvals.models import Approval
from concierge.core.i18n import localize
from concierge.fulfilment.choices import TaskKind, TaskStatus
from concierge.fulfilment.models import Task
from concierge.fulfilment.plan import PlannedTask, parse_plan
from concierge.tickets.models import Ticket
from concierge.tickets.services import add_working_days


@dataclass(frozen=True)
class Step:
    title: str
    who: str
    state: str  # done, current, upcoming, skipped, failed
    when: datetime.datetime | None = None
    when_label: str = ""
    note: str = ""
    url: str = ""


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    expected: datetime.datetime | None


def _stage_step(stage: Approval) -> Step:
    votes = list(stage.votes.all())
    title = localize(stage.title)
    if stage.status == StageStatus.APPROVED:
        names = [v.approver.display_name for v in votes if v.decision == Decision.APPROVED]
        return Step(title, ", ".join(names), "done", stage.decided_at, _("Approved"))
    if stage.status == StageStatus.REJECTED:
        rejected = [v for v in votes if v.decision == Decision.REJECTED]
        return Step(title, ", ".join(v.approver.display_name for v in rejected), "failed",
                    stage.decided_at, _("Rejected"),
                    note=rejected[0].reason if rejected else "")
    if stage.status in (StageStatus.SKIPPED, StageStatus.WITHDRAWN):
        return Step(title, "", "skipped", note=stage.get_status_display())
    if stage.status == StageStatus.PENDING:
        waiting = [v.approver.display_name for v in votes if v.decision == Decision.PENDING]
        return Step(title, ", ".join(waiting), "current", stage.opened_at, _("Waiting since"))
    return Step(title, "", "upcoming")


def _team(group_name: str) -> str:
    """A group's name as people say it: "it-procurement" -> "IT Procurement"."""
    words = group_name.replace("_", "-").split("-")
    return " ".join(w.upper() if w.lower() in ("it", "hr") else w.capitalize() for w in words)


def _who(kind: str, group_name: str, assignee_name: str = "") -> str:
    if kind == TaskKind.REQUESTER:
        return _("You")
    if kind == TaskKind.ACTION:
        return _("Automatic")
    return assignee_name or _team(group_name)


def _task_step(task: Task, user_id: int | None) -> Step:
    title = localize(task.title)
    who = _who(task.kind, task.group.name if task.group else "",
               task.assignee.display_name if task.assignee and task.kind == TaskKind.GROUP
               else "")
    if task.status == TaskStatus.DONE:
        return Step(title, who, "done", task.completed_at, _("Done"))
    if task.status == TaskStatus.CANCELLED:
        return Step(title, who, "skipped", note=task.get_status_display())
    if task.status == TaskStatus.FAILED:
        return Step(title, who, "failed",
                    note=_("This step did not work; the team has been told."))
    if task.status == TaskStatus.OPEN:
        url = task.get_absolute_url() if task.kind == TaskKind.REQUESTER \
            and task.assignee_id == user_id else ""
        return Step(title, who, "current", task.due_at, _("Expected by"), url=url)
    return Step(title, who, "upcoming")


def _finish_times(items: list, start: datetime.datetime, now: datetime.datetime) -> dict:
    """When each task (or planned task) should be done, following ``after``."""
    finish: dict[str, datetime.datetime] = {}
    for item in items:
        status = getattr(item, "status", TaskStatus.WAITING)
        if status == TaskStatus.DONE:
            finish[item.key] = item.completed_at or now
        elif status == TaskStatus.CANCELLED:
            continue
        elif status in (TaskStatus.OPEN, TaskStatus.FAILED):
            finish[item.key] = max(item.due_at or now, now)
        else:
            begin = max([finish[key] for key in item.after if key in finish], default=start)
            days = 0 if item.kind == TaskKind.ACTION else item.due_days
            finish[item.key] = add_working_days(begin, days)
    return finish


def ticket_progress(ticket: Ticket, stages: list[Approval], tasks: list[Task], *,
                    user_id: int | None = None,
                    now: datetime.datetime | None = None) -> Progress:
    now = now or timezone.now()
    steps = [_stage_step(stage) for stage in stages]
    planned: list[PlannedTask] = []
    if tasks:
        steps += [_task_step(task, user_id) for task in tasks]
    elif ticket.is_open and ticket.item_id and ticket.item.fulfilment:
        planned = parse_plan(ticket.item.fulfilment)
        steps += [Step(localize(p.title), _who(p.kind, p.group), "upcoming") for p in planned]

    if not ticket.is_open:
        return Progress(steps, None)
    open_decisions = sum(s.status in (StageStatus.PENDING, StageStatus.WAITING) for s in stages)
    start = add_working_days(now, open_decisions)
    finish = _finish_times(tasks or planned, start, now)
    if finish:
        expected = max(finish.values())
    elif ticket.delivery_days and (open_decisions or not ticket.due_at):
        expected = add_working_days(start, ticket.delivery_days)
    else:
        expected = ticket.due_at
    return Progress(steps, expected)
