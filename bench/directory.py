"""Directory sign-in and password change throughput against a private slapd.

Runs inside the bench environment (``bench/run.py`` calls it once per database): starts slapd
as the tests do (``concierge.directory.slapd``), points the portal at it, and measures through
the real code paths, one after the other:

- sign-ins: ``django.contrib.auth.authenticate`` with the directory backend (search the person,
  bind as them, sync the portal account, audit);
- password changes: ``directory.services.password_change`` (policy and history checks, the
  password-modify operation bound as the person, audit, other sessions ended).

Prints one JSON object; ``{"skipped": reason}`` when slapd is not installed. What it made in the
database is deleted at the end.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIGN_INS = 300
CHANGES = 60


def main() -> dict:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    import django

    django.setup()
    from concierge.directory import slapd

    if not slapd.available():
        return {"skipped": "slapd is not installed (apt-get install slapd ldap-utils)"}
    from django.test.utils import override_settings

    with tempfile.TemporaryDirectory(prefix="bench-slapd-") as folder, \
            slapd.running_slapd(Path(folder)) as server:
        person = slapd.Person("bench.user", "Bench", "User", "bench.user@bench.example",
                              password="Bench-start-2026!")
        server.add_person(person)
        from concierge.accounts.models import Organisation

        org = Organisation.objects.order_by("pk").first()
        with override_settings(
                **server.settings(), DIRECTORY_ORGANISATIONS=[(org.slug, slapd.PEOPLE_DN)],
                AUTHENTICATION_BACKENDS=["concierge.directory.backends.DirectoryBackend"],
                CACHES={"default": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
            return measure(person)


def _summary(durations: list[float]) -> dict:
    durations.sort()
    return {"p50": round(statistics.median(durations), 2),
            "p99": round(durations[max(0, int(len(durations) * 0.99) - 1)], 2)}


def measure(person) -> dict:
    from django.contrib.auth import authenticate

    from concierge.accounts.models import User
    from concierge.directory.models import AuditEvent
    from concierge.directory.services import password_change

    sign_in_ms = []
    try:
        started_all = time.perf_counter()
        for _ in range(SIGN_INS):
            started = time.perf_counter()
            user = authenticate(email=person.mail, password=person.password)
            sign_in_ms.append((time.perf_counter() - started) * 1000)
            if user is None:
                raise RuntimeError("the bench person could not sign in")
        sign_in_s = time.perf_counter() - started_all
        change_ms = []
        current = person.password
        started_all = time.perf_counter()
        for number in range(CHANGES):
            new = f"Quick-change-{number:03d}-Xy!"
            started = time.perf_counter()
            password_change(user=user, old_password=current, new_password=new, address=None)
            change_ms.append((time.perf_counter() - started) * 1000)
            current = new
        change_s = time.perf_counter() - started_all
        return {
            "sign_ins": SIGN_INS, "sign_ins_per_s": round(SIGN_INS / sign_in_s, 1),
            "sign_in_ms": _summary(sign_in_ms),
            "password_changes": CHANGES, "changes_per_s": round(CHANGES / change_s, 1),
            "change_ms": _summary(change_ms),
        }
    finally:
        AuditEvent.objects.filter(login=person.mail).delete()
        User.objects.filter(email=person.mail).delete()


if __name__ == "__main__":
    print(json.dumps(main()))
