"""A private OpenLDAP ``slapd`` on 127.0.0.1 for the tests, the bench and the demo.

Debian's ``slapd`` package (installed with ``slapd/no_configuration`` preseeded) brings the
server and its modules; nothing here touches the system's own configuration. ``Slapd`` writes a
``slapd.conf`` into a directory of its own (mdb backend, ``{SSHA}`` hashes, the ppolicy overlay
for lock-out and password history), starts the server on a free port, loads a base LDIF and
stops it again.

The directory it serves (``dc=example,dc=org``):

- ``cn=admin``: the root DN (used only to load the data);
- ``cn=concierge,ou=services``: the portal's service account, allowed to write passwords, lock
  state and groups (the account ``DIRECTORY_BIND_DN`` points at);
- ``ou=people``: the demo people (all with the password ``DEMO_PASSWORD``);
- ``ou=groups``: groupOfNames groups;
- ``cn=default,ou=policies``: the password policy (3 failures lock the account for 15 minutes,
  at least 10 characters, the last 5 passwords may not be used again).
"""

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
LDAPADD = shutil.which("ldapadd") or "/usr/bin/ldapadd"
MODULE_PATH = Path("/usr/lib/ldap")
SCHEMA_PATH = Path("/etc/ldap/schema")
BASE_DN = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{BASE_DN}"
SERVICE_DN = f"cn=concierge,ou=services,{BASE_DN}"
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"
POLICY_DN = f"cn=default,ou=policies,{BASE_DN}"
DEMO_PASSWORD = "Concierge-demo-2026"
MAX_FAILURES = 3


def available() -> bool:
    """True when slapd, ldapadd and the mdb module are installed."""
    return (Path(SLAPD).exists() and Path(LDAPADD).exists()
            and (MODULE_PATH / "back_mdb.la").exists())


def ssha(password: str) -> str:
    """``{SSHA}`` hash of ``password`` (salted SHA-1, as slapd stores it)."""
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 (the LDAP format)
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


@dataclass(frozen=True)
class Person:
    uid: str
    given_name: str
    surname: str
    mail: str
    title: str = ""
    department: str = ""
    phone: str = ""
    mobile: str = ""
    groups: tuple[str, ...] = ()
    password: str = DEMO_PASSWORD


PEOPLE = (
    Person("emma", "Emma", "Employee", "emma@acme.example", "Accountant", "Finance",
           "+49 89 1234 100", "+49 170 0000100", ("finance-reports",)),
    Person("mia", "Mia", "Manager", "manager@acme.example", "Head of Finance", "Finance",
           "+49 89 1234 101", "", ("finance-reports", "sap-approvers")),
    Person("alex", "Alex", "Agent", "agent@acme.example", "Service desk", "IT",
           "+49 89 1234 200"),
    Person("otto", "Otto", "Outsider", "otto@acme.example", "Sales", "Sales"),
    # The demo company's employee (portal/demo.py), for trying the self-service by hand.
    Person("anna.schmidt", "Anna", "Schmidt", "anna.schmidt@alpenblick.example", "Sachbearbeiterin",
           "Finanzen", "+49 89 2000 100", "+49 170 5550100", ("finance-reports",)),
)
# The groups the demo catalog's plans name (catalog/fixtures/demo-catalog.yaml).
GROUPS = ("finance-reports", "claims-team", "sap-users", "sap-approvers", "salesforce-users",
          "workday-users", "jira-users", "confluence-users", "powerbi-users", "vpn-users")


def base_ldif(people=PEOPLE, groups=GROUPS, *, service_password: str) -> str:
    """The directory's entries as LDIF."""
    blocks = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\n"
        "o: Example",
        *(f"dn: ou={ou},{BASE_DN}\nobjectClass: organizationalUnit\nou: {ou}"
          for ou in ("people", "groups", "services", "policies")),
        f"dn: {SERVICE_DN}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject"
        f"\ncn: concierge\nuserPassword: {ssha(service_password)}",
        f"dn: {POLICY_DN}\nobjectClass: device\nobjectClass: pwdPolicy\ncn: default\n"
        f"pwdAttribute: userPassword\npwdMaxFailure: {MAX_FAILURES}\npwdLockout: TRUE\n"
        "pwdLockoutDuration: 900\npwdFailureCountInterval: 900\npwdInHistory: 5\n"
        "pwdMinLength: 10\npwdCheckQuality: 1\npwdMustChange: FALSE\npwdAllowUserChange: TRUE",
    ]
    for person in people:
        lines = [f"dn: uid={person.uid},{PEOPLE_DN}", "objectClass: inetOrgPerson",
                 f"uid: {person.uid}", f"cn: {person.given_name} {person.surname}",
                 f"givenName: {person.given_name}", f"sn: {person.surname}",
                 f"mail: {person.mail}", f"userPassword: {ssha(person.password)}"]
        for attribute, value in (("title", person.title), ("ou", person.department),
                                 ("telephoneNumber", person.phone),
                                 ("mobile", person.mobile)):
            if value:
                lines.append(f"{attribute}: {value}")
        blocks.append("\n".join(lines))
    for group in groups:
        members = [f"uid={p.uid},{PEOPLE_DN}" for p in people if group in p.groups]
        # groupOfNames needs a member: the group itself stands in while it is empty.
        members = members or [f"cn={group},{GROUPS_DN}"]
        blocks.append("\n".join([f"dn: cn={group},{GROUPS_DN}", "objectClass: groupOfNames",
                                 f"cn: {group}", *(f"member: {m}" for m in members)]))
    return "\n\n".join(blocks) + "\n"


