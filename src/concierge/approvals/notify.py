"""The e-mail an approver gets: everything needed to decide, and one-click links."""

from django.urls import reverse

from concierge.approvals.choices import Decision
from concierge.approvals.models import Vote
from concierge.approvals.services import vote_token
from concierge.notifications.choices import Kind
from concierge.notifications.services import notify


def vote_requested_email(vote: Vote, *, reminder: bool = False) -> bool:
    """The decision request (or its reminder), sent once per vote, approver and kind."""
    if vote.decision != Decision.PENDING:
        return False
    links = {decision: reverse("approvals:email", args=[vote_token(vote, decision)])
             for decision in (Decision.APPROVED, Decision.REJECTED)}
    kind = "reminder" if reminder else "requested"
    return notify(key=f"vote:{vote.pk}:{vote.approver_id}:{kind}", recipient=vote.approver,
                  kind=Kind.APPROVALS, template="approval_requested",
                  url=reverse("approvals:detail", args=[vote.pk]),
                  context={"vote": vote, "ticket": vote.approval.ticket, "reminder": reminder,
                           "approve_url": links[Decision.APPROVED],
                           "reject_url": links[Decision.REJECTED]})
