"""Second factor: required for agents and admins, offered to employees; TOTP and recovery
codes end to end. Sessions: listed on the profile, ended one by one or all others."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from concierge.accounts.choices import Role, SignInOutcome
from concierge.accounts.models import SignInEvent
from concierge.core.testing import UserFactory, enrol_mfa

PASSWORD = "pw-for-tests-1"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def password_sign_in(client, user, ip="10.0.0.1", agent="Mozilla/5.0 (Windows NT 10.0) "
                     "AppleWebKit/537.36 Chrome/130.0 Safari/537.36"):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                       REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


@pytest.mark.parametrize("kind", ["agent", "admin role", "staff"])
def test_agents_and_admins_must_enrol_before_using_the_portal(client, org, kind):
    extra = {"agent": {"roles": [Role.AGENT]}, "admin role": {"roles": [Role.ADMIN]},
             "staff": {"is_staff": True}}[kind]
    person = UserFactory(organisation=org, mfa=False, **extra)
    client.force_login(person)
    for path in ["/", reverse("tickets:list"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_index")
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert "needs a second factor" in page.content.decode()


def test_htmx_requests_are_sent_to_the_mfa_page_too(client, org):
    client.force_login(UserFactory(organisation=org, mfa=False, roles=[Role.AGENT]))
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_employees_are_not_forced_but_offered_mfa_on_their_profile(employee_client):
    assert employee_client.get("/").status_code == 200
    page = employee_client.get(reverse("accounts:profile")).content.decode()
    assert "Set up a second factor" in page
    assert reverse("mfa_index") in page


def test_an_agent_enrols_an_authenticator_app_and_may_then_work(client, org):
    agent = UserFactory(organisation=org, mfa=False, roles=[Role.AGENT])
    assert password_sign_in(client, agent)["Location"] == "/"
    assert client.get("/")["Location"] == reverse("mfa_index")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert 'src="data:image/svg+xml;base64' in page.content.decode()  # QR code, no JS
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=agent,
                                        type=Authenticator.Type.RECOVERY_CODES).exists()
    # The middleware re-checks at most every few minutes; a fresh session sees it at once.
    fresh = Client()
    password_sign_in(fresh, agent)
    fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert fresh.get("/").status_code == 200


def test_an_agent_who_removes_their_authenticator_must_set_one_up_again(client, org):
    agent = UserFactory(organisation=org, mfa=False, roles=[Role.AGENT])
    secret = enrol_mfa(agent)
    password_sign_in(client, agent)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get("/").status_code == 200
    response = client.post(reverse("mfa_deactivate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/")["Location"] == reverse("mfa_index")


def test_sign_in_asks_for_the_code_and_accepts_a_generated_one(client, employee):
    secret = enrol_mfa(employee)
    response = password_sign_in(client, employee)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/").status_code == 302  # not signed in yet
    bad = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert bad.status_code == 200
    assert client.post(reverse("mfa_authenticate"),
                       {"code": totp_code(secret)})["Location"] == "/"
    assert client.get("/").status_code == 200
    assert SignInEvent.objects.filter(user=employee, outcome=SignInOutcome.SUCCESS).get() \
        .method == "password+mfa:totp"


def test_a_recovery_code_works_once(client, employee):
    enrol_mfa(employee)
    code = RecoveryCodes.activate(employee).get_unused_codes()[0]
    password_sign_in(client, employee)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/"
    client.logout()
    password_sign_in(client, employee)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200


def test_the_passkey_button_is_on_the_sign_in_page_with_its_script_as_a_file(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert 'id="passkey_login"' in page
    assert "mfa/js/webauthn.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it


# --- Sessions ------------------------------------------------------------------------------

def test_the_sessions_page_lists_devices_and_addresses(client, employee):
    other = Client()
    password_sign_in(other, employee, ip="10.0.0.9",
                     agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                           "AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")
    password_sign_in(client, employee)
    page = client.get(reverse("accounts:sessions")).content.decode()
    assert "Chrome on Windows" in page and "Safari on iPhone" in page
    assert "10.0.0.9" in page and "This session" in page
    assert "End all other sessions" in page


def test_ending_another_session_signs_that_device_out(client, employee):
    other = Client()
    password_sign_in(other, employee, ip="10.0.0.9")
    password_sign_in(client, employee)
    theirs = UserSession.objects.get(ip="10.0.0.9")
    response = client.post(reverse("accounts:session-end", args=[theirs.pk]))
    assert response["Location"] == reverse("accounts:sessions")
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_ending_all_others_keeps_this_one(client, employee):
    phones = [Client(), Client()]
    for index, phone in enumerate(phones):
        password_sign_in(phone, employee, ip=f"10.0.1.{index + 1}")
    password_sign_in(client, employee)
    client.post(reverse("accounts:session-end-others"))
    assert all(phone.get("/").status_code == 302 for phone in phones)
    assert client.get("/").status_code == 200
    assert UserSession.objects.filter(user=employee).count() == 1


def test_ending_this_session_signs_out(client, employee):
    password_sign_in(client, employee)
    mine = UserSession.objects.get(user=employee)
    assert client.post(reverse("accounts:session-end", args=[mine.pk]))["Location"] == \
        reverse("account_login")
    assert client.get("/").status_code == 302


def test_someone_elses_session_is_404(client, employee, outsider):
    password_sign_in(Client(), outsider, ip="10.0.0.7")
    password_sign_in(client, employee)
    theirs = UserSession.objects.get(user=outsider)
    assert client.post(reverse("accounts:session-end", args=[theirs.pk])).status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_ending_a_session_needs_post(client, employee):
    password_sign_in(client, employee)
    mine = UserSession.objects.get(user=employee)
    assert client.get(reverse("accounts:session-end", args=[mine.pk])).status_code == 405
    assert client.get(reverse("accounts:session-end-others")).status_code == 405


def test_the_sessions_page_needs_a_sign_in(client, db):
    assert client.get(reverse("accounts:sessions")).status_code == 302


def test_allauths_own_sessions_page_sends_people_to_ours(client, employee):
    other = Client()
    password_sign_in(other, employee, ip="10.0.0.9")
    password_sign_in(client, employee)
    response = client.get("/accounts/sessions/")
    assert response.status_code == 301 and response["Location"] == reverse("accounts:sessions")
    # allauth's own links and its form land there too, and its form ends nothing.
    assert client.get(reverse("usersessions_list"))["Location"] == reverse("accounts:sessions")
    response = client.post("/accounts/sessions/", {"action": "logout"}, follow=True)
    assert response.redirect_chain == [(reverse("accounts:sessions"), 301)]
    assert "Your sessions" in response.content.decode()
    assert other.get("/").status_code == 200 and UserSession.objects.count() == 2


def test_allauths_sessions_page_sends_visitors_to_sign_in_via_ours(client, db):
    response = client.get("/accounts/sessions/", follow=True)
    assert [url for url, _status in response.redirect_chain][:1] == [
        reverse("accounts:sessions")]
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_last_seen_is_refreshed_every_few_minutes_not_on_every_page(client, employee):
    password_sign_in(client, employee)
    client.get(reverse("accounts:profile"))
    session = client.session
    session["concierge_session_seen"] = 0
    session.save()
    before = UserSession.objects.get(user=employee).last_seen_at
    client.get(reverse("accounts:profile"), REMOTE_ADDR="10.0.0.42")
    touched = UserSession.objects.get(user=employee)
    assert touched.last_seen_at > before and touched.ip == "10.0.0.42"


def test_demo_staff_share_an_authenticator_whose_code_the_demo_shows(client, org, settings):
    from concierge.accounts.demo import DEMO_MFA_SECRET, demo_totp_code, load_demo_mfa

    settings.DEMO_MODE = True
    agent = UserFactory(organisation=org, mfa=False, roles=[Role.AGENT])
    employee = UserFactory(organisation=org)
    load_demo_mfa({"a": agent, "e": employee})
    load_demo_mfa({"a": agent, "e": employee})  # idempotent
    assert Authenticator.objects.filter(user=agent).count() == 2  # TOTP + recovery codes
    assert not Authenticator.objects.filter(user=employee).exists()
    password_sign_in(client, agent)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert demo_totp_code() in page
    assert demo_totp_code() == totp_code(DEMO_MFA_SECRET)
    settings.DEMO_MODE = False
    assert demo_totp_code() not in client.get(reverse("mfa_authenticate")).content.decode()


def test_pages_after_sign_in_pay_nothing_for_mfa_and_session_tracking(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = UserFactory(organisation=org, roles=[Role.AGENT])
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:profile")).status_code == 200
        assert client.get(reverse("tickets:list")).status_code == 200
    mine = [q["sql"] for q in queries.captured_queries
            if "usersessions_usersession" in q["sql"] or "mfa_authenticator" in q["sql"]]
    # The profile shows whether MFA is on (one query); the work list pays nothing.
    assert len(mine) == 1 and "mfa_authenticator" in mine[0]


def test_the_sessions_page_costs_the_same_for_one_session_or_five(client, employee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    password_sign_in(client, employee)
    client.get(reverse("accounts:sessions"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("accounts:sessions"))
    for index in range(4):
        password_sign_in(Client(), employee, ip=f"10.0.2.{index + 1}")
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("accounts:sessions")).content.decode()
    assert page.count("End this session") == 5
    assert len(five) == len(one) <= 10


def test_expired_and_outdated_sessions_leave_the_list(client, employee):
    from django.contrib.sessions.models import Session

    old, changed = Client(), Client()
    password_sign_in(old, employee, ip="10.0.3.1")
    password_sign_in(changed, employee, ip="10.0.3.2")
    password_sign_in(client, employee)
    Session.objects.filter(session_key=old.session.session_key).delete()
    stale = Session.objects.get(session_key=changed.session.session_key)
    data = stale.get_decoded()
    data["_auth_user_hash"] = "outdated"
    stale.session_data = Session.objects.encode(data)
    stale.save()
    page = client.get(reverse("accounts:sessions")).content.decode()
    assert "10.0.3.1" not in page and "10.0.3.2" not in page
    assert UserSession.objects.filter(user=employee).count() == 1
