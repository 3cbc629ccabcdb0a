"""Demo data for the desk: the Berlin calendar with German public holidays, targets per
priority, group leads, canned responses, and tickets spread over queues and SLA states.

Idempotent: rows are matched by name, tickets made once (marked by their titles)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from concierge.accounts.choices import Role
from concierge.accounts.models import Department, User
from concierge.catalog.models import CatalogItem
from concierge.desk.models import CannedResponse, GroupProfile
from concierge.sla.models import Calendar, Holiday, Target
from concierge.sla.services import sla_start
from concierge.tickets.choices import Priority, TicketKind, TicketStatus
from concierge.tickets.models import Ticket
from concierge.tickets.services import activity_log

# Nationwide public holidays in Germany.
GERMAN_HOLIDAYS = {
    "2026-01-01": "Neujahr", "2026-04-03": "Karfreitag", "2026-04-06": "Ostermontag",
    "2026-05-01": "Tag der Arbeit", "2026-05-14": "Christi Himmelfahrt",
    "2026-05-25": "Pfingstmontag", "2026-10-03": "Tag der Deutschen Einheit",
    "2026-12-25": "1. Weihnachtstag", "2026-12-26": "2. Weihnachtstag",
    "2027-01-01": "Neujahr", "2027-03-26": "Karfreitag", "2027-03-29": "Ostermontag",
    "2027-05-01": "Tag der Arbeit", "2027-05-06": "Christi Himmelfahrt",
    "2027-05-17": "Pfingstmontag", "2027-10-03": "Tag der Deutschen Einheit",
    "2027-12-25": "1. Weihnachtstag", "2027-12-26": "2. Weihnachtstag",
}
# Priority -> (first response, resolution) in business minutes.
TARGETS = {Priority.CRITICAL: (30, 4 * 60), Priority.HIGH: (60, 8 * 60),
           Priority.MEDIUM: (4 * 60, 3 * 600), Priority.LOW: (8 * 60, 5 * 600)}
CANNED = [
    ("Thanks, we are on it",
     "Hello {requester_first_name},\n\nthank you for {ticket_number}. We are looking into it "
     "and will get back to you today.\n\nBest regards\n{agent_name}"),
    ("Need more details",
     "Hello {requester_first_name},\n\nto go on with {ticket_number} we need a little more: "
     "since when does it happen, and what exactly do you see on the screen? A screenshot "
     "helps.\n\nThanks,\n{agent_first_name}"),
    ("Bitte neu starten",
     "Hallo {requester_first_name},\n\nbitte starten Sie das Gerät einmal komplett neu "
     "(nicht nur zuklappen) und sagen Sie uns, ob es danach geht.\n\nViele Grüße\n"
     "{agent_name}"),
    ("Solved",
     "Hello {requester_first_name},\n\nthis is solved now. If anything still does not work, "
     "just reply here and {ticket_number} opens again.\n\n{agent_name}"),
]
# Demo incidents: title, priority, requester e-mail, hours ago, status, group, assigned.
INCIDENTS = [
    ("VPN drops every few minutes", Priority.HIGH, "anna.schmidt@alpenblick.example", 2,
     TicketStatus.IN_PROGRESS, "service-desk", True),
    ("Outlook keeps asking for my password", Priority.MEDIUM,
     "james.miller@harborfinch.example", 30, TicketStatus.SUBMITTED, "service-desk", False),
    ("Drucker im 3. OG druckt nur leere Seiten", Priority.LOW,
     "anna.schmidt@alpenblick.example", 6, TicketStatus.SUBMITTED, "it-workplace", False),
    ("Laptop screen flickers after update", Priority.HIGH, "james.miller@harborfinch.example",
     7, TicketStatus.IN_PROGRESS, "it-workplace", True),
    ("Cannot open the finance share", Priority.CRITICAL, "anna.schmidt@alpenblick.example", 3,
     TicketStatus.SUBMITTED, "service-desk", False),
    ("Teams-Kamera wird nicht erkannt", Priority.MEDIUM, "anna.schmidt@alpenblick.example",
     26, TicketStatus.WAITING_FOR_YOU, "service-desk", True),
    ("New starter needs a docking station", Priority.LOW, "james.miller@harborfinch.example",
     1, TicketStatus.SUBMITTED, "it-procurement", False),
]


def load_calendar() -> Calendar:
    calendar, _created = Calendar.objects.get_or_create(name="Berlin office", defaults={
        "time_zone": "Europe/Berlin", "is_default": True,
        "hours": {day: ["08:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}})
    for day, name in GERMAN_HOLIDAYS.items():
        Holiday.objects.get_or_create(calendar=calendar, date=datetime.date.fromisoformat(day),
                                      defaults={"name": name})
    for priority, (response, resolution) in TARGETS.items():
        Target.objects.get_or_create(priority=priority, item=None, category=None, defaults={
            "response_minutes": response, "resolution_minutes": resolution})
    return calendar


def load_groups(people: dict[str, User]) -> dict[str, Group]:
    sofia = people["sofia.agent@alpenblick.example"]
    it = Department.objects.filter(organisation=sofia.organisation, code="it").first()
    lead, _created = User.objects.get_or_create(
        email="jonas.lead@alpenblick.example",
        defaults={"display_name": "Jonas Lehmann", "organisation": sofia.organisation,
                  "department": it, "language": "de", "job_title": "Teamleiter Service Desk",
                  "location": "München, HQ", "phone": "+49 89 1234 200",
                  "password": sofia.password or make_password(None)})
    groups = {name: Group.objects.get_or_create(name=name)[0]
              for name in ("service-desk", "it-procurement", "it-workplace", "it-applications")}
    lead.groups.add(Group.objects.get_or_create(name=Role.AGENT)[0], *groups.values())
    sofia.groups.add(groups["service-desk"])
    for name, group in groups.items():
        GroupProfile.objects.get_or_create(group=group, defaults={
            "lead": lead if name != "it-procurement" else sofia})
    return groups


@transaction.atomic
def load_desk(people: dict[str, User]) -> int:
    """Everything above; returns how many demo incidents were made (0 on later runs)."""
    load_calendar()
    groups = load_groups(people)
    for title, body in CANNED:
        CannedResponse.objects.get_or_create(title=title, defaults={"body": body})
    sofia = people["sofia.agent@alpenblick.example"]
    # The portal loader's demo requests were routed by the catalog when they were submitted.
    if Ticket.objects.filter(title=INCIDENTS[0][0]).exists():
        return 0
    item = CatalogItem.objects.filter(slug="something-broken").first()
    now = timezone.now()
    for title, priority, email, hours, status, group, assigned in INCIDENTS:
        requester = User.objects.get(email=email)
        ticket = Ticket.objects.create(
            kind=TicketKind.INCIDENT, title=title, priority=priority, requester=requester,
            requested_for=requester, organisation_id=requester.organisation_id, item=item,
            item_name=item.name if item else {"en": "Something is broken"},
            answers=[{"key": "summary", "type": "text", "step": "problem",
                      "label": {"en": "What is the problem?", "de": "Was ist das Problem?"},
                      "value": title, "display": title}],
            status=status, group=groups[group], assignee=sofia if assigned else None)
        created = now - datetime.timedelta(hours=hours)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created, updated_at=created)
        ticket.refresh_from_db()
        sla_start(ticket=ticket, now=created + datetime.timedelta(hours=hours / 2))
        activity_log(ticket, requester, "tickets.ticket.submitted")
    return len(INCIDENTS)
