"""Reads of fulfilment tasks, scoped to who may see them."""

from django.db.models import Q, QuerySet
from django.http import Http404

from concierge.accounts.models import User
from concierge.fulfilment.choices import TaskKind, TaskStatus
from concierge.fulfilment.models import Slot, Task


def _tasks() -> QuerySet[Task]:
    return Task.objects.select_related("ticket__requester", "ticket__requested_for", "group",
                                       "assignee")


def queue_for(user: User) -> QuerySet[Task]:
    """Open tasks of the IT groups ``user`` belongs to, the most urgent first."""
    return _tasks().filter(kind=TaskKind.GROUP, status=TaskStatus.OPEN,
                           group_id__in=user.group_ids).order_by("due_at", "pk")


def my_tasks_for(user: User) -> QuerySet[Task]:
    """Open tasks that ask something of ``user`` (confirm, pick a slot, answer)."""
    return _tasks().filter(kind=TaskKind.REQUESTER, status=TaskStatus.OPEN, assignee=user) \
        .order_by("due_at", "pk")


def task_get_for(user: User, pk: int) -> Task:
    """A task its assignee or a member of its group may open; otherwise a 404."""
    try:
        return _tasks().get(Q(assignee=user) | Q(group_id__in=user.group_ids), pk=pk)
    except Task.DoesNotExist:
        raise Http404("No such task") from None


def free_slots_for(task: Task) -> QuerySet[Slot]:
    from django.utils import timezone

    return Slot.objects.filter(group_id=task.group_id, task__isnull=True,
                               starts_at__gt=timezone.now()).order_by("starts_at")[:30]


def tasks_of(ticket) -> list[Task]:
    return list(ticket.tasks.select_related("group", "assignee", "slot"))


def has_unfinished_tasks(ticket) -> bool:
    return ticket.tasks.filter(
        status__in=[TaskStatus.WAITING, TaskStatus.OPEN, TaskStatus.FAILED]).exists()
