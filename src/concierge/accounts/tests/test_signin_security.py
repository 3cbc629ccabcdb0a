"""Lock-out, enumeration, the sign-in audit trail and REMOTE_USER from trusted proxies."""

import pytest
from django.core import mail
from django.urls import reverse

from concierge.accounts.choices import SignInOutcome
from concierge.accounts.models import SignInEvent
from concierge.core.testing import UserFactory

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _production_rate_limits(settings):
    """The suite switches allauth's rate limits off; these tests need the real ones."""
    from concierge import settings as project

    settings.ACCOUNT_RATE_LIMITS = project.ACCOUNT_RATE_LIMITS


def attempt(client, email, password="wrong-password", ip="10.0.0.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


def test_five_failures_from_one_address_lock_that_account_there(client, employee):
    for _ in range(5):
        assert "not correct" in attempt(client, employee.email).content.decode()
    response = attempt(client, employee.email, PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(client)
    assert SignInEvent.objects.filter(login=employee.email, outcome=SignInOutcome.LOCKED).exists()


def test_the_same_account_may_still_sign_in_from_another_address(client, employee):
    for _ in range(5):
        attempt(client, employee.email, ip="10.0.0.1")
    assert attempt(client, employee.email, PASSWORD, ip="10.0.0.2").status_code == 302
    assert signed_in(client)


def test_the_cool_off_lasts_fifteen_minutes(client, employee, monkeypatch):
    from concierge.accounts import lockout

    timeouts = {}
    original_set = lockout.cache.set

    def spy(key, value, timeout=None):
        timeouts[key] = timeout
        return original_set(key, value, timeout)

    monkeypatch.setattr(lockout.cache, "set", spy)
    for _ in range(5):
        attempt(client, employee.email)
    lock_key = lockout._keys(employee.email, "10.0.0.1")[1]
    assert timeouts[lock_key] == 15 * 60
    lockout.cache.delete(lock_key)  # what the cache does when the 15 minutes are over
    assert attempt(client, employee.email, PASSWORD).status_code == 302


def test_failures_for_many_accounts_from_one_address_do_not_lock_out_the_office(client, org,
                                                                               employee):
    for index in range(30):
        attempt(client, f"someone{index}@acme.example", ip="192.0.2.10")
    for _ in range(4):
        attempt(client, employee.email, ip="192.0.2.10")
    assert attempt(client, employee.email, PASSWORD, ip="192.0.2.10").status_code == 302


def test_a_hundred_failures_an_hour_from_anywhere_block_the_account(client, employee):
    for index in range(100):
        attempt(client, employee.email, ip=f"10.1.{index // 4}.{index % 4 + 1}")
    response = attempt(client, employee.email, PASSWORD, ip="10.9.9.9")
    assert "Too many failed login attempts" in response.content.decode()


def test_a_correct_password_forgives_earlier_typos_from_that_address(client, employee):
    for _ in range(4):
        attempt(client, employee.email)
    assert attempt(client, employee.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, employee.email)
    assert attempt(client, employee.email, PASSWORD).status_code == 302


def test_unknown_and_known_accounts_get_the_same_answer(client, employee):
    known = attempt(client, employee.email).content.decode()
    unknown = attempt(client, "nobody@acme.example").content.decode()

    def message(page):
        return page.split('role="alert">', 1)[1].split("<", 1)[0]

    assert message(known) == message(unknown)
    for _ in range(5):
        attempt(client, "nobody@acme.example")
    assert "Too many failed login attempts" in \
        attempt(client, "nobody@acme.example").content.decode()


def test_password_reset_answers_the_same_whether_or_not_the_account_exists(client, employee):
    known = client.post(reverse("account_reset_password"), {"email": employee.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@acme.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Only the mailbox learns whether it has an account; only the real one gets a reset link.
    links = {message.to[0]: "/password/reset/key/" in message.body for message in mail.outbox}
    assert links == {employee.email: True, "nobody@acme.example": False}


def test_every_sign_in_is_audited(client, employee):
    attempt(client, employee.email)
    attempt(client, employee.email, PASSWORD)
    outcomes = list(SignInEvent.objects.filter(login=employee.email)
                    .order_by("created_at").values_list("outcome", "method", "ip"))
    assert outcomes == [(SignInOutcome.FAILURE, "password", "10.0.0.1"),
                        (SignInOutcome.SUCCESS, "password", "10.0.0.1")]


# --- REMOTE_USER ---------------------------------------------------------------------------

@pytest.fixture
def kerberos(settings):
    settings.TRUSTED_PROXY_ADDRESSES = ["10.20.0.0/24"]
    settings.REMOTE_USER_REALMS = {"CORP.ACME.EXAMPLE": "acme.example"}
    settings.SSO_DOMAIN_ORGANISATIONS = {"acme.example": "acme"}


def test_a_trusted_proxy_signs_the_principal_in(client, employee, kerberos):
    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="10.20.0.5",
                          HTTP_X_REMOTE_USER="emma@CORP.ACME.EXAMPLE")
    assert response.status_code == 200
    assert response.context["user"] == employee
    assert SignInEvent.objects.filter(user=employee, method="remote_user",
                                      outcome=SignInOutcome.SUCCESS).exists()


def test_the_header_from_an_untrusted_address_is_ignored(client, employee, kerberos):
    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="203.0.113.7",
                          HTTP_X_REMOTE_USER="emma@CORP.ACME.EXAMPLE")
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_without_trusted_proxies_the_header_is_never_believed(client, employee, settings):
    settings.REMOTE_USER_REALMS = {"CORP.ACME.EXAMPLE": "acme.example"}
    settings.TRUSTED_PROXY_ADDRESSES = []
    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="127.0.0.1",
                          HTTP_X_REMOTE_USER="emma@CORP.ACME.EXAMPLE")
    assert response.status_code == 302


def test_an_unknown_principal_is_not_created_unless_configured(client, org, kerberos, settings):
    from concierge.accounts.models import User

    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="10.20.0.5",
                          HTTP_X_REMOTE_USER="newbie@CORP.ACME.EXAMPLE")
    assert response.status_code == 302
    assert not User.objects.filter(email="newbie@acme.example").exists()
    settings.REMOTE_USER_CREATE = True
    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="10.20.0.5",
                          HTTP_X_REMOTE_USER="newbie@CORP.ACME.EXAMPLE")
    assert response.status_code == 200
    assert User.objects.get(email="newbie@acme.example").organisation == org


