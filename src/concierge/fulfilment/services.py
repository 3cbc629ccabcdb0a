"""Every write to fulfilment: starting a plan, opening tasks in order, completing them.

The request's status follows its tasks: in progress while IT works, "waiting for you" while a
task for the employee is open, resolved when every task is done.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.core.worker import enqueue_with_transaction
from concierge.fulfilment.choices import RequesterTask, TaskKind, TaskStatus
from concierge.fulfilment.models import Slot, Task
from concierge.fulfilment.plan import parse_plan
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Ticket
from concierge.tickets.services import activity_log


class TaskError(Exception):
    """A task change that is not allowed; the message is meant for the person who tried."""


def fulfilment_start(*, ticket: Ticket, actor: User | None = None) -> bool:
    """Copy the item's plan onto the request and open the first tasks; False without a plan."""
    plan = parse_plan(ticket.item.fulfilment) if ticket.item_id else []
    if not plan:
        return False
    for position, planned in enumerate(plan):
        group = Group.objects.get_or_create(name=planned.group)[0] if planned.group else None
        Task.objects.create(
            ticket=ticket, key=planned.key, position=position, title=planned.title,
            kind=planned.kind, requester_task=planned.requester_task, group=group,
            assignee=ticket.requested_for if planned.kind == TaskKind.REQUESTER else None,
            action=planned.action, params=planned.params, question=planned.question,
            after=list(planned.after), due_days=planned.due_days)
    activity_log(ticket, actor, "fulfilment.plan.started", tasks=len(plan))
    _open_ready(ticket)
    _follow_tasks(ticket, actor)
    return True


def _open_ready(ticket: Ticket) -> None:
    from concierge.tickets.services import add_working_days

    done = set(ticket.tasks.filter(status=TaskStatus.DONE).values_list("key", flat=True))
    now = timezone.now()
    for task in ticket.tasks.filter(status=TaskStatus.WAITING).order_by("position"):
        if not set(task.after) <= done:
            continue
        task.status, task.opened_at = TaskStatus.OPEN, now
        task.due_at = add_working_days(now, task.due_days)
        task.save(update_fields=["status", "opened_at", "due_at"])
        activity_log(ticket, None, "fulfilment.task.opened", task=task.key)
        if task.kind == TaskKind.ACTION:
            from concierge.fulfilment.tasks import task_run_action

            enqueue_with_transaction(task_run_action, task.pk)


def _follow_tasks(ticket: Ticket, actor: User | None) -> None:
    """Set the request's status from its tasks."""
    from concierge.tickets.services import ticket_change_status

    ticket.refresh_from_db(fields=["status"])
    tasks = list(ticket.tasks.all())
    if all(t.status in (TaskStatus.DONE, TaskStatus.CANCELLED) for t in tasks):
        wanted = TicketStatus.RESOLVED
    elif any(t.status == TaskStatus.OPEN and t.kind == TaskKind.REQUESTER for t in tasks):
        wanted = TicketStatus.WAITING_FOR_YOU
    else:
        wanted = TicketStatus.IN_PROGRESS
    if ticket.status in (TicketStatus.SUBMITTED, TicketStatus.WAITING_APPROVAL) \
            and wanted != TicketStatus.IN_PROGRESS:
        ticket = ticket_change_status(ticket=ticket, actor=actor, status=TicketStatus.IN_PROGRESS)
    if ticket.status != wanted:
        ticket_change_status(ticket=ticket, actor=actor, status=wanted)


