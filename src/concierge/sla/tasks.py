"""Background work for service levels (periodic, idempotent)."""

from django.tasks import task

from concierge.sla.services import sla_escalate_due


@task
def sla_escalate() -> int:
    """Periodic: announce deadlines at risk and breaches, once per ticket and level."""
    return sla_escalate_due()
