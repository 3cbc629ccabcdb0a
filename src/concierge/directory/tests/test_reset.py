"""Resetting a forgotten password or unlocking the account from the sign-in page."""

import re

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from concierge.core.testing import UserFactory
from concierge.directory import sms
from concierge.directory.client import Directory
from concierge.directory.models import AuditEvent

# Per-response randomness every page has: the CSRF token and the CSP nonce of scripts.
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')


def start(client, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("directory:reset"), {"login": login})


def sms_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text)[1]


def test_the_answer_is_the_same_whether_or_not_the_account_exists(
        client, ldap_person, django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 555")
    pages = []
    for login in (person.uid, "nobody-at-all"):
        client.cookies.clear()
        response = start(client, login, django_capture_on_commit_callbacks)
        assert response.status_code == 302
        assert response["Location"] == reverse("directory:reset-code")
        page = client.get(response["Location"]).content
        pages.append(CSRF.sub(b"", page).replace(login.encode(), b"LOGIN"))
    assert pages[0] == pages[1]
    assert len(sms.outbox) == 1  # only the real account got a code


def test_locked_out_person_unlocks_with_an_sms_code_and_sessions_end(
        client, directory, ldap_person, org, django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 556")
    user = UserFactory(email=person.mail, organisation=org)
    other = type(client)()
    other.force_login(user)
    assert other.get(reverse("accounts:profile")).status_code == 200  # a session in use
    directory.lock_out(person)
    start(client, person.mail, django_capture_on_commit_callbacks)
    assert sms.outbox[-1].to == "+49 170 556"
    response = client.post(reverse("directory:reset-code"), {"code": sms_code()})
    assert response["Location"] == reverse("directory:reset-choose")
    page = client.get(reverse("directory:reset-choose"))
    assert b"Only unlock my account" in page.content
    response = client.post(reverse("directory:reset-choose"), {"action": "unlock"})
    assert response["Location"] == reverse("directory:reset-done")
    assert b"Your account is unlocked" in client.get(response["Location"]).content
    assert Directory().authenticate(person.uid, person.password) is not None
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exclude(
        session_key=client.session.session_key).exists()
    assert other.get(reverse("accounts:profile")).status_code == 302  # signed out
    actions = set(AuditEvent.objects.filter(dn__icontains=person.uid).values_list(
        "action", "result"))
    assert {("directory.reset.started", "success"), ("directory.reset.code_sent", "success"),
            ("directory.reset.verified", "success"),
            ("directory.account.unlocked", "success")} <= actions


def test_new_password_is_checked_then_set(client, directory, ldap_person,
                                          django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 557")
    directory.lock_out(person)
    start(client, person.uid, django_capture_on_commit_callbacks)
    client.post(reverse("directory:reset-code"), {"code": sms_code()})
    url = reverse("directory:reset-choose")
    for password, message in (
            ("short", b"Use at least 10 characters."),
            ("alllowercaseletters", b"Mix at least 3 of"),
            ("Password123", b"one of the most common"),
            (person.password, b"used this password before"),
            (f"{person.uid.capitalize()}-x-2026", b"your name or user name")):
        response = client.post(url, {"action": "password", "password1": password,
                                     "password2": password})
        assert response.status_code == 422, password
        assert message in response.content, password
    response = client.post(url, {"action": "password", "password1": "Fresh-start-2026!",
                                 "password2": "Fresh-start-2026!"})
    assert response["Location"] == reverse("directory:reset-done")
    assert Directory().authenticate(person.uid, "Fresh-start-2026!") is not None
    assert AuditEvent.objects.filter(action="directory.password.reset",
                                     result="failure").count() == 5
    assert not AuditEvent.objects.filter(detail__icontains="Fresh-start").exists()
    # the reset is finished: its screens start again from the beginning
    assert client.get(url)["Location"] == reverse("directory:reset")


def test_wrong_codes_are_refused_and_then_no_code_works(client, ldap_person,
                                                        django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 558")
    start(client, person.uid, django_capture_on_commit_callbacks)
    code = sms_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        response = client.post(reverse("directory:reset-code"), {"code": wrong})
        assert response.status_code == 422
        assert b"not right or has expired" in response.content
    response = client.post(reverse("directory:reset-code"), {"code": code})
    assert response.status_code == 422
    assert client.get(reverse("directory:reset-choose"))["Location"] == \
        reverse("directory:reset")


def test_authenticator_app_code_works(client, ldap_person, org,
                                      django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    person = ldap_person()  # no mobile: only the app
    user = UserFactory(email=person.mail, organisation=org)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    start(client, person.mail, django_capture_on_commit_callbacks)
    assert sms.outbox == []
    counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post(reverse("directory:reset-code"), {"code": code})
    assert response["Location"] == reverse("directory:reset-choose")


def test_private_email_gets_the_code_once_confirmed(client, ldap_person, org, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    person = ldap_person()
    UserFactory(email=person.mail, organisation=org, private_email="me@home.example",
                private_email_verified_at=timezone.now())
    UserFactory(email="unconfirmed@acme.example", organisation=org,
                private_email="not-me@home.example")
    start(client, person.mail, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["me@home.example"]]
    code = re.search(r"\b(\d{6})\b", mailoutbox[0].body)[1]
    response = client.post(reverse("directory:reset-code"), {"code": code})
    assert response["Location"] == reverse("directory:reset-choose")


def test_three_resets_per_account_per_hour(client, ldap_person,
                                           django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 559")
    for login in (person.uid, person.mail, person.uid.upper()):
        assert start(client, login, django_capture_on_commit_callbacks).status_code == 302
    response = start(client, person.uid, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert b"Too many attempts for this account" in response.content
    assert AuditEvent.objects.filter(action="directory.reset.started",
                                     result="refused").count() == 1


def test_per_address_limit(client, settings, ldap_person, django_capture_on_commit_callbacks):
    settings.DIRECTORY_RESETS_PER_ADDRESS = 2
    for number in range(2):
        assert start(client, f"someone{number}", django_capture_on_commit_callbacks) \
            .status_code == 302
    response = start(client, "someone-else", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert b"from this network" in response.content


def test_screens_need_the_steps_before(client, directory):
    assert client.get(reverse("directory:reset-code"))["Location"] == reverse("directory:reset")
    assert client.get(reverse("directory:reset-choose"))["Location"] == \
        reverse("directory:reset")
    assert client.get(reverse("directory:reset-done"))["Location"] == reverse("directory:reset")
    assert client.put(reverse("directory:reset")).status_code == 405


def test_empty_name_is_a_form_error(client, directory):
    response = client.post(reverse("directory:reset"), {"login": "  "})
    assert response.status_code == 422
    assert b"This field is required" in response.content


def test_directory_down_gives_a_clear_message(client, settings, directory):
    from concierge.directory.slapd import free_port

    settings.DIRECTORY_URL = f"ldap://127.0.0.1:{free_port()}"
    settings.DIRECTORY_TIMEOUT = 1
    response = client.post(reverse("directory:reset"), {"login": "emma"})
    assert response.status_code == 503
    assert b"cannot be reached" in response.content
    assert AuditEvent.objects.filter(result="unavailable").exists()


def test_without_a_directory_the_pages_say_so_and_sign_in_has_no_link(client, settings, db):
    settings.DIRECTORY_URL = ""
    response = client.get(reverse("directory:reset"))
    assert response.status_code == 503
    assert b"Directory not connected" in response.content
    assert b'href="/password/"' not in client.get(reverse("account_login")).content


def test_sign_in_page_links_to_the_reset(client, directory):
    assert b'href="/password/"' in client.get(reverse("account_login")).content


def test_a_disabled_account_gets_no_code(client, ldap_person,
                                         django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 560")
    directory = Directory()
    directory.set_enabled(directory.find_user(person.uid).dn, False)
    response = start(client, person.uid, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("directory:reset-code")
    assert sms.outbox == []
    assert AuditEvent.objects.filter(detail="account disabled").exists()


def test_code_page_queries_stay_few(client, ldap_person, django_assert_max_num_queries,
                                    django_capture_on_commit_callbacks):
    person = ldap_person(mobile="+49 170 561")
    start(client, person.uid, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("directory:reset-code")).status_code == 200
