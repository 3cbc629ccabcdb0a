"""A small directory client over ``ldap3``: OpenLDAP and Active-Directory-compatible modes.

Every connection has a connect and a receive timeout; a directory that cannot be reached raises
``DirectoryUnavailable`` (the pages say so in plain words, never a 500). Errors carry a message
meant for the person in front of the screen.

The two modes differ only where the directories differ:

==================  ==========================================  ===============================
                    OpenLDAP (``openldap``)                     Active Directory (``ad``)
==================  ==========================================  ===============================
set a password      password-modify extended operation          ``unicodePwd`` = "pw" in
                    (RFC 3062), as the service account           UTF-16-LE, over LDAPS
change a password   the same operation bound as the person,      delete old + add new
                    with the old password                        ``unicodePwd`` as the person
locked out          ``pwdAccountLockedTime`` (ppolicy)           ``lockoutTime`` > 0
unlock              delete ``pwdAccountLockedTime``              ``lockoutTime`` = 0
disabled            ``pwdAccountLockedTime`` = 000001010000Z     ``userAccountControl`` & 2
                    (ppolicy's "locked until an administrator
                    unlocks")
==================  ==========================================  ===============================

An unlock never lifts an administrative lock: a disabled leaver stays disabled.
"""

import base64
import contextlib
import hashlib
import re
import secrets
import ssl
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from ldap3 import (
    BASE,
    MODIFY_ADD,
    MODIFY_DELETE,
    MODIFY_REPLACE,
    SUBTREE,
    Connection,
    Server,
    Tls,
)
from ldap3.core import exceptions as ldap_errors
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

OPENLDAP, AD = "openldap", "ad"
ADMIN_LOCK = "000001010000Z"  # ppolicy: locked until an administrator removes it
AD_DISABLED = 0x2
AD_NORMAL_ACCOUNT = 0x200
RELAX_CONTROL = "1.3.6.1.4.1.4203.666.5.12"


class DirectoryError(Exception):
    """Something the directory refused; ``str(error)`` is meant for people."""


class DirectoryUnavailable(DirectoryError):
    """The directory did not answer (down, unreachable, misconfigured service account)."""


class PasswordRejected(DirectoryError):
    """The new password breaks the directory's rules; ``messages`` says which."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


class WrongPassword(DirectoryError):
    """The old password given to a change was not right."""


@dataclass(frozen=True)
class DirectoryConfig:
    """How to reach the directory and read people from it (settings ``DIRECTORY_*``)."""

    url: str
    bind_dn: str = ""
    bind_password: str = ""
    user_base: str = ""
    group_base: str = ""
    mode: str = OPENLDAP
    user_filter: str = ""
    policy_dn: str = ""
    ca_file: str = ""
    timeout: int = 5
    attributes: dict = field(default_factory=dict)

    @classmethod
    def from_settings(cls) -> "DirectoryConfig":
        return cls(
            url=settings.DIRECTORY_URL, bind_dn=settings.DIRECTORY_BIND_DN,
            bind_password=settings.DIRECTORY_BIND_PASSWORD,
            user_base=settings.DIRECTORY_USER_BASE, group_base=settings.DIRECTORY_GROUP_BASE,
            mode=settings.DIRECTORY_MODE, user_filter=settings.DIRECTORY_USER_FILTER,
            policy_dn=settings.DIRECTORY_POLICY_DN, ca_file=settings.DIRECTORY_CA_FILE,
            timeout=settings.DIRECTORY_TIMEOUT, attributes=settings.DIRECTORY_ATTRIBUTES)

    @property
    def login_attribute(self) -> str:
        return self.attributes.get("login") or ("sAMAccountName" if self.mode == AD else "uid")

    def attribute(self, name: str) -> str:
        return self.attributes.get(name) or DEFAULT_ATTRIBUTES[name]

    @property
    def filter_template(self) -> str:
        if self.user_filter:
            return self.user_filter
        category = "(objectCategory=person)(objectClass=user)" if self.mode == AD \
            else "(objectClass=inetOrgPerson)"
        return f"(&{category}(|({self.attribute('mail')}={{login}})" \
               f"({self.login_attribute}={{login}})))"


DEFAULT_ATTRIBUTES = {"mail": "mail", "name": "cn", "department": "ou", "phone": "telephoneNumber",
                      "mobile": "mobile", "title": "title", "given_name": "givenName",
                      "surname": "sn"}


@dataclass(frozen=True)
class DirectoryUser:
    """One person's entry, read from the directory."""

    dn: str
    login: str
    mail: str
    name: str = ""
    department: str = ""
    phone: str = ""
    mobile: str = ""
    title: str = ""
    locked: bool = False
    disabled: bool = False


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must be: the directory's policy entry and the settings."""

    min_length: int = 10
    min_classes: int = 3
    history: int = 0


