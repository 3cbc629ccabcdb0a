"""Background work for the desk (periodic, idempotent)."""

from django.tasks import task

from concierge.desk.services import waiting_nudge


@task
def desk_waiting_nudge() -> dict:
    """Periodic: remind requesters a ticket waits for them; close what waited too long."""
    return waiting_nudge()
