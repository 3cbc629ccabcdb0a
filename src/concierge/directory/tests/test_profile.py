"""Changing the directory password while signed in; confirming the second factors."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from concierge.core.testing import UserFactory
from concierge.directory import sms
from concierge.directory.client import Directory
from concierge.directory.models import AuditEvent


@pytest.fixture
def person_client(client, ldap_person, org):
    person = ldap_person()
    user = UserFactory(email=person.mail, organisation=org)
    client.force_login(user)
    return client, person, user


def test_profile_links_to_password_pages_when_connected(person_client):
    client, _, _ = person_client
    page = client.get(reverse("accounts:profile")).content
    assert reverse("directory:change").encode() in page
    assert reverse("directory:contact").encode() in page


def test_change_needs_the_current_password(person_client):
    client, person, _ = person_client
    url = reverse("directory:change")
    response = client.post(url, {"old_password": "not-it", "password1": "Changed-pw-2026!",
                                 "password2": "Changed-pw-2026!"})
    assert response.status_code == 422
    assert b"The password is not right." in response.content
    response = client.post(url, {"old_password": person.password, "password1": "weak",
                                 "password2": "weak"})
    assert response.status_code == 422
    assert b"Use at least 10 characters." in response.content


def test_change_sets_it_and_ends_the_other_sessions(person_client):
    client, person, user = person_client
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(user)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200  # a session in use
    response = client.post(reverse("directory:change"), {
        "old_password": person.password, "password1": "Changed-pw-2026!",
        "password2": "Changed-pw-2026!"})
    assert response["Location"] == reverse("accounts:profile")
    assert Directory().authenticate(person.uid, "Changed-pw-2026!") is not None
    assert list(Session.objects.values_list("session_key", flat=True)) == \
        [client.session.session_key]
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="directory.password.changed",
                                     result="success").count() == 1


def test_change_needs_sign_in(client, directory):
    response = client.get(reverse("directory:change"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mobile_is_confirmed_with_a_code(person_client):
    client, _, user = person_client
    url = reverse("directory:contact")
    client.post(url, {"field": "mobile", "action": "send", "mobile": "+49 170 999"})
    user.refresh_from_db()
    assert user.mobile == "+49 170 999" and user.mobile_verified_at is None
    assert sms.outbox[-1].to == "+49 170 999"
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text)[1]
    bad = client.post(url, {"field": "mobile", "action": "verify", "code": "000000"
                            if code != "000000" else "111111"})
    assert bad.status_code == 422
    client.post(url, {"field": "mobile", "action": "verify", "code": code})
    user.refresh_from_db()
    assert user.mobile_verified_at is not None


def test_private_email_is_confirmed_with_a_code(person_client, mailoutbox):
    client, _, user = person_client
    url = reverse("directory:contact")
    client.post(url, {"field": "private_email", "action": "send",
                      "private_email": "me@home.example"})
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body)[1]
    client.post(url, {"field": "private_email", "action": "verify", "code": code})
    user.refresh_from_db()
    assert user.private_email == "me@home.example" and user.private_email_verified_at


def test_contact_bad_input(person_client):
    client, _, _ = person_client
    url = reverse("directory:contact")
    response = client.post(url, {"field": "mobile", "action": "send", "mobile": "call me"})
    assert response.status_code == 422
    assert b"like +49 170 1234567" in response.content
    assert client.post(url, {"field": "is_superuser", "action": "send"}).status_code == 302