def _first(entry, name: str) -> str:
    if not name or name not in entry:
        return ""
    value = entry[name].value
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


class Directory:
    """The portal's view of one directory. ``connect`` may be replaced in tests."""

    def __init__(self, config: DirectoryConfig | None = None):
        self.config = config or DirectoryConfig.from_settings()

    # --- connections ---------------------------------------------------------------------

    def server(self) -> Server:
        tls = None
        if self.config.url.startswith("ldaps://"):
            tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.config.ca_file or None)
        return Server(self.config.url, connect_timeout=self.config.timeout, tls=tls,
                      get_info=None)

    def connect(self, user: str | None = None, password: str | None = None) -> Connection:
        """A bound connection (the service account unless ``user`` is given)."""
        if user is None:
            user, password = self.config.bind_dn, self.config.bind_password
        try:
            connection = Connection(self.server(), user=user or None, password=password or None,
                                    receive_timeout=self.config.timeout, raise_exceptions=True,
                                    auto_bind=False, read_only=False)
            connection.bind()
            return connection
        except ldap_errors.LDAPInvalidCredentialsResult as exc:
            if user == self.config.bind_dn:
                raise DirectoryUnavailable(_(
                    "The directory refused the portal's service account.")) from exc
            raise WrongPassword(_("The password is not right.")) from exc
        except ldap_errors.LDAPException as exc:
            raise DirectoryUnavailable(_(
                "The directory cannot be reached right now. Please try again in a few "
                "minutes or call the service desk.")) from exc

    def _run(self, function, *args, **kwargs):
        """Run ``function(connection, ...)`` on a service connection; map LDAP errors."""
        connection = self.connect()
        try:
            return function(connection, *args, **kwargs)
        except ldap_errors.LDAPCommunicationError as exc:
            raise DirectoryUnavailable(_(
                "The directory stopped answering. Please try again in a few minutes.")) from exc
        finally:
            connection.unbind()

    # --- reading -------------------------------------------------------------------------

    def _attributes(self) -> list[str]:
        names = [self.config.login_attribute, *(self.config.attribute(name) for name in (
            "mail", "name", "department", "phone", "mobile", "title"))]
        if self.config.mode == AD:
            names += ["lockoutTime", "userAccountControl"]
        else:
            names += ["pwdAccountLockedTime"]
        return names

    def _user_from(self, entry) -> DirectoryUser:
        attribute = self.config.attribute
        if self.config.mode == AD:
            # A FILETIME; ldap3 may format it as a date, so read the raw number (0 = unlocked).
            raw = entry["lockoutTime"].raw_values if "lockoutTime" in entry else []
            locked = bool(raw) and raw[0].strip() not in (b"", b"0")
            disabled = bool(int(_first(entry, "userAccountControl") or 0) & AD_DISABLED)
        else:
            lock = _first(entry, "pwdAccountLockedTime")
            disabled = lock.startswith("0000")
            locked = bool(lock) and not disabled
        return DirectoryUser(
            dn=entry.entry_dn, login=_first(entry, self.config.login_attribute),
            mail=_first(entry, attribute("mail")).lower(), name=_first(entry, attribute("name")),
            department=_first(entry, attribute("department")),
            phone=_first(entry, attribute("phone")), mobile=_first(entry, attribute("mobile")),
            title=_first(entry, attribute("title")), locked=locked, disabled=disabled)

    def find_user(self, login: str) -> DirectoryUser | None:
        """The one person whose e-mail address or user name is ``login``; None if not one."""
        login = login.strip()
        if not login or len(login) > 254:
            return None
        search = self.config.filter_template.format(login=escape_filter_chars(login))

        def run(connection):
            connection.search(self.config.user_base, search, SUBTREE,
                              attributes=self._attributes(), size_limit=2)
            return list(connection.entries)

        try:
            entries = self._run(run)
        except ldap_errors.LDAPSizeLimitExceededResult:
            return None
        return self._user_from(entries[0]) if len(entries) == 1 else None

    def get_user(self, dn: str) -> DirectoryUser | None:
        def run(connection):
            try:
                connection.search(dn, "(objectClass=*)", BASE, attributes=self._attributes())
            except ldap_errors.LDAPNoSuchObjectResult:
                return []
            return list(connection.entries)

        entries = self._run(run)
        return self._user_from(entries[0]) if entries else None

    def authenticate(self, login: str, password: str) -> DirectoryUser | None:
        """The person if ``password`` is theirs; None otherwise.

        An empty password is refused before anything is sent: LDAP treats a simple bind with
        an empty password as an anonymous bind, which "succeeds".
        """
        if not password or not login or not login.strip():
            return None
        person = self.find_user(login)
        if person is None or person.disabled:
            return None
        try:
            self.connect(person.dn, password).unbind()
        except WrongPassword:
            return None
        return person

    def policy(self) -> PasswordPolicy:
        """The directory's password policy entry (OpenLDAP ppolicy) merged with the settings."""
        min_length = settings.DIRECTORY_PASSWORD_MIN_LENGTH
        history = settings.DIRECTORY_PASSWORD_HISTORY
        if self.config.policy_dn and self.config.mode == OPENLDAP:
            def run(connection):
                try:
                    connection.search(self.config.policy_dn, "(objectClass=pwdPolicy)", BASE,
                                      attributes=["pwdMinLength", "pwdInHistory"])
                except ldap_errors.LDAPNoSuchObjectResult:
                    return None
                return connection.entries[0] if connection.entries else None

            entry = self._run(run)
            if entry is not None:
                min_length = max(min_length, int(_first(entry, "pwdMinLength") or 0))
                history = max(history, int(_first(entry, "pwdInHistory") or 0))
        return PasswordPolicy(min_length=min_length,
                              min_classes=settings.DIRECTORY_PASSWORD_CLASSES, history=history)

    def used_before(self, dn: str, password: str) -> bool:
        """True if ``password`` is the current one or in the entry's ppolicy history."""
        if self.config.mode != OPENLDAP:
            return False  # Active Directory keeps its history to itself and refuses on set

        def run(connection):
            connection.search(dn, "(objectClass=*)", BASE,
                              attributes=["userPassword", "pwdHistory"])
            return connection.entries[0] if connection.entries else None

        entry = self._run(run)
        if entry is None:
            return False
        hashes = []
        for name in ("userPassword", "pwdHistory"):
            if name in entry:
                for value in entry[name].values:
                    value = value.decode() if isinstance(value, bytes) else str(value)
                    hashes.append(value.rsplit("#", 1)[-1] if name == "pwdHistory" else value)
        return any(_ssha_matches(stored, password) for stored in hashes)

    # --- writing -------------------------------------------------------------------------

    def _check_ad_transport(self) -> None:
        if self.config.mode == AD and not self.config.url.lower().startswith("ldaps://"):
            raise DirectoryError(_("Active Directory takes passwords only over an encrypted "
                                   "connection: DIRECTORY_URL must start with ldaps://."))

    def set_password(self, dn: str, password: str) -> None:
        """Set a new password (a reset: no old password) as the service account."""
        self._check_ad_transport()
        def run(connection):
            if self.config.mode == AD:
                connection.modify(dn, {"unicodePwd": [(MODIFY_REPLACE, [_ad_password(password)])]})
            else:
                connection.extend.standard.modify_password(user=dn, new_password=password)

        self._write(run, password=True)

    def change_password(self, dn: str, old_password: str, new_password: str) -> None:
        """A person changes their own password; WrongPassword if ``old_password`` is not it."""
        if not old_password:
            raise WrongPassword(_("The password is not right."))
        self._check_ad_transport()
        connection = self.connect(dn, old_password)
        try:
            if self.config.mode == AD:
                connection.modify(dn, {"unicodePwd": [
                    (MODIFY_DELETE, [_ad_password(old_password)]),
                    (MODIFY_ADD, [_ad_password(new_password)])]})
            else:
                connection.extend.standard.modify_password(
                    user=dn, old_password=old_password, new_password=new_password)
        except ldap_errors.LDAPOperationResult as exc:
            raise _rejected(exc, password=True) from exc
        finally:
            connection.unbind()

    def unlock(self, dn: str) -> bool:
        """Lift a lock-out after failed sign-ins; False if there was none. Never enables a
        disabled account."""
        person = self.get_user(dn)
        if person is None or not person.locked:
            return False

        def run(connection):
            if self.config.mode == AD:
                connection.modify(dn, {"lockoutTime": [(MODIFY_REPLACE, ["0"])]})
            else:
                # The failure times go too, or the next typo would lock again; they are
                # read-only except with the relax control (and manage access).
                connection.modify(dn, {"pwdAccountLockedTime": [(MODIFY_DELETE, [])],
                                       "pwdFailureTime": [(MODIFY_DELETE, [])]},
                                  controls=[(RELAX_CONTROL, True, None)])

        self._write(run)
        return True

    def set_enabled(self, dn: str, enabled: bool) -> None:
        """Enable or disable an account (joiners before their first day, leavers after)."""
        def run(connection):
            if self.config.mode == AD:
                connection.search(dn, "(objectClass=*)", BASE,
                                  attributes=["userAccountControl"])
                flags = int(_first(connection.entries[0], "userAccountControl") or 0) \
                    if connection.entries else AD_NORMAL_ACCOUNT
                flags = flags & ~AD_DISABLED if enabled else flags | AD_DISABLED
                connection.modify(dn, {"userAccountControl": [(MODIFY_REPLACE, [str(flags)])]})
            elif enabled:
                with contextlib.suppress(ldap_errors.LDAPNoSuchAttributeResult):
                    connection.modify(dn, {"pwdAccountLockedTime": [(MODIFY_DELETE, [])]})
            else:
                connection.modify(dn, {"pwdAccountLockedTime": [(MODIFY_REPLACE, [ADMIN_LOCK])]})

        self._write(run)

    def create_user(self, *, login: str, given_name: str, surname: str, mail: str,
                    title: str = "", department: str = "", enabled: bool = False) -> str:
        """Create a person's entry (disabled unless ``enabled``) with a random password; its DN.

        Idempotent: an existing entry with the same login is left as it is.
        """
        dn = f"{'cn' if self.config.mode == AD else 'uid'}=" \
             f"{escape_rdn(f'{given_name} {surname}' if self.config.mode == AD else login)}," \
             f"{self.config.user_base}"
        attribute = self.config.attribute

        def run(connection):
            try:
                connection.search(dn, "(objectClass=*)", BASE, attributes=["cn"])
                if connection.entries:
                    return
            except ldap_errors.LDAPNoSuchObjectResult:
                pass
            values = {attribute("given_name"): given_name, attribute("surname"): surname,
                      attribute("name"): f"{given_name} {surname}", attribute("mail"): mail}
            if title:
                values[attribute("title")] = title
            if department:
                values[attribute("department")] = department
            password = secrets.token_urlsafe(24) + "aA1!"
            if self.config.mode == AD:
                values |= {"sAMAccountName": login, "userPrincipalName": mail,
                           "userAccountControl": str(AD_NORMAL_ACCOUNT | AD_DISABLED),
                           "unicodePwd": _ad_password(password)}
                connection.add(dn, ["top", "person", "organizationalPerson", "user"], values)
                if enabled:
                    connection.modify(dn, {"userAccountControl": [
                        (MODIFY_REPLACE, [str(AD_NORMAL_ACCOUNT)])]})
            else:
                values |= {"uid": login, "userPassword": password}
                if not enabled:
                    values["pwdAccountLockedTime"] = ADMIN_LOCK
                connection.add(dn, ["inetOrgPerson"], values)

        self._write(run)
        return dn

    def delete_user(self, dn: str) -> None:
        def run(connection):
            with contextlib.suppress(ldap_errors.LDAPNoSuchObjectResult):
                connection.delete(dn)

        self._write(run)

    def login_free(self, login: str) -> bool:
        def run(connection):
            connection.search(self.config.user_base,
                              f"({self.config.login_attribute}={escape_filter_chars(login)})",
                              SUBTREE, attributes=["cn"], size_limit=1)
            return not connection.entries

        return self._run(run)

    def group_dn(self, group: str) -> str:
        return group if "=" in group else f"cn={escape_rdn(group)},{self.config.group_base}"

    def group_members(self, group: str) -> set[str]:
        def run(connection):
            try:
                connection.search(self.group_dn(group), "(objectClass=*)", BASE,
                                  attributes=["member"])
            except ldap_errors.LDAPNoSuchObjectResult:
                raise DirectoryError(_("There is no group %(group)s in the directory.")
                                     % {"group": group}) from None
            entry = connection.entries[0]
            return {m.lower() for m in entry["member"].values} if "member" in entry else set()

        return self._run(run)

    def add_to_group(self, dn: str, group: str) -> bool:
        """Add ``dn`` to ``group``; False if it was a member already."""
        if dn.lower() in self.group_members(group):
            return False
        self._write(lambda c: c.modify(self.group_dn(group), {"member": [(MODIFY_ADD, [dn])]}))
        return True

    def remove_from_group(self, dn: str, group: str) -> bool:
        """Remove ``dn`` from ``group``; False if it was not a member."""
        members = self.group_members(group)
        if dn.lower() not in members:
            return False
        group_dn = self.group_dn(group)
        if self.config.mode == OPENLDAP and members == {dn.lower()}:
            # groupOfNames needs one member: the group stands in for itself while empty.
            change = {"member": [(MODIFY_ADD, [group_dn]), (MODIFY_DELETE, [dn])]}
        else:
            change = {"member": [(MODIFY_DELETE, [dn])]}
        self._write(lambda c: c.modify(group_dn, change))
        return True

    def _write(self, function, *, password: bool = False) -> None:
        try:
            self._run(function)
        except ldap_errors.LDAPOperationResult as exc:
            raise _rejected(exc, password=password) from exc


