"""Reads of the directory app, scoped to who asks."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concierge.accounts.models import User
from concierge.directory.client import DirectoryError, get_directory
from concierge.directory.models import DirectoryChange, ResetChallenge


def reset_login(challenge_id) -> str:
    """What the person typed on screen 1 (shown back to them, the same for every account)."""
    return ResetChallenge.objects.filter(pk=challenge_id).values_list("login", flat=True) \
        .first() or ""


def policy_text() -> str:
    """The password rules in one sentence, from the directory's policy."""
    try:
        policy = get_directory().policy()
    except DirectoryError:
        return ""
    text = ngettext("At least %(n)d character", "At least %(n)d characters",
                    policy.min_length) % {"n": policy.min_length}
    text += ", " + _("%(n)d of: lower-case, capitals, digits, symbols") % {
        "n": policy.min_classes}
    if policy.history:
        text += ", " + ngettext("not your last password", "not one of your last %(n)d",
                                policy.history) % {"n": policy.history}
    return text + "."


def changes_for(user: User, ticket) -> list[DirectoryChange]:
    """The directory changes made for a request, for agents (others see none)."""
    if not user.is_authenticated or not user.is_agent:
        return []
    return list(DirectoryChange.objects.filter(ticket=ticket).select_related("undoes"))


def change_get_for(user: User, pk: int) -> DirectoryChange:
    """One change, for an agent of the request's organisation; 404 for everyone else."""
    from concierge.tickets.selectors import ticket_get_for

    change = DirectoryChange.objects.select_related("ticket").filter(pk=pk).first()
    if change is None or not user.is_agent:
        raise Http404
    ticket_get_for(user, change.ticket_id)  # the same gate as the request itself
    # ... and the directory is the organisation's: an agent who works a ticket routed from
    # another organisation does not change that organisation's accounts.
    if not user.is_superuser and change.ticket.organisation_id != user.organisation_id:
        raise Http404
    return change
