"""Periodic jobs, run by the background worker (manage.py worker).

``settings.PERIODIC_TASKS`` maps a job name to a task path and an interval in seconds. Every
worker calls ``schedule_due`` now and then; a job's row is locked while it is looked at, so with
several workers each due job is enqueued once. The job itself is an ordinary task: idempotent,
retried like any other.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from concierge.core.models import ScheduledJob
from concierge.core.worker import enqueue_with_transaction


def schedule_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue the periodic tasks that are due; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for name, job in settings.PERIODIC_TASKS.items():
        every = datetime.timedelta(seconds=job["every"])
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
            row = ScheduledJob.objects.select_for_update(skip_locked=True).filter(
                name=name, next_run_at__lte=now).first()
            if row is None:
                continue
            row.next_run_at = now + every
            row.last_run_at = now
            row.save(update_fields=["next_run_at", "last_run_at"])
            task = import_string(job["task"])
            enqueue_with_transaction(task)
            enqueued.append(name)
    return enqueued