def _ad_password(password: str) -> bytes:
    return f'"{password}"'.encode("utf-16-le")


def _ssha_matches(stored: str, password: str) -> bool:
    if not stored.upper().startswith("{SSHA}"):
        return False
    try:
        raw = base64.b64decode(stored[6:])
    except ValueError:
        return False
    digest, salt = raw[:20], raw[20:]
    return secrets.compare_digest(
        hashlib.sha1(password.encode() + salt).digest(), digest)  # noqa: S324


def _rejected(exc: ldap_errors.LDAPOperationResult, *, password: bool = False) -> DirectoryError:
    """A plain message for what the directory refused."""
    text = f"{exc.description} {exc.message}".lower()
    if password and "history" in text:
        return PasswordRejected([_("You have used this password before. Please choose a new "
                                   "one.")])
    if password and ("quality" in text or "too short" in text or "constraint" in text
                     or "0000052d" in text or "unwillingtoperform" in text):
        return PasswordRejected([_("The directory did not accept this password: it is too "
                                   "short, too simple or was used before.")])
    if "insufficientaccessrights" in text or "insufficient" in text:
        return DirectoryError(_("The portal may not make this change in the directory. "
                                "Please call the service desk."))
    return DirectoryError(_("The directory refused the change (%(reason)s).")
                          % {"reason": exc.description})


def login_from_name(given_name: str, surname: str) -> str:
    """``firstname.lastname`` in lower-case ASCII (umlauts spelt out), for new accounts."""
    def ascii_part(text: str) -> str:
        text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "", text)

    return ".".join(part for part in (ascii_part(given_name), ascii_part(surname)) if part)[:20]


def directory_configured() -> bool:
    return bool(getattr(settings, "DIRECTORY_URL", ""))


def get_directory() -> Directory:
    return Directory()
