"""Retries with backoff and resuming the tasks of a worker that died."""

import datetime

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concierge.core.worker import retry_delay, tasks_resume_abandoned

CALLS = {"count": 0, "fail_times": 0}


@task
def flaky() -> str:
    CALLS["count"] += 1
    if CALLS["count"] <= CALLS["fail_times"]:
        raise ConnectionError("mail server not reachable")
    return "done"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    CALLS.update(count=0, fail_times=0)


def _run_worker():
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_backoff_doubles_up_to_an_hour(settings):
    settings.TASKS_RETRY_BASE_SECONDS = 30
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(20) == datetime.timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_tried_again_later(database_tasks, settings):
    settings.TASKS_RETRY_BASE_SECONDS = 30
    CALLS["fail_times"] = 1
    result = flaky.enqueue()
    _run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY  # waiting for its second attempt
    assert row.run_after > timezone.now() + datetime.timedelta(seconds=20)
    assert "mail server not reachable" in row.traceback
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    _run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_stops_after_its_attempts(database_tasks, settings):
    settings.TASKS_RETRY_BASE_SECONDS = 0
    settings.TASKS_MAX_ATTEMPTS = 3
    CALLS["fail_times"] = 99
    result = flaky.enqueue()
    for _ in range(4):
        _run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and CALLS["count"] == 3


def test_tasks_of_a_dead_worker_are_resumed_after_the_lease(db, database_tasks, settings):
    settings.TASKS_LEASE_SECONDS = 600
    settings.TASKS_MAX_ATTEMPTS = 3
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    just_now = timezone.now() - datetime.timedelta(minutes=1)
    abandoned, busy, hopeless = (flaky.enqueue() for _ in range(3))
    DBTaskResult.objects.filter(pk=abandoned.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["dead"])
    DBTaskResult.objects.filter(pk=busy.id).update(
        status=TaskResultStatus.RUNNING, started_at=just_now, worker_ids=["alive"])
    DBTaskResult.objects.filter(pk=hopeless.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["a", "b", "c"])
    assert tasks_resume_abandoned() == 1
    statuses = {str(pk): status for pk, status in
                DBTaskResult.objects.values_list("pk", "status")}
    assert statuses[abandoned.id] == TaskResultStatus.READY
    assert statuses[busy.id] == TaskResultStatus.RUNNING
    assert statuses[hopeless.id] == TaskResultStatus.FAILED