def slapd_conf(folder: Path, *, root_password: str) -> str:
    ppolicy = (MODULE_PATH / "ppolicy.la").exists()
    return "\n".join([
        *(f"include {SCHEMA_PATH / name}.schema"
          for name in ("core", "cosine", "inetorgperson", "nis")),
        f"modulepath {MODULE_PATH}",
        "moduleload back_mdb",
        *(["moduleload ppolicy"] if ppolicy else []),
        f"pidfile {folder / 'slapd.pid'}",
        f"argsfile {folder / 'slapd.args'}",
        "password-hash {SSHA}",
        "sizelimit 1000",
        "database mdb",
        f'suffix "{BASE_DN}"',
        f'rootdn "{ROOT_DN}"',
        f"rootpw {ssha(root_password)}",
        f"directory {folder / 'data'}",
        "maxsize 67108864",
        *([f'overlay ppolicy\nppolicy_default "{POLICY_DN}"\nppolicy_use_lockout']
          if ppolicy else []),
        # The service account manages passwords, lock state and groups; people may change
        # their own password; nobody reads password hashes except the service account.
        f'access to attrs=userPassword,pwdHistory by dn.exact="{SERVICE_DN}" manage '
        "by self write by anonymous auth by * none",
        f'access to attrs=pwdAccountLockedTime,pwdFailureTime by dn.exact="{SERVICE_DN}" '
        "manage by * read",
        f'access to * by dn.exact="{SERVICE_DN}" manage by users read by * none',
        "",
    ])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Slapd:
    """A running private slapd; ``url``, ``service_password`` and ``folder`` describe it."""

    folder: Path
    port: int = 0
    service_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    root_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def settings(self) -> dict[str, object]:
        """The Django settings that point the portal at this directory."""
        return {
            "DIRECTORY_URL": self.url, "DIRECTORY_BIND_DN": SERVICE_DN,
            "DIRECTORY_BIND_PASSWORD": self.service_password,
            "DIRECTORY_USER_BASE": PEOPLE_DN, "DIRECTORY_GROUP_BASE": GROUPS_DN,
            "DIRECTORY_MODE": "openldap", "DIRECTORY_POLICY_DN": POLICY_DN,
        }

    def start(self, ldif: str | None = None) -> "Slapd":
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        conf = self.folder / "slapd.conf"
        conf.write_text(slapd_conf(self.folder, root_password=self.root_password))
        self.port = self.port or free_port()
        self.process = subprocess.Popen(  # noqa: S603 (fixed program)
            [SLAPD, "-f", str(conf), "-h", self.url, "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=(self.folder / "slapd.log").open("w"))
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd stopped: {(self.folder / 'slapd.log').read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("slapd did not answer within 15 s")
            time.sleep(0.05)
        self.load(ldif if ldif is not None
                  else base_ldif(service_password=self.service_password))
        return self

    def load(self, ldif: str) -> None:
        """Add entries as the root DN."""
        result = subprocess.run(  # noqa: S603 (fixed program)
            [LDAPADD, "-x", "-H", self.url, "-D", ROOT_DN, "-w", self.root_password],
            input=ldif, capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"ldapadd failed: {result.stderr}")

    def add_person(self, person: Person) -> str:
        """Add one person (and no groups); their DN."""
        self.load(base_ldif(people=(person,), groups=(), service_password="")
                  .split("\n\n", 7)[-1])
        return f"uid={person.uid},{PEOPLE_DN}"

    def lock_out(self, person: Person) -> None:
        """Lock the person out the real way: too many sign-ins with a wrong password."""
        from ldap3 import Connection, Server

        for _ in range(MAX_FAILURES + 1):
            Connection(Server(self.url), user=f"uid={person.uid},{PEOPLE_DN}",
                       password="wrong-password").bind()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextlib.contextmanager
def running_slapd(folder: Path | None = None) -> Iterator[Slapd]:
    """A slapd for the duration of the block, in ``folder`` or a temporary directory."""
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="slapd-")))
        server = Slapd(folder=folder).start()
        stack.callback(server.stop)
        yield server


if __name__ == "__main__":  # pragma: no cover - for trying it out by hand
    import shlex
    import signal

    # Stopped by a service manager or `timeout`: stop slapd too, as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with running_slapd() as server:
        values = server.settings() | {
            "DIRECTORY_ORGANISATIONS": f"{os.environ.get('ORG', 'alpine')}:{PEOPLE_DN}"}
        for name, value in values.items():
            print(f"export {name}={shlex.quote(str(value))}")
        print(f"# people: {', '.join(p.mail for p in PEOPLE)}; password {DEMO_PASSWORD}",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
