"""Background work for fulfilment: load by id, call one service, safe to run twice."""

from django.tasks import task

from concierge.fulfilment import services


@task
def task_run_action(task_id: int) -> str:
    return services.task_run_action(task_id=task_id)
