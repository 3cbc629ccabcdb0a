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
