"""Background work for approvals: load by id, call one service, safe to run twice."""

from django.tasks import task

from concierge.approvals.models import Vote
from concierge.approvals.notify import vote_requested_email


@task
def vote_notify(vote_id: int) -> int:
    """E-mail an approver that a decision waits for them (once per vote)."""
    vote = Vote.objects.select_related("approval__ticket", "approver").filter(pk=vote_id).first()
    if vote is None:
        return 0
    return int(vote_requested_email(vote))
