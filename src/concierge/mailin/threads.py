"""Which ticket an e-mail belongs to, and the headers that keep a ticket's mails in one thread.

The Message-IDs we send are ``<ticket-123.<part>.<signature>@domain>``: a reply's
In-Reply-To/References name the ticket without any table, and the signature (keyed with the
secret key) means nobody can make one up for a ticket they are not part of. The support
address with a tag (``support+REQ-000123@example.com``) is the Reply-To, and the ticket number
in the subject (``[REQ-000123]``, ``INC-42``) works for mail written by hand.
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from concierge.tickets.choices import TICKET_PREFIX

_SALT = "concierge.mailin.message-id"
_OURS = re.compile(r"^<ticket-(\d{1,12})\.([\w.-]{1,80})\.([0-9a-f]{16})@[^<>@\s]+>$")
_NUMBER = re.compile(r"(?<![\w-])(REQ|INC)-?0*(\d{1,12})(?!\d)", re.IGNORECASE)
PREFIX_KIND = {prefix: kind for kind, prefix in TICKET_PREFIX.items()}


def support_address() -> tuple[str, str]:
    local, _at, domain = settings.MAILIN_ADDRESS.partition("@")
    return local, domain


def _signature(ticket_pk: int, part: str) -> str:
    return salted_hmac(_SALT, f"{ticket_pk}.{part}", algorithm="sha256").hexdigest()[:16]


def message_id(ticket_pk: int, part: str) -> str:
    """A stable Message-ID for one mail about a ticket (``part`` names the mail)."""
    part = re.sub(r"[^\w.-]", "-", part)[:80]
    return f"<ticket-{ticket_pk}.{part}.{_signature(ticket_pk, part)}@{support_address()[1]}>"


def thread_root(ticket_pk: int) -> str:
    """The Message-ID every mail about the ticket refers to, so mail clients thread them."""
    return message_id(ticket_pk, "thread")


def reply_address(number: str) -> str:
    local, domain = support_address()
    return f"{local}+{number}@{domain}"


def ticket_ids_from_references(references: list[str]) -> list[int]:
    """Tickets named by Message-IDs we sent (signature checked), newest reference first."""
    found = []
    for reference in reversed(references):
        match = _OURS.match(reference.strip())
        if match and constant_time_compare(match.group(3),
                                           _signature(int(match.group(1)), match.group(2))):
            pk = int(match.group(1))
            if pk not in found:
                found.append(pk)
    return found


def ticket_numbers_in(text: str) -> list[tuple[str, int]]:
    """(kind, pk) of ticket numbers written in ``text`` (a subject or an address)."""
    return [(PREFIX_KIND[m.group(1).upper()], int(m.group(2))) for m in _NUMBER.finditer(text)]


def ticket_numbers_in_recipients(recipients: list[str]) -> list[tuple[str, int]]:
    """Numbers in the tag of our own address (support+REQ-000123@...)."""
    local, domain = support_address()
    found = []
    for address in recipients:
        name, _at, host = address.partition("@")
        if host == domain.lower() and name.startswith(f"{local.lower()}+"):
            found += ticket_numbers_in(name.partition("+")[2])
    return found


def is_our_address(address: str) -> bool:
    """The support address (with any tag) or the address we send from: mail from it loops."""
    from email.utils import parseaddr

    address = address.lower()
    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), settings.MAILIN_ADDRESS.lower()}
    local, domain = support_address()
    name, _at, host = address.partition("@")
    return address in ours or (host == domain.lower() and name.startswith(f"{local.lower()}+"))