def _lock_open(task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("ticket").get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise TaskError(_("This task is not open any more. Nothing was changed."))
    return task


def _finish(task: Task, actor: User | None, **fields) -> Task:
    task.status, task.completed_at, task.completed_by = TaskStatus.DONE, timezone.now(), actor
    for name, value in fields.items():
        setattr(task, name, value)
    task.save(update_fields=["status", "completed_at", "completed_by", *fields])
    activity_log(task.ticket, actor, "fulfilment.task.done", task=task.key)
    _open_ready(task.ticket)
    _follow_tasks(task.ticket, actor)
    return task


@transaction.atomic
def task_claim(*, task: Task, actor: User) -> Task:
    """A member of the task's group takes it on."""
    task = _lock_open(task)
    if task.kind != TaskKind.GROUP or not actor.groups.filter(pk=task.group_id).exists():
        raise TaskError(_("Only members of the group can take this task."))
    task.assignee = actor
    task.save(update_fields=["assignee"])
    activity_log(task.ticket, actor, "fulfilment.task.claimed", task=task.key)
    return task


@transaction.atomic
def task_complete(*, task: Task, actor: User, note: str = "") -> Task:
    """A group member marks their group's task as done."""
    task = _lock_open(task)
    if task.kind != TaskKind.GROUP or not actor.groups.filter(pk=task.group_id).exists():
        raise TaskError(_("Only members of the group can complete this task."))
    return _finish(task, actor, note=note.strip())


@transaction.atomic
def task_confirm_receipt(*, task: Task, actor: User) -> Task:
    task = _lock_open(task)
    _check_requester(task, actor, RequesterTask.CONFIRM_RECEIPT)
    return _finish(task, actor)


@transaction.atomic
def task_answer(*, task: Task, actor: User, answer: str) -> Task:
    task = _lock_open(task)
    _check_requester(task, actor, RequesterTask.ANSWER)
    if not answer.strip():
        raise TaskError(_("Please write an answer."))
    return _finish(task, actor, answer=answer.strip())


@transaction.atomic
def slot_pick(*, task: Task, actor: User, slot_id: int) -> Task:
    """Book an offered appointment; a slot someone else just took gives a clear message."""
    task = _lock_open(task)
    _check_requester(task, actor, RequesterTask.PICK_SLOT)
    slot = Slot.objects.select_for_update().filter(pk=slot_id, group_id=task.group_id,
                                                   starts_at__gt=timezone.now()).first()
    if slot is None:
        raise TaskError(_("That appointment is not offered. Please pick another."))
    if slot.task_id is not None:
        raise TaskError(_("Someone has just taken that appointment. Please pick another."))
    slot.task = task
    slot.save(update_fields=["task"])
    return _finish(task, actor, answer=slot.starts_at.isoformat())


def _check_requester(task: Task, actor: User, kind: str) -> None:
    if task.kind != TaskKind.REQUESTER or task.requester_task != kind:
        raise TaskError(_("This task asks for something else."))
    if task.assignee_id != actor.pk:
        raise TaskError(_("This task is for someone else."))


def task_run_action(*, task_id: int) -> str:
    """Run an automatic task's action once it is open; a failure is noted for the IT team."""
    from concierge.fulfilment.actions import ACTIONS

    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("ticket__requester").get(
            pk=task_id)
        if task.status != TaskStatus.OPEN or task.kind != TaskKind.ACTION:
            return "nothing to do"
        try:
            with transaction.atomic():
                result = ACTIONS[task.action](task, task.params)
        except Exception as exc:  # the action's own failure, recorded for people to see
            task.status, task.note = TaskStatus.FAILED, f"{type(exc).__name__}: {exc}"
            task.save(update_fields=["status", "note"])
            activity_log(task.ticket, None, "fulfilment.task.failed", task=task.key,
                         error=task.note)
            return "failed"
        _finish(task, None, note=str(result)[:500])
        return str(result)


# --- reminders (periodic) ---------------------------------------------------------------------

def tasks_remind_overdue(*, now=None) -> int:
    """Remind, once per task, whoever has to act on an open task that is past its due time."""
    now = now or timezone.now()
    count = 0
    for task in Task.objects.filter(status=TaskStatus.OPEN, due_at__lte=now,
                                    reminded_at__isnull=True).exclude(kind=TaskKind.ACTION):
        with transaction.atomic():
            if Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now):
                activity_log(task.ticket, None, "fulfilment.task.reminded", task=task.key)
                _overdue_notify(task.pk)
                count += 1
    return count


def _overdue_notify(task_id: int) -> None:
    from concierge.fulfilment.tasks import task_overdue

    enqueue_with_transaction(task_overdue, task_id)
