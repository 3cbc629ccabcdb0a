"""Signal receivers: every successful sign-in goes to the audit trail."""

from allauth.account.internal.flows.login import get_authentication_records
from django.contrib.auth import BACKEND_SESSION_KEY

from concierge.accounts.choices import SignInOutcome
from concierge.accounts.mfa import mfa_remember_check
from concierge.accounts.services import sign_in_record
from concierge.accounts.sessions import mark_session_seen


def _method(request, user) -> str:
    """How they proved who they are: e.g. ``password``, ``password+mfa:totp``, ``passkey``,
    ``sso:oidc``, ``remote_user``."""
    if request is None:
        return "unknown"
    if request.session.get(BACKEND_SESSION_KEY, "").endswith("PrincipalBackend"):
        return "remote_user"
    steps = []
    for record in get_authentication_records(request, user):
        method = record.get("method")
        if method == "socialaccount":
            steps.append(f"sso:{record.get('provider', '')}")
        elif method == "mfa":
            steps.append("passkey" if record.get("passwordless") else f"mfa:{record.get('type')}")
        elif method:
            steps.append(str(method))
    return "+".join(steps)[:40] or "password"


def sign_in_succeeded(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        # Done now, while signing in costs queries anyway, so pages do not pay for it.
        mark_session_seen(request)
        mfa_remember_check(request, user)
    sign_in_record(request=request, login=user.email, method=_method(request, user),
                   outcome=SignInOutcome.SUCCESS, user=user)


def memberships_changed(sender, instance, action, **kwargs) -> None:
    """A person's groups changed through the person (``user.groups.add(...)``): the roles and
    groups read earlier for this object are out of date."""
    if action.startswith("post_") and hasattr(instance, "forget_memberships"):
        instance.forget_memberships()
