"""Reads for the agents' workspace, always scoped to the agent: anything else is a 404."""

import datetime
import re

from django.contrib.auth.models import Group
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from concierge.accounts.choices import GROUP_ROLES, Role
from concierge.accounts.models import User
from concierge.desk.models import CannedResponse, GroupProfile, SavedView
from concierge.sla.engine import AT_RISK, BREACHED, ON_TIME, PAUSED
from concierge.tickets.choices import OPEN_STATUSES
from concierge.tickets.models import NUMBER_RE, Ticket

PAGE_SIZE = 25
# Sortable columns: name in the URL -> field (the primary key breaks ties).
SORTS = {"number": "pk", "title": "title", "priority": "priority", "status": "status",
         "created": "created_at", "updated": "updated_at", "due": "resolution_due_at"}
NULLABLE_SORTS = {"due"}
DEFAULT_SORT = "-created"


def parse_id(value) -> int | None:
    """A primary key from user input: ASCII digits that fit every id column, else None."""
    value = str(value or "")
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def require_agent(user: User) -> None:
    """Everyone but agents (and administrators) gets a 404: the desk does not exist for them."""
    if not user.is_authenticated or not user.is_agent:
        raise Http404("No desk")


def desk_scope(user: User) -> Q:
    """Tickets an agent may work: their organisation's, and any routed to one of their groups.
    Administrators see every ticket."""
    if user.is_superuser:
        return Q()
    return Q(organisation_id=user.organisation_id) | Q(group_id__in=user.group_ids)


def agent_groups(user: User) -> list[tuple[int, str]]:
    """The IT groups (not role groups) the agent belongs to, (id, name) by name: their queues."""
    return sorted(((pk, name) for pk, name in user.memberships.items()
                   if name not in GROUP_ROLES), key=lambda group: (group[1], group[0]))


def assignable_groups() -> QuerySet[Group]:
    return Group.objects.exclude(name__in=GROUP_ROLES).order_by("name")


def assignable_agents(user: User) -> QuerySet[User]:
    """Agents a ticket may be given to: active agents and administrators (by their role
    groups) of the viewer's organisation."""
    members = User.groups.through.objects.filter(group__name__in=[Role.AGENT, Role.ADMIN])
    agents = User.objects.filter(is_active=True, pk__in=members.values("user_id"))
    if not user.is_superuser:
        agents = agents.filter(organisation_id=user.organisation_id)
    return agents.only("pk", "display_name", "email").order_by("display_name")


def assignable_agent_choices(user: User) -> list[tuple[int, str]]:
    """The same agents for a menu: (id, name) each, by name."""
    return list(assignable_agents(user).order_by("display_name", "pk")
                .values_list("pk", "display_name"))


def group_lead_of(group_id: int | None) -> User | None:
    if group_id is None:
        return None
    profile = GroupProfile.objects.select_related("lead").filter(group_id=group_id).first()
    return profile.lead if profile and profile.lead and profile.lead.is_active else None


def sla_state_expression(now: datetime.datetime) -> Case:
    """The SLA state of a ticket in SQL, the same as sla.engine.clock_state in Python."""
    clock = Coalesce(F("sla_paused_at"), Value(now, output_field=DateTimeField()))
    breached = (
        Q(response_due_at__isnull=False, first_response_at__isnull=True,
          response_due_at__lt=clock)
        | Q(response_due_at__isnull=False, first_response_at__gt=F("response_due_at"))
        | Q(resolution_due_at__isnull=False, resolved_at__isnull=True,
            resolution_due_at__lt=clock)
        | Q(resolution_due_at__isnull=False, resolved_at__gt=F("resolution_due_at"))
    )
    has_target = Q(response_due_at__isnull=False) | Q(resolution_due_at__isnull=False)
    at_risk = (Q(first_response_at__isnull=True, response_warn_at__lte=now)
               | Q(resolution_warn_at__lte=now))
    return Case(
        When(breached, then=Value(BREACHED)),
        When(has_target & Q(resolved_at__isnull=False), then=Value(ON_TIME)),
        When(has_target & Q(sla_paused_at__isnull=False), then=Value(PAUSED)),
        When(has_target & at_risk, then=Value(AT_RISK)),
        When(has_target, then=Value(ON_TIME)),
        default=Value(""),
        output_field=CharField(),
    )


def _search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    text = text.strip()
    if not text:
        return tickets
    number = NUMBER_RE.match(text)
    condition = Q(title__icontains=text) | Q(requester__display_name__icontains=text)
    if number:
        condition |= Q(pk=int(number.group(2)))
    return tickets.filter(condition)


