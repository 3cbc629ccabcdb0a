"""Demo: the agents and administrators of the demo company have an authenticator app.

They all share DEMO_MFA_SECRET, and in demo mode the code page shows the current code, so the
demo works without a phone. Idempotent (load_demo runs on every ``make run``).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from concierge.accounts.mfa import mfa_required_for
from concierge.accounts.models import User

DEMO_MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def demo_totp_code(at: float | None = None) -> str:
    import time

    return format_hotp_value(hotp_value(DEMO_MFA_SECRET, int(at or time.time()) // 30))


def load_demo_mfa(people: dict[str, User]) -> None:
    enrolled = set(Authenticator.objects.filter(type=Authenticator.Type.TOTP)
                   .values_list("user_id", flat=True))
    for user in people.values():
        if user.pk not in enrolled and mfa_required_for(user):
            TOTP.activate(user, DEMO_MFA_SECRET)
            RecoveryCodes.activate(user)
