"""Writes to people's own profiles and the sign-in audit trail."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.db import transaction

from concierge.accounts.models import SignInEvent, User

logger = logging.getLogger("concierge.accounts.signin")


def client_ip(request) -> str:
    """The client's address as allauth sees it (ALLAUTH_TRUSTED_PROXY_COUNT and friends)."""
    try:
        return DefaultAccountAdapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


@transaction.atomic
def profile_update(*, user: User, language: str, phone: str, location: str) -> User:
    """Save what a person may change about themselves (the rest comes from the directory)."""
    user.language = language
    user.phone = phone
    user.location = location
    user.save(update_fields=["language", "phone", "location"])
    return user


def sign_in_record(*, request, login: str, method: str, outcome: str, user: User | None = None,
                   reason: str = "") -> SignInEvent:
    """Write one sign-in attempt to the audit trail (see SignInEvent) and the log."""
    ip = client_ip(request) if request is not None else "unknown"
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    event = SignInEvent.objects.create(
        user=user, login=(login or "")[:254], method=method[:40], outcome=outcome,
        ip=None if ip == "unknown" else ip,
        user_agent=agent[:300], reason=reason[:300])
    logger.info("sign-in %s: login=%s method=%s ip=%s %s", outcome, login, method, ip, reason)
    return event
