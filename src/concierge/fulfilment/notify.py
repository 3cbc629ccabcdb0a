"""Reminders about fulfilment tasks past their due time."""

from django.urls import reverse

from concierge.fulfilment.choices import TaskKind
from concierge.fulfilment.models import Task
from concierge.notifications.choices import Kind
from concierge.notifications.services import notify


def task_overdue_notify(task: Task) -> int:
    """The employee for their own task; for an IT task, whoever took it, else the group."""
    if task.kind == TaskKind.REQUESTER:
        people, url = [task.assignee], task.get_absolute_url()
    elif task.assignee_id:
        people, url = [task.assignee], reverse("fulfilment:queue")
    elif task.group_id:
        people, url = list(task.group.user_set.filter(is_active=True)), reverse("fulfilment:queue")
    else:
        return 0
    sent = 0
    for person in people:
        if person is None:
            continue
        sent += notify(key=f"task:{task.pk}:overdue:{person.pk}", recipient=person,
                       kind=Kind.TASKS, template="task_overdue", url=url,
                       context={"task": task, "ticket": task.ticket, "url": url,
                                "for_requester": task.kind == TaskKind.REQUESTER})
    return sent
