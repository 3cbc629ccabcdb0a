"""Signal receivers: every successful sign-in goes to the audit trail."""

from allauth.account.internal.flows.login import get_authentication_records
from django.contrib.auth import BACKEND_SESSION_KEY

from concierge.accounts.choices import SignInOutcome
from concierge.accounts.services import sign_in_record


def _method(request, user) -> str:
    if request is None:
        return "unknown"
    if request.session.get(BACKEND_SESSION_KEY, "").endswith("PrincipalBackend"):
        return "remote_user"
    records = get_authentication_records(request, user)
    if records:
        first = records[0]
        if first.get("method") == "socialaccount":
            return f"sso:{first.get('provider', '')}"
        if first.get("method") == "mfa" and first.get("passwordless"):
            return "passkey"
        return str(first.get("method", "password"))
    return "password"


def sign_in_succeeded(sender, request, user, **kwargs) -> None:
    sign_in_record(request=request, login=user.email, method=_method(request, user),
                   outcome=SignInOutcome.SUCCESS, user=user)
