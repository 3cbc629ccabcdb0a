"""A real slapd for the directory tests (started once per test session, see slapd.py)."""

import itertools

import pytest

from concierge.directory import slapd, sms

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory):
    if not slapd.available():
        pytest.skip("slapd is not installed (apt-get install slapd ldap-utils; CI does)")
    server = slapd.Slapd(folder=tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()


@pytest.fixture
def directory(settings, slapd_server, org):
    """The portal pointed at the test slapd; people under ou=people belong to ``org``."""
    for name, value in slapd_server.settings().items():
        setattr(settings, name, value)
    settings.DIRECTORY_ORGANISATIONS = [(org.slug, slapd.PEOPLE_DN)]
    settings.SMS_BACKEND = "concierge.directory.sms.LocmemSender"
    sms.outbox.clear()
    return slapd_server


@pytest.fixture
def ldap_person(directory):
    """Add a fresh person to the directory: ``ldap_person(mobile=..., ...)``."""

    def make(**fields) -> slapd.Person:
        number = next(_numbers)
        values = {"uid": f"person{number}", "given_name": "Pat", "surname": f"Person{number}",
                  "mail": f"pat{number}@acme.example", "title": "Clerk",
                  "department": "Finance", "phone": "+49 89 555", "password": "Old-pass-2026!x"}
        person = slapd.Person(**(values | fields))
        directory.add_person(person)
        return person

    return make
