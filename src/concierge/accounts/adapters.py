"""allauth's account adapter: signup closed, lock-out and audit of password sign-ins."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context

from concierge.accounts.choices import SignInOutcome
from concierge.accounts.lockout import (
    lockout_is_locked,
    lockout_record_failure,
    lockout_record_success,
)
from concierge.accounts.services import client_ip, sign_in_record


def _login_of(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


class AccountAdapter(DefaultAccountAdapter):
    """People come from the organisation's directory, SSO or the admin: nobody signs up alone.

    Password sign-in is limited by concierge.accounts.lockout instead of allauth's per-address
    rate limit, and every attempt is written to the sign-in audit trail.
    """

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Someone who signed in a moment ago (e.g. and is now told to set up MFA) is not asked
        for their password again; later, sensitive changes ask as usual."""
        request = context.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1].get("at", 0) < \
                    account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def pre_authenticate(self, request, **credentials) -> None:
        login = _login_of(credentials)
        if lockout_is_locked(login=login, ip=client_ip(request)):
            sign_in_record(request=request, login=login, method="password",
                           outcome=SignInOutcome.LOCKED)
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            lockout_record_success(login=_login_of(credentials), ip=client_ip(request))
        return user

    def authentication_failed(self, request, **credentials) -> None:
        login = _login_of(credentials)
        locked = lockout_record_failure(login=login, ip=client_ip(request))
        sign_in_record(request=request, login=login, method="password",
                       outcome=SignInOutcome.FAILURE,
                       reason="wrong password or unknown account" +
                              ("; lock-out started" if locked else ""))
