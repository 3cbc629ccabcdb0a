"""Background work that loses nothing: retries with backoff, and tasks of dead workers resumed.

django-tasks-db runs each task once and leaves it FAILED on an exception, or RUNNING for ever
when its worker is killed. Concierge's tasks are idempotent (each message has a unique key), so
the worker may safely run them again:

- a task that raises is tried again after ``TASKS_RETRY_BASE_SECONDS`` x 2^(attempt - 1), up to
  ``TASKS_MAX_ATTEMPTS`` attempts; the last error stays on the row for the admin to read;
- a task RUNNING for longer than ``TASKS_LEASE_SECONDS`` belongs to a worker that died (killed,
  out of memory, machine gone): it is made ready again, and counts as an attempt.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("concierge.worker")


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait before attempt ``attempt + 1`` (doubling, at most an hour)."""
    seconds = settings.TASKS_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=min(seconds, 3600))


def task_retry_or_fail(result: DBTaskResult, *, now: datetime.datetime | None = None) -> bool:
    """After a failed attempt: make the task ready again later, unless it had its attempts.

    Returns True when it will be retried.
    """
    attempts = len(result.worker_ids)
    if attempts >= settings.TASKS_MAX_ATTEMPTS:
        logger.error("task %s (%s) failed %d times, giving up", result.pk, result.task_path,
                     attempts)
        return False
    now = now or timezone.now()
    DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=now + retry_delay(attempts), finished_at=None)
    logger.warning("task %s (%s) failed (attempt %d), retrying in %s", result.pk,
                   result.task_path, attempts, retry_delay(attempts))
    return True


def tasks_resume_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Make tasks of workers that died ready again; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.TASKS_LEASE_SECONDS)
    resumed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        for result in stale:
            if len(result.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
                result.status, result.finished_at = TaskResultStatus.FAILED, now
                result.exception_class_path = "concierge.core.worker.WorkerLost"
                result.traceback = "The worker running this task stopped without finishing it."
                result.save(update_fields=["status", "finished_at", "exception_class_path",
                                           "traceback"])
                continue
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
            resumed += 1
    if resumed:
        logger.warning("resumed %d task(s) left running by a worker that stopped", resumed)
    return resumed


class RetryingWorker(Worker):
    """django-tasks-db's worker, trying failed tasks again with backoff."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == TaskResultStatus.FAILED:
            task_retry_or_fail(db_task_result)


def enqueue_with_transaction(task, *args, **kwargs) -> None:
    """Enqueue ``task`` so that it exists if, and only if, the current transaction commits.

    With the database backend the task's row is written inside the transaction: no process can
    die between the change and its task (``on_commit`` would leave that gap). Other backends
    (the immediate one in tests) run the task after the commit.
    """
    from functools import partial

    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
