"""Writes to people's own profiles and the sign-in audit trail."""

import logging

from django.db import transaction

from concierge.accounts.models import SignInEvent, User

logger = logging.getLogger("concierge.accounts.signin")


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
    ip = request.META.get("REMOTE_ADDR") or None if request is not None else None
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    event = SignInEvent.objects.create(
        user=user, login=(login or "")[:254], method=method[:40], outcome=outcome, ip=ip,
        user_agent=agent[:300], reason=reason[:300])
    logger.info("sign-in %s: login=%s method=%s ip=%s %s", outcome, login, method, ip, reason)
    return event
