"""Background work for tickets: load by id, call one service, safe to run twice."""

from django.tasks import task

from concierge.tickets.models import Activity
from concierge.tickets.notify import ticket_activity_emails


@task
def ticket_notify(activity_id: int) -> int:
    """E-mail the people concerned about one activity; returns how many were sent."""
    activity = Activity.objects.select_related("ticket", "actor").filter(pk=activity_id).first()
    if activity is None:
        return 0
    return ticket_activity_emails(activity)


@task
def ticket_files_retention() -> int:
    """Periodic: delete the files of tickets closed longer than the retention period."""
    from concierge.tickets.services import ticket_files_expire

    return ticket_files_expire()
