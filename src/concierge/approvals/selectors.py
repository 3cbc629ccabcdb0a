"""Reads of approvals, scoped to the approver: what is not theirs is a 404."""

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from concierge.accounts.models import User
from concierge.approvals.choices import Decision
from concierge.approvals.models import Approval, Vote
from concierge.approvals.services import TOKEN_SALT
from concierge.tickets.models import Ticket


class LinkInvalid(Exception):
    """An e-mail link that was forged, altered or has expired."""


def _votes() -> QuerySet[Vote]:
    return Vote.objects.select_related(
        "approval__ticket__requester", "approval__ticket__requested_for__cost_centre",
        "approval__ticket__item", "on_behalf_of", "approver")


def vote_list_for(user: User) -> QuerySet[Vote]:
    """Decisions waiting for ``user`` (their own and those they stand in for), oldest first."""
    return _votes().filter(approver=user, decision=Decision.PENDING).order_by("created_at", "pk")


def vote_get_for(user: User, pk: int) -> Vote:
    try:
        return _votes().get(pk=pk, approver=user)
    except Vote.DoesNotExist:
        raise Http404("No such approval") from None


def vote_from_token(token: str) -> tuple[Vote, str]:
    """The vote and decision an e-mail link stands for; raises LinkInvalid."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.APPROVAL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkInvalid("expired") from None
    except signing.BadSignature:
        raise LinkInvalid("bad signature") from None
    vote = _votes().filter(pk=data.get("vote"), approver_id=data.get("approver")).first()
    if vote is None or data.get("decision") not in (Decision.APPROVED, Decision.REJECTED):
        raise LinkInvalid("unknown vote")
    return vote, data["decision"]


def approvals_of(ticket: Ticket) -> list[Approval]:
    """The ticket's stages with their decisions, for the request page and the approver."""
    return list(ticket.approvals.prefetch_related(
        Prefetch("votes", queryset=Vote.objects.select_related("approver", "on_behalf_of"))))
