"""Writes of the API app: personal access tokens."""

import secrets

from django.conf import settings
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.api.models import AccessToken, token_digest

TOKEN_PREFIX = "cnc_"


class TokenError(Exception):
    """A token that cannot be made; the message is meant for the person."""


def token_create(*, user: User, name: str) -> tuple[AccessToken, str]:
    """A new token for ``user``; returns the row and the secret (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Please give the token a name, e.g. the script that uses it."))
    if AccessToken.objects.filter(user=user).count() >= settings.API_MAX_TOKENS:
        raise TokenError(_("You have %(n)s tokens already. Please delete one you no longer "
                           "use.") % {"n": settings.API_MAX_TOKENS})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(user=user, name=name[:80], prefix=secret[:12],
                                       digest=token_digest(secret))
    return token, secret


def token_delete(*, token: AccessToken) -> None:
    token.delete()
