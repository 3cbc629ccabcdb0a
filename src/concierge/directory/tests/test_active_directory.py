"""Active-Directory-compatible mode, against ldap3's mock strategy (there is no AD here)."""

import pytest
from ldap3 import MOCK_SYNC, OFFLINE_AD_2012_R2, Connection, Server

from concierge.directory.client import (
    AD,
    Directory,
    DirectoryConfig,
    PasswordRejected,
)

BASE = "ou=Staff,dc=corp,dc=example"
DN = f"cn=Emma Employee,{BASE}"


class MockDirectory(Directory):
    """The client with its connections going to one shared in-memory directory."""

    def __init__(self, config):
        super().__init__(config)
        server = Server("mock_ad", get_info=OFFLINE_AD_2012_R2)
        self.mock = Connection(server, user="cn=svc,dc=corp,dc=example", password="svc",
                               client_strategy=MOCK_SYNC, raise_exceptions=True)
        self.mock.strategy.add_entry("cn=svc,dc=corp,dc=example", {"userPassword": "svc"})
        self.mock.strategy.add_entry(f"cn=vpn,{BASE}", {"objectClass": "group", "cn": "vpn"})
        self.mock.strategy.add_entry(DN, {
            "objectClass": ["top", "person", "organizationalPerson", "user"],
            "objectCategory": "person", "cn": "Emma Employee",
            "sAMAccountName": "emma", "mail": "emma@corp.example", "userPassword": "Old-pass-1!",
            "userAccountControl": "512", "lockoutTime": "5", "department": "Finance"})
        self.binds = []

    def connect(self, user=None, password=None):
        self.binds.append(user or self.config.bind_dn)
        self.mock.bind()
        return self.mock

    def entry(self):
        return next(value for key, value in self.mock.strategy.entries.items()
                    if key.lower() == DN.lower())


@pytest.fixture
def ad(settings):
    config = DirectoryConfig(url="ldaps://dc1.corp.example", bind_dn="cn=svc,dc=corp,dc=example",
                             bind_password="svc", user_base=BASE, group_base=BASE, mode=AD,
                             attributes={"department": "department"})
    return MockDirectory(config)


def test_people_are_found_by_sam_account_name_with_their_lock_state(ad):
    person = ad.find_user("emma")
    assert (person.dn.lower(), person.login, person.department) == (DN.lower(), "emma",
                                                                    "Finance")
    assert person.locked and not person.disabled


def test_a_reset_sets_unicode_pwd_as_quoted_utf16(ad):
    ad.set_password(DN, "Nouveau-mot-2026!")
    stored = ad.entry()["unicodePwd"][0]
    assert stored == '"Nouveau-mot-2026!"'.encode("utf-16-le")


def test_unlock_sets_lockout_time_to_zero(ad):
    assert ad.unlock(DN) is True
    assert ad.entry()["lockoutTime"] == [b"0"]
    assert not ad.find_user("emma").locked


def test_disable_and_enable_flip_the_account_control_bit(ad):
    ad.set_enabled(DN, False)
    assert ad.entry()["userAccountControl"] == [b"514"]
    assert ad.find_user("emma").disabled
    assert ad.unlock(DN) is True  # a lock-out is lifted ...
    assert ad.find_user("emma").disabled  # ... but the account stays disabled
    ad.set_enabled(DN, True)
    assert ad.entry()["userAccountControl"] == [b"512"]


def test_change_sends_delete_old_and_add_new(ad, monkeypatch):
    calls = []
    monkeypatch.setattr(ad.mock, "modify", lambda dn, changes, **kw: calls.append(changes))
    ad.change_password(DN, "Old-pass-1!", "Next-pass-2026!")
    (changes,) = calls
    assert changes["unicodePwd"] == [
        ("MODIFY_DELETE", ['"Old-pass-1!"'.encode("utf-16-le")]),
        ("MODIFY_ADD", ['"Next-pass-2026!"'.encode("utf-16-le")])]


def test_a_refused_password_gives_a_plain_message(ad, monkeypatch):
    from ldap3.core.exceptions import LDAPUnwillingToPerformResult

    def refuse(*args, **kwargs):
        raise LDAPUnwillingToPerformResult(
            result=53, description="unwillingToPerform",
            message="0000052D: Constraint violation - check_password_restrictions")

    monkeypatch.setattr(ad.mock, "modify", refuse)
    with pytest.raises(PasswordRejected, match="did not accept this password"):
        ad.set_password(DN, "Password1")


def test_new_accounts_are_created_disabled(ad):
    dn = ad.create_user(login="new.starter", given_name="New", surname="Starter",
                        mail="new.starter@corp.example")
    entry = next(v for k, v in ad.mock.strategy.entries.items() if k.lower() == dn.lower())
    assert entry["userAccountControl"] == [b"514"]
    assert entry["sAMAccountName"] == [b"new.starter"]
    assert entry["unicodePwd"][0].decode("utf-16-le").startswith('"')


def test_groups_use_the_member_attribute(ad):
    assert ad.add_to_group(DN, "vpn") is True
    assert ad.add_to_group(DN, "vpn") is False
    assert ad.remove_from_group(DN, "vpn") is True


def test_ldaps_server_validates_certificates():
    import ssl

    server = Directory(DirectoryConfig(url="ldaps://dc1.corp.example", mode=AD,
                                       timeout=3)).server()
    assert server.ssl and server.tls.validate == ssl.CERT_REQUIRED
    assert server.connect_timeout == 3


def test_passwords_go_to_active_directory_only_over_ldaps(ad):
    from concierge.directory.client import DirectoryError

    plain = MockDirectory(DirectoryConfig(**{**ad.config.__dict__, "url": "ldap://dc1"}))
    with pytest.raises(DirectoryError, match="ldaps://"):
        plain.set_password(DN, "Nouveau-mot-2026!")
    with pytest.raises(DirectoryError, match="ldaps://"):
        plain.change_password(DN, "Old-pass-1!", "Nouveau-mot-2026!")
    assert plain.binds == []
