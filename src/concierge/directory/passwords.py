"""Checks a new directory password must pass before the portal sends it to the directory.

The directory's own policy (length, history: ``Directory.policy``) plus character classes and a
list of common passwords (Django's list of 20,000, or the file ``DIRECTORY_COMMON_PASSWORDS``
names: one password a line, optionally gzipped), compared case-insensitively. Every rule that
fails gives its own plain message.
"""

import functools
import gzip
from pathlib import Path

import django.contrib.auth
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concierge.directory.client import PasswordPolicy


@functools.cache
def common_passwords(path: str) -> frozenset[str]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(Path(path), "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def common_passwords_file() -> str:
    return getattr(settings, "DIRECTORY_COMMON_PASSWORDS", "") or \
        str(Path(django.contrib.auth.__file__).parent / "common-passwords.txt.gz")


def character_classes(password: str) -> int:
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


def password_problems(password: str, *, policy: PasswordPolicy,
                      personal: tuple[str, ...] = ()) -> list[str]:
    """Every rule ``password`` breaks, as messages; empty when it may be used."""
    problems = []
    if len(password) < policy.min_length:
        problems.append(ngettext("Use at least %(n)d character.",
                                 "Use at least %(n)d characters.", policy.min_length)
                        % {"n": policy.min_length})
    if character_classes(password) < policy.min_classes:
        problems.append(_("Mix at least %(n)d of: lower-case letters, capital letters, digits "
                          "and symbols.") % {"n": policy.min_classes})
    if password.lower() in common_passwords(common_passwords_file()):
        problems.append(_("This password is one of the most common ones and easy to guess."))
    lowered = password.lower()
    if any(len(part) >= 3 and part.lower() in lowered for part in personal):
        problems.append(_("Do not use your name or user name in the password."))
    return problems
