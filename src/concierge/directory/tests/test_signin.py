"""Signing in with the directory password; the portal account follows the directory."""

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from concierge.accounts.models import User
from concierge.core.testing import OrganisationFactory, UserFactory
from concierge.directory.client import Directory
from concierge.directory.models import AuditEvent


@pytest.fixture
def backends(settings, directory):
    settings.AUTHENTICATION_BACKENDS = ["concierge.directory.backends.DirectoryBackend",
                                        *settings.AUTHENTICATION_BACKENDS]


def test_sign_in_form_makes_the_account_in_the_mapped_organisation(
        client, backends, ldap_person, org):
    person = ldap_person(title="Controller", department="Controlling", phone="+49 89 77")
    response = client.post(reverse("account_login"),
                           {"login": person.mail, "password": person.password})
    assert response.status_code == 302
    user = User.objects.get(email=person.mail)
    assert (user.organisation, user.display_name, user.job_title, user.phone) == (
        org, f"Pat {person.surname}", "Controller", "+49 89 77")
    assert user.department.name == "Controlling"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="directory.signin", result="success",
                                     user=user).exists()


def test_existing_account_is_updated_not_duplicated(backends, ldap_person, org):
    person = ldap_person(title="New title")
    existing = UserFactory(email=person.mail, organisation=org, job_title="Old title")
    assert authenticate(email=person.mail.upper(), password=person.password) == existing
    existing.refresh_from_db()
    assert existing.job_title == "New title"
    assert User.objects.filter(email=person.mail).count() == 1


def test_wrong_password_is_refused_and_audited(backends, ldap_person):
    person = ldap_person()
    assert authenticate(email=person.mail, password="wrong") is None
    assert AuditEvent.objects.filter(action="directory.signin", result="failure").exists()


def test_empty_password_never_reaches_the_directory(backends, monkeypatch, ldap_person):
    person = ldap_person()

    def no_connection(*args, **kwargs):
        raise AssertionError("the directory was contacted")

    monkeypatch.setattr(Directory, "connect", no_connection)
    assert authenticate(email=person.mail, password="") is None
    assert authenticate(username=person.uid, password="") is None


def test_nobody_is_made_in_an_organisation_that_is_not_configured(
        settings, backends, ldap_person):
    settings.DIRECTORY_ORGANISATIONS = [("acme", "ou=elsewhere,dc=example,dc=org")]
    person = ldap_person()
    assert authenticate(email=person.mail, password=person.password) is None
    assert not User.objects.filter(email=person.mail).exists()


def test_an_account_of_another_organisation_is_not_taken_over(backends, ldap_person):
    person = ldap_person()
    UserFactory(email=person.mail, organisation=OrganisationFactory(slug="other"))
    assert authenticate(email=person.mail, password=person.password) is None


def test_backend_is_configured_only_with_a_directory_url():
    from django.conf import settings

    assert ("concierge.directory.backends.DirectoryBackend" in
            settings.AUTHENTICATION_BACKENDS) == bool(settings.DIRECTORY_URL)
