"""Background work for fulfilment: load by id, call one service, safe to run twice."""

from django.tasks import task

from concierge.fulfilment import services


@task
def task_run_action(task_id: int) -> str:
    return services.task_run_action(task_id=task_id)


@task
def task_overdue(task_id: int) -> int:
    """Tell the people who have to act that a task is past its due time (once each)."""
    from concierge.fulfilment.models import Task
    from concierge.fulfilment.notify import task_overdue_notify

    found = Task.objects.select_related("ticket", "assignee", "group").filter(pk=task_id).first()
    return task_overdue_notify(found) if found else 0


@task
def fulfilment_nudge() -> int:
    """Periodic: remind about open tasks past their due time."""
    return services.tasks_remind_overdue()
