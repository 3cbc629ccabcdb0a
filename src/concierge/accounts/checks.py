"""Start-up checks of the SSO settings, so a typo stops the process instead of a sign-in."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register

from concierge.accounts.choices import GROUP_ROLES


@register()
def sso_settings_check(app_configs, **kwargs):
    errors = []
    for value, role in settings.SSO_ROLE_MAP.items():
        if role not in GROUP_ROLES:
            errors.append(Error(
                f"CONCIERGE_SSO_ROLES maps {value!r} to {role!r}, which is not a role",
                hint=f"Roles: {', '.join(GROUP_ROLES)}", id="concierge.accounts.E001"))
    for address in settings.TRUSTED_PROXY_ADDRESSES:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            errors.append(Error(
                f"CONCIERGE_TRUSTED_PROXY_ADDRESSES: {address!r} is not an address or network",
                id="concierge.accounts.E002"))
    if settings.TRUSTED_PROXY_ADDRESSES and not settings.REMOTE_USER_REALMS:
        errors.append(Error(
            "CONCIERGE_TRUSTED_PROXY_ADDRESSES is set but CONCIERGE_REMOTE_USER_REALMS is not: "
            "no principal could be matched to a person", id="concierge.accounts.E003"))
    return errors
