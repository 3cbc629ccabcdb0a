"""The background worker: runs queued tasks and, beside them, the periodic scheduler."""

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from concierge.core.scheduler import schedule_due

logger = logging.getLogger("concierge.scheduler")


class Command(DbWorkerCommand):
    help = "Run background tasks and the periodic jobs (reminders, escalations)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--schedule-interval", type=float, default=15.0,
                            help="Seconds between looks for due periodic jobs (default: 15)")

    def handle(self, *args, schedule_interval: float, batch: bool, **options):
        if batch:
            # One pass: enqueue what is due, then run everything queued and stop.
            schedule_due()
        else:
            stop = threading.Event()
            thread = threading.Thread(target=self._schedule_loop, name="scheduler",
                                      args=(stop, schedule_interval), daemon=True)
            thread.start()
        try:
            super().handle(*args, batch=batch, **options)
        finally:
            if not batch:
                stop.set()

    @staticmethod
    def _schedule_loop(stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                names = schedule_due()
                if names:
                    logger.info("enqueued periodic jobs: %s", ", ".join(names))
            except Exception:  # a failing look must not stop the scheduler
                logger.exception("periodic scheduling failed")
            finally:
                connection.close()
            stop.wait(interval)
