"""Background work for approvals: load by id, call one service, safe to run twice."""

from django.tasks import task

from concierge.approvals.models import Vote
from concierge.approvals.notify import vote_requested_email
from concierge.approvals.services import approval_escalate_due, approval_remind_due


@task
def vote_notify(vote_id: int, reminder: bool = False) -> int:
    """E-mail an approver that a decision waits for them (once per vote, approver and kind)."""
    vote = Vote.objects.select_related("approval__ticket", "approver").filter(pk=vote_id).first()
    if vote is None:
        return 0
    return int(vote_requested_email(vote, reminder=reminder))


@task
def approvals_nudge() -> dict:
    """Periodic: remind approvers who have not decided, escalate what waited too long."""
    return {"reminded": approval_remind_due(), "escalated": approval_escalate_due()}
