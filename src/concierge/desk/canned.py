"""Filling in canned responses: plain {name} placeholders, nothing else is interpreted."""

import re
from dataclasses import dataclass

from concierge.accounts.models import User
from concierge.core.i18n import localize
from concierge.tickets.models import Ticket

PLACEHOLDER_RE = re.compile(r"\{([^{}\s]{1,60})\}")


@dataclass(frozen=True)
class Filled:
    text: str
    unknown: tuple[str, ...]


def placeholders_for(ticket: Ticket, agent: User) -> dict[str, str]:
    requester = ticket.requested_for if ticket.requested_for_id else ticket.requester
    return {
        "requester_first_name": requester.first_name,
        "requester_name": requester.display_name,
        "ticket_number": ticket.number,
        "ticket_title": ticket.title,
        "agent_name": agent.display_name,
        "agent_first_name": agent.first_name,
        "service": localize(ticket.item_name, requester.language) if ticket.item_name else "",
    }


def canned_fill(body: str, values: dict[str, str]) -> Filled:
    """Replace known ``{name}`` placeholders; unknown ones stay visible and are reported.

    No format specs, attributes or indexes: ``{agent_name.__class__}`` is simply unknown.
    """
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name not in unknown:
            unknown.append(name)
        return match.group(0)

    return Filled(text=PLACEHOLDER_RE.sub(replace, body), unknown=tuple(unknown))
