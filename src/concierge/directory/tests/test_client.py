"""The directory client against a real slapd (OpenLDAP mode)."""

import pytest

from concierge.directory import slapd
from concierge.directory.client import (
    Directory,
    DirectoryConfig,
    DirectoryUnavailable,
    PasswordRejected,
    WrongPassword,
)


@pytest.fixture
def client(directory):
    return Directory()


def test_finds_a_person_by_mail_or_user_name(client, ldap_person):
    person = ldap_person(mobile="+49 170 1")
    by_mail = client.find_user(person.mail.upper())
    by_uid = client.find_user(person.uid)
    assert by_mail == by_uid
    assert by_mail.dn == f"uid={person.uid},{slapd.PEOPLE_DN}"
    assert (by_mail.mail, by_mail.title, by_mail.department, by_mail.mobile) == (
        person.mail, "Clerk", "Finance", "+49 170 1")
    assert not by_mail.locked and not by_mail.disabled


def test_filter_characters_in_what_people_type_are_escaped(client, ldap_person):
    ldap_person()
    assert client.find_user("*") is None
    assert client.find_user("pat*)(uid=*") is None


def test_authenticate_checks_the_password(client, ldap_person):
    person = ldap_person()
    assert client.authenticate(person.uid, person.password).mail == person.mail
    assert client.authenticate(person.uid, "wrong") is None
    assert client.authenticate("nobody-here", person.password) is None


def test_empty_password_is_refused_before_the_directory_is_asked(client, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("the directory was contacted")

    monkeypatch.setattr(Directory, "connect", no_connection)
    assert client.authenticate("emma", "") is None
    assert client.authenticate("", "something") is None


def test_lock_out_is_seen_and_unlock_lifts_it(client, directory, ldap_person):
    person = ldap_person()
    directory.lock_out(person)
    found = client.find_user(person.uid)
    assert found.locked and not found.disabled
    assert client.authenticate(person.uid, person.password) is None
    assert client.unlock(found.dn) is True
    assert client.authenticate(person.uid, person.password) is not None
    assert client.unlock(found.dn) is False


def test_unlock_never_enables_a_disabled_account(client, ldap_person):
    person = ldap_person()
    dn = client.find_user(person.uid).dn
    client.set_enabled(dn, False)
    assert client.find_user(person.uid).disabled
    assert client.unlock(dn) is False
    assert client.authenticate(person.uid, person.password) is None
    client.set_enabled(dn, True)
    assert client.authenticate(person.uid, person.password) is not None


def test_set_password_as_the_service_account(client, ldap_person):
    person = ldap_person()
    dn = client.find_user(person.uid).dn
    client.set_password(dn, "Brand-new-2026!")
    assert client.authenticate(person.uid, "Brand-new-2026!") is not None
    assert client.authenticate(person.uid, person.password) is None


def test_change_password_needs_the_old_one(client, ldap_person):
    person = ldap_person()
    dn = client.find_user(person.uid).dn
    with pytest.raises(WrongPassword):
        client.change_password(dn, "not-it", "Another-one-2026!")
    client.change_password(dn, person.password, "Another-one-2026!")
    assert client.authenticate(person.uid, "Another-one-2026!") is not None


def test_history_and_policy(client, ldap_person):
    person = ldap_person()
    dn = client.find_user(person.uid).dn
    policy = client.policy()
    assert policy.min_length == 10 and policy.history == 5
    assert client.used_before(dn, person.password)
    client.set_password(dn, "Second-pass-2026!")
    assert client.used_before(dn, person.password)
    assert not client.used_before(dn, "Never-used-2026!")
    # the directory itself refuses a password from the history when the person changes it
    with pytest.raises(PasswordRejected):
        client.change_password(dn, "Second-pass-2026!", person.password)


def test_groups_add_and_remove_idempotently(client, ldap_person):
    person = ldap_person()
    dn = client.find_user(person.uid).dn
    assert client.add_to_group(dn, "jira-users") is True
    assert client.add_to_group(dn, "jira-users") is False
    assert dn.lower() in client.group_members("jira-users")
    assert client.remove_from_group(dn, "jira-users") is True
    assert client.remove_from_group(dn, "jira-users") is False


def test_create_user_disabled_then_enable(client):
    dn = client.create_user(login="new.starter", given_name="New", surname="Starter",
                            mail="new.starter@example.org", title="Clerk")
    assert client.create_user(login="new.starter", given_name="New", surname="Starter",
                              mail="new.starter@example.org") == dn
    assert client.find_user("new.starter").disabled
    client.set_enabled(dn, True)
    assert not client.find_user("new.starter").disabled
    client.delete_user(dn)
    assert client.find_user("new.starter") is None


def test_a_directory_that_does_not_answer_gives_a_clear_error(settings):
    closed = slapd.free_port()
    directory = Directory(DirectoryConfig(url=f"ldap://127.0.0.1:{closed}", bind_dn="cn=x",
                                          bind_password="x", user_base="dc=x", timeout=1))
    with pytest.raises(DirectoryUnavailable, match="cannot be reached"):
        directory.find_user("emma")
