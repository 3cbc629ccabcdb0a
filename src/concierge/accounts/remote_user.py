"""Sign-in by a reverse proxy that did Kerberos (SPNEGO) and passes the principal on.

The proxy sets a header (REMOTE_USER_HEADER, by default X-Remote-User) to the principal, e.g.
``anna@CORP.EXAMPLE.COM``. The header is believed only when the request comes straight from an
address in TRUSTED_PROXY_ADDRESSES (addresses or networks); from anywhere else it is ignored,
so nobody can sign in as someone else by sending the header themselves.

The principal's realm is turned into an e-mail domain by REMOTE_USER_REALMS
(``CORP.EXAMPLE.COM=example.com``) and the person is found by that e-mail address. Unknown
people are created only when REMOTE_USER_CREATE is on and their organisation is known from the
domain (SSO_DOMAIN_ORGANISATIONS).
"""

import ipaddress
import logging
from functools import cache

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import PersistentRemoteUserMiddleware

from concierge.accounts.choices import SignInOutcome
from concierge.accounts.models import User
from concierge.accounts.services import sign_in_record
from concierge.accounts.sso import organisation_for_claims

logger = logging.getLogger("concierge.accounts.signin")


@cache
def _trusted_networks(addresses: tuple[str, ...]):
    return [ipaddress.ip_network(address, strict=False) for address in addresses]


def is_trusted_proxy(address: str) -> bool:
    if not settings.TRUSTED_PROXY_ADDRESSES or not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network
               for network in _trusted_networks(tuple(settings.TRUSTED_PROXY_ADDRESSES)))


def principal_to_email(principal: str) -> str | None:
    """``anna@CORP.EXAMPLE.COM`` -> ``anna@example.com`` through REMOTE_USER_REALMS."""
    user, sep, realm = principal.strip().partition("@")
    if "\\" in user and not sep:  # DOMAIN\\user
        realm, _sep, user = user.partition("\\")
    if not user or not realm:
        return None
    realms = {key.upper(): value for key, value in settings.REMOTE_USER_REALMS.items()}
    domain = realms.get(realm.upper())
    if not domain:
        return None
    return f"{user.lower()}@{domain.lower()}"


class TrustedProxyRemoteUserMiddleware(PersistentRemoteUserMiddleware):
    """Reads the principal only from trusted proxies; keeps the session when it goes away."""

    @property
    def header(self) -> str:
        return settings.REMOTE_USER_HEADER

    def process_request(self, request):
        if self.header not in request.META:
            return None
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            logger.warning("ignored %s from untrusted address %s", self.header,
                           request.META.get("REMOTE_ADDR"))
            del request.META[self.header]
            return None
        return super().process_request(request)


class PrincipalBackend(RemoteUserBackend):
    """Finds the person for a Kerberos principal; creates nobody unless configured."""

    create_unknown_user = False

    def clean_username(self, username: str) -> str:
        return principal_to_email(username) or ""

    def authenticate(self, request, remote_user):
        if not remote_user:
            return None
        email = self.clean_username(remote_user)
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is None and email and settings.REMOTE_USER_CREATE:
            organisation = organisation_for_claims({}, email)
            if organisation is not None:
                user = User.objects.create_user(email=email, organisation=organisation,
                                                 display_name=email.partition("@")[0])
        if user is None or not self.user_can_authenticate(user):
            sign_in_record(request=request, login=remote_user, method="remote_user",
                           outcome=SignInOutcome.REFUSED,
                           reason="no active account for this principal")
            return None
        return user
