"""Agents and administrators must enrol a second factor before they use the portal.

Who must: people with the agent, admin or service-manager role (the reports show agents' and
departments' results), and everyone who may use the admin (is_staff). Until they have TOTP or a
passkey/security key, every page except the MFA set-up pages, signing out and static files
redirects to the MFA overview with a message saying why. Employees may
enrol from their profile; nothing forces them.
"""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from concierge.accounts.choices import Role

# Pages a person who must enrol may still open.
_ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/",
                     "/static/", "/i18n/", "/favicon")
_SESSION_KEY = "concierge_mfa_ok"
_RECHECK = 300
_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def mfa_required_for(user) -> bool:
    return user.is_staff or user.is_superuser or user.has_role(Role.AGENT) or \
        user.has_role(Role.ADMIN) or user.has_role(Role.SERVICE_MANAGER)


def mfa_remember_check(request, user) -> bool:
    """Check whether ``user`` must still enrol; remember a pass in the session."""
    if mfa_required_for(user) and not is_mfa_enabled(user, _FACTORS):
        request.session.pop(_SESSION_KEY, None)
        return True
    request.session[_SESSION_KEY] = [user.pk, int(time.time())]
    return False


def _needs_enrolment(request) -> bool:
    """Checked at sign-in and then at most every _RECHECK seconds, so pages cost no queries."""
    checked = request.session.get(_SESSION_KEY)
    if checked and checked[0] == request.user.pk and time.time() - checked[1] < _RECHECK:
        return False
    return mfa_remember_check(request, request.user)


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and \
                not request.path.startswith(_ALLOWED_PREFIXES) and _needs_enrolment(request):
            messages.warning(request, _(
                "Your role lets you see other people's requests, so your account needs a "
                "second factor. Set up an authenticator app or a passkey to continue."),
                fail_silently=True)
            if request.headers.get("HX-Request"):
                response = redirect("mfa_index")
                response["HX-Redirect"] = reverse("mfa_index")
                return response
            return redirect("mfa_index")
        return self.get_response(request)


def mfa_forget_check(sender, request, **kwargs) -> None:
    """A factor was removed: check again on the next page, not minutes later."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(_SESSION_KEY, None)
