"""The background worker: runs queued tasks and, beside them, the periodic scheduler.

It is django-tasks-db's ``db_worker`` with three additions: failed tasks are retried with
backoff, tasks left running by a worker that died are resumed (core/worker.py), and a thread
enqueues the periodic jobs that are due (core/scheduler.py).
"""

import logging
import os
import threading

from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from concierge.core.scheduler import schedule_due
from concierge.core.worker import RetryingWorker, tasks_resume_abandoned

logger = logging.getLogger("concierge.scheduler")


class Command(DbWorkerCommand):
    help = "Run background tasks and the periodic jobs (reminders, escalations)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--schedule-interval", type=float, default=15.0,
                            help="Seconds between looks for due periodic jobs (default: 15)")

    def handle(self, *, verbosity: int, queue_name: str, interval: float, batch: bool,
               backend_name: str, startup_delay: bool, max_tasks: int | None, worker_id: str,
               exclude_queues: str, schedule_interval: float, **options):
        self.configure_logging(verbosity)
        worker = RetryingWorker(
            queue_names=queue_name.split(","), interval=interval, batch=batch,
            backend_name=backend_name, startup_delay=startup_delay, max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [])
        stop = threading.Event()
        if batch:
            # One pass: resume and enqueue what is due, run everything queued, then stop.
            tasks_resume_abandoned()
            schedule_due()
        else:
            threading.Thread(target=self._schedule_loop, name="scheduler",
                             args=(stop, schedule_interval), daemon=True).start()
        try:
            if options.get("reload") and not batch:  # development: restart on code changes
                if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                    worker.configure_signals()
                run_with_reloader(worker.run)
            else:
                worker.configure_signals()
                worker.run()
        finally:
            stop.set()

    @staticmethod
    def _schedule_loop(stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                tasks_resume_abandoned()
                names = schedule_due()
                if names:
                    logger.info("enqueued periodic jobs: %s", ", ".join(names))
            except Exception:  # a failing look must not stop the scheduler
                logger.exception("periodic scheduling failed")
            finally:
                connection.close()
            stop.wait(interval)