def test_a_principal_from_an_unmapped_realm_is_refused(client, employee, kerberos):
    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="10.20.0.5",
                          HTTP_X_REMOTE_USER="emma@EVIL.EXAMPLE")
    assert response.status_code == 302


def test_an_inactive_person_is_not_signed_in_by_the_proxy(client, kerberos, org):
    UserFactory(email="gone@acme.example", organisation=org, is_active=False)
    response = client.get(reverse("accounts:profile"), REMOTE_ADDR="10.20.0.5",
                          HTTP_X_REMOTE_USER="gone@CORP.ACME.EXAMPLE")
    assert response.status_code == 302


def test_bad_sso_and_proxy_settings_stop_the_start(settings):
    from concierge.accounts.checks import sso_settings_check

    settings.SSO_ROLE_MAP = {"it-desk": "superhero"}
    settings.TRUSTED_PROXY_ADDRESSES = ["not-an-address"]
    settings.REMOTE_USER_REALMS = {}
    ids = {error.id for error in sso_settings_check(None)}
    assert ids == {"concierge.accounts.E001", "concierge.accounts.E002",
                   "concierge.accounts.E003"}


def test_the_audit_trail_is_read_only_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:accounts_signinevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_signinevent_add")).status_code == 403


def test_the_admin_has_no_sign_in_form_of_its_own(client, admin_user):
    """Django's admin login would skip the lock-out, the second factor and the audit."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