def desk_ticket_list(user: User, *, queue: str = "mine", filters: dict | None = None,
                     sort: str = DEFAULT_SORT) -> QuerySet[Ticket]:
    """The tickets of one queue ("mine", "unassigned", "all" or "group-<id>"), filtered and
    sorted. Open tickets only unless a status filter says otherwise."""
    filters = filters or {}
    group_id = parse_id(queue[6:]) if queue.startswith("group-") else None
    # An agent may work what is assigned to them and what is routed to their groups, so those
    # queues need no scope (and stay on their own indexes).
    if queue == "mine":
        tickets = Ticket.objects.filter(assignee=user)
    elif queue == "unassigned":
        tickets = Ticket.objects.filter(desk_scope(user), assignee__isnull=True)
    elif group_id is not None and (group_id in user.group_ids or user.is_superuser):
        tickets = Ticket.objects.filter(group_id=group_id)
    elif queue == "all":
        tickets = Ticket.objects.filter(desk_scope(user))
    else:
        tickets = Ticket.objects.none()
    status = filters.get("status") or "open"
    if status == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif status != "any":
        tickets = tickets.filter(status=status)
    if filters.get("priority"):
        tickets = tickets.filter(priority=filters["priority"])
    if filters.get("category"):
        tickets = tickets.filter(item__category_id=filters["category"])
    if filters.get("organisation"):
        tickets = tickets.filter(organisation_id=filters["organisation"])
    if filters.get("sla"):
        tickets = tickets.alias(sla=sla_state_expression(timezone.now())).filter(
            sla=filters["sla"])
    tickets = _search(tickets, filters.get("q") or "")
    return tickets.order_by(*ordering(sort))


class TicketPage:
    """What the Paginator slices: the count and the page's ids come from narrow queries that a
    covering index answers; only the page's own rows are then loaded in full."""

    def __init__(self, tickets: QuerySet[Ticket]):
        self.tickets = tickets

    def count(self) -> int:
        return self.tickets.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("TicketPage only slices")
        ids = list(self.tickets.values_list("pk", flat=True)[index])
        rows = {t.pk: t for t in desk_rows(Ticket.objects.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]


def desk_rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The columns a desk list shows; the names it shows come as annotations (requester_name,
    assignee_name, group_name, organisation_name), not as related objects."""
    return (tickets.annotate(requester_name=F("requester__display_name"),
                             assignee_name=F("assignee__display_name"),
                             group_name=F("group__name"),
                             organisation_name=F("organisation__name"))
            .only("pk", "kind", "title", "status", "priority", "created_at", "updated_at",
                  "requester_id", "assignee_id", "group_id", "organisation_id",
                  "response_due_at", "resolution_due_at", "response_warn_at",
                  "resolution_warn_at", "first_response_at", "resolved_at", "sla_paused_at"))


def ordering(sort: str) -> list:
    """order_by() arguments for a column name, "-" in front for descending."""
    key = sort.lstrip("-")
    if key not in SORTS:
        key, sort = "created", DEFAULT_SORT
    descending = sort.startswith("-")
    field = SORTS[key]
    if key in NULLABLE_SORTS:  # empty deadlines last either way
        first = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    else:
        first = f"-{field}" if descending else field
    return [first, "-pk" if descending else "pk"] if field != "pk" else [first]


TICKET_COLUMNS = [field.attname for field in Ticket._meta.concrete_fields]
PERSON_SHOWN = ["display_name", "email", "job_title", "location", "phone", "language",
                "organisation_id", "department__name", "manager__display_name"]


def desk_ticket_get(user: User, number: str) -> Ticket:
    """One ticket by its number (REQ-000123, INC-12 or 123) in the agent's scope, else 404.

    The ticket and the people on its card come in two narrow queries: one query joining all
    of them takes PostgreSQL longer to plan (about 5 ms) than to run. Linked tickets are read
    only when there are some."""
    require_agent(user)
    match = NUMBER_RE.match(number or "")
    if not match:
        raise Http404("No such ticket")
    ticket = (Ticket.objects.filter(desk_scope(user), pk=int(match.group(2)))
              .select_related("organisation").only(*TICKET_COLUMNS, "organisation__name")
              .order_by().first())
    if ticket is None:
        raise Http404("No such ticket")
    people = {person.pk: person for person in
              User.objects.filter(pk__in={ticket.requester_id, ticket.requested_for_id})
              .select_related("department", "manager").only(*PERSON_SHOWN)}
    ticket.requester = people[ticket.requester_id]
    ticket.requested_for = people.get(ticket.requested_for_id)
    return ticket


def requester_recent(ticket: Ticket, user: User, limit: int = 5) -> dict:
    """The requester's other recent tickets and their last orders with a price, of those the
    agent may work (an agent of another organisation sees only what was routed to them)."""
    others = (Ticket.objects.filter(desk_scope(user), requester_id=ticket.requester_id)
              .exclude(pk=ticket.pk)
              .only("pk", "kind", "title", "status", "created_at", "price_once", "item_name")
              .order_by("-created_at", "-pk"))
    return {"tickets": list(others[:limit]),
            "orders": list(others.filter(kind="request", price_once__gt=0)[:limit])}


def saved_views_for(user: User) -> list[SavedView]:
    return list(SavedView.objects.filter(Q(owner=user) | Q(shared=True))
                .select_related("owner").order_by("name", "pk"))


def saved_view_get_for(user: User, pk: int) -> SavedView:
    view = SavedView.objects.filter(Q(owner=user) | Q(shared=True), pk=pk).first()
    if view is None:
        raise Http404("No such view")
    return view


def canned_responses() -> list[CannedResponse]:
    return list(CannedResponse.objects.all())
