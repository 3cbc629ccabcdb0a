"""Background work for the e-mail channel: call one service, safe to run twice."""

from django.tasks import task

from concierge.mailin.services import inbound_retention_apply


@task
def mailin_retention() -> dict:
    """Periodic: delete mail sources and dropped mail past their retention period."""
    return inbound_retention_apply()
