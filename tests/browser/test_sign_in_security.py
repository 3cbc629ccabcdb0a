"""Sign-in with SSO buttons and passkey, the second-factor pages and the sessions page:
axe-core finds no serious problems, nothing breaks the CSP, screenshots at 1280 and 390 px."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.browser.helpers import (
    AGENT,
    DESKTOP,
    EMPLOYEE,
    Viewport,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_in_english")]

PHONE_390 = Viewport("phone390", 390, 844, mobile=True)


@pytest.fixture
def sso_configured(settings):
    providers = settings.SOCIALACCOUNT_PROVIDERS
    settings.SOCIALACCOUNT_PROVIDERS = {
        **providers,
        "openid_connect": {**providers["openid_connect"], "APPS": [{
            "provider_id": "oidc", "name": "Alpenblick ID", "client_id": "portal",
            "secret": "s", "settings": {"server_url": "http://127.0.0.1:9/"}}]},
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_sign_in_and_security_pages(new_page, console, viewport, sso_configured):
    found = {}

    def check(page, name):
        shot(page, f"security-{name}", viewport)
        assert_no_horizontal_overflow(page, name)
        violations = axe_violations(page)
        if violations:
            found[f"{name} ({page.url})"] = violations

    page = new_page(viewport)
    page.goto("/accounts/login/")
    assert page.get_by_role("button", name="Sign in with Alpenblick ID").is_visible()
    assert page.get_by_role("button", name="Sign in with a passkey").is_visible()
    check(page, "sign-in")
    page.locator("input[name=login]").fill(EMPLOYEE)
    page.locator("input[name=password]").fill("wrong password")
    page.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    assert page.get_by_role("alert").is_visible()
    check(page, "sign-in-error")

    sign_in(page, EMPLOYEE)
    page.goto("/profile/")
    check(page, "profile")
    page.get_by_role("link", name="Your sessions").click()
    assert page.get_by_text("This session", exact=True).is_visible()
    check(page, "sessions")
    page.goto("/profile/")
    page.get_by_role("link", name="Set up a second factor").click()
    check(page, "mfa-overview")
    page.goto("/accounts/2fa/totp/activate/")
    check(page, "mfa-totp")
    page.locator("input[name=code]").fill("000000")
    page.locator("main form button[type=submit]").click()
    page.locator(".field__error").wait_for()
    check(page, "mfa-totp-wrong-code")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(format_hotp_value(hotp_value(secret, int(time.time())
                                                                     // 30)))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    page.goto("/accounts/2fa/recovery-codes/")
    check(page, "mfa-recovery-codes")
    page.goto("/accounts/2fa/")
    check(page, "mfa-overview-enrolled")
    page.goto("/accounts/2fa/webauthn/add/")
    check(page, "mfa-passkey")

    from concierge.accounts.choices import Role
    from concierge.accounts.models import Organisation
    from concierge.core.testing import UserFactory

    newcomer = UserFactory(email=f"new.agent.{viewport.name}@alpenblick.example", mfa=False,
                           organisation=Organisation.objects.get(slug="alpine"),
                           roles=[Role.AGENT])
    forced = new_page(viewport)
    forced.goto("/accounts/login/")
    forced.locator("input[name=login]").fill(newcomer.email)
    forced.locator("input[name=password]").fill("pw-for-tests-1")
    forced.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    forced.wait_for_url("**/accounts/2fa/")
    assert forced.get_by_text("needs a second factor").is_visible()
    check(forced, "mfa-required")
    forced.goto("/requests/")
    assert forced.url.endswith("/accounts/2fa/")

    agent = new_page(viewport)
    agent.goto("/accounts/login/")
    agent.locator("input[name=login]").fill(AGENT)
    agent.locator("input[name=password]").fill("concierge-demo")
    agent.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    agent.wait_for_url("**/accounts/2fa/authenticate/")
    check(agent, "mfa-code")

    console.assert_clean()
    assert not found, f"axe found serious or critical problems at {viewport.name} width:\n" + \
        "\n".join(f"\n== {where}\n{format_violations(v)}" for where, v in found.items())


def test_a_passkey_is_added_and_signs_in_without_a_password(new_page, console):
    """Chromium's virtual authenticator stands in for the phone or security key; allauth's
    WebAuthn script (a static file) must work under the portal's CSP."""
    page = new_page(DESKTOP)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    sign_in(page, EMPLOYEE)
    page.goto("/accounts/2fa/webauthn/add/")
    page.locator("input[name=name]").fill("Laptop")
    page.locator("input[name=passwordless]").check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    shot(page, "security-passkey-added", DESKTOP)
    page.goto("/profile/")
    assert page.get_by_text("Manage second factor").is_visible()

    page.locator(".user-menu summary").click()
    page.locator(".user-menu form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/profile/")
    assert page.url.endswith("/profile/")
    assert page.locator("main").get_by_text("anna.schmidt@alpenblick.example").is_visible()
    console.assert_clean()


def test_without_javascript_the_sign_in_page_offers_only_what_works(new_page, sso_configured):
    page = new_page(DESKTOP, js=False)
    page.goto("/accounts/login/")
    assert not page.get_by_role("button", name="Sign in with a passkey").is_visible()
    assert page.get_by_role("button", name="Sign in with Alpenblick ID").is_visible()
    sign_in(page, EMPLOYEE)
    page.goto("/profile/sessions/")
    page.get_by_role("button", name="End this session (sign out)").click()
    page.wait_for_url("**/accounts/login/")
