"""Reads for the reports: volume, deflection, satisfaction, service levels and costs.

Every figure is aggregated in the database, a fixed number of queries per section however many
tickets there are. Administrators see every organisation (or one they pick); service managers see
their own organisation; for everyone else the reports do not exist (404), like the desk.

A period is a range of whole days in the portal's time zone, ``start`` and ``end`` included.
Tickets count in the period they were submitted in (resolved: the period they were resolved in),
satisfaction in the period of the resolution rated, deflection in the period of the form.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.utils import timezone

from concierge.accounts.choices import Role
from concierge.accounts.models import Organisation, User
from concierge.catalog.models import CatalogItem, Category
from concierge.desk.selectors import assignable_groups
from concierge.feedback.selectors import feedback_report
from concierge.search.selectors import deflection_report, searches_without_result
from concierge.tickets.choices import OPEN_STATUSES, Priority, TicketKind, TicketStatus
from concierge.tickets.models import Ticket

SECTIONS = ("volume", "deflection", "satisfaction", "sla", "costs")
TOP = 10
# Neither a desk's miss nor money spent.
NOT_COUNTED = [TicketStatus.CANCELLED, TicketStatus.REJECTED]


# --- who sees what ----------------------------------------------------------------------------

def may_see_reports(user: User) -> bool:
    """Administrators and service managers. Costs no query for people in no group at all."""
    if not user.is_authenticated:
        return False
    if not (user.is_superuser or user.group_ids):
        return False
    return user.has_role(Role.ADMIN) or user.has_role(Role.SERVICE_MANAGER)


def require_reports(user: User) -> None:
    if not may_see_reports(user):
        raise Http404("No reports")


def sees_every_organisation(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def report_organisation_for(user: User, requested: int | None) -> int | None:
    """The organisation the report is about: a service manager's own, always; for an
    administrator the one asked for, or None for all."""
    if sees_every_organisation(user):
        return requested
    return user.organisation_id


def filter_choices(user: User) -> dict:
    """What the filter form offers: IT groups, catalog categories, organisations (admins)."""
    return {
        "groups": list(assignable_groups().only("pk", "name")),
        "categories": list(Category.objects.only("pk", "slug", "name")),
        "organisations": list(Organisation.objects.only("pk", "name"))
        if sees_every_organisation(user) else [],
    }


# --- the filters ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Days ``start`` to ``end`` (both included) and the optional narrowing."""

    start: datetime.date
    end: datetime.date
    organisation_id: int | None = None
    group_id: int | None = None
    category_id: int | None = None

    @property
    def since(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        return _midnight(self.end + datetime.timedelta(days=1))

    def tickets(self) -> QuerySet[Ticket]:
        """Tickets of the organisation, group and category (any time)."""
        tickets = Ticket.objects.all()
        if self.organisation_id is not None:
            tickets = tickets.filter(organisation_id=self.organisation_id)
        if self.group_id is not None:
            tickets = tickets.filter(group_id=self.group_id)
        if self.category_id is not None:
            tickets = tickets.filter(item__category_id=self.category_id)
        return tickets

    def submitted(self) -> QuerySet[Ticket]:
        return self.tickets().filter(created_at__gte=self.since, created_at__lt=self.until)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _week_of(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _with_bars(rows: list[dict], key: str) -> list[dict]:
    """Add ``bar``: the row's ``key`` as a percentage of the largest (for the CSS/SVG bars)."""
    top = max((row[key] or 0 for row in rows), default=0)
    for row in rows:
        row["bar"] = round(100 * (row[key] or 0) / top) if top else 0
    return rows


# --- volume -----------------------------------------------------------------------------------

def volume_report(filters: Filters) -> dict:
    """Tickets submitted and resolved per week, by kind, and the open backlog now. Three
    queries."""
    opened = filters.submitted().annotate(week=TruncWeek("created_at")) \
        .values("week", "kind").annotate(n=Count("pk")).order_by()
    resolved = filters.tickets().filter(
        resolved_at__gte=filters.since, resolved_at__lt=filters.until).annotate(
        week=TruncWeek("resolved_at")).values("week", "kind").annotate(n=Count("pk")).order_by()
    counts: dict[tuple, int] = {}
    for what, rows in (("opened", opened), ("resolved", resolved)):
        for row in rows:
            key = (what, _week_of(row["week"]), row["kind"])
            counts[key] = counts.get(key, 0) + row["n"]
    weeks = []
    week = filters.start - datetime.timedelta(days=filters.start.weekday())
    while week <= filters.end:
        row = {"week": week}
        for what in ("opened", "resolved"):
            for kind in TicketKind.values:
                row[f"{what}_{kind}"] = counts.get((what, week, kind), 0)
            row[what] = sum(row[f"{what}_{kind}"] for kind in TicketKind.values)
        weeks.append(row)
        week += datetime.timedelta(days=7)
    totals = {key: sum(row[key] for row in weeks) for key in weeks[0] if key != "week"}
    backlog = dict(filters.tickets().filter(status__in=OPEN_STATUSES).values("kind")
                   .annotate(n=Count("pk")).order_by().values_list("kind", "n"))
    return {"weeks": _with_bars(weeks, "opened"), "totals": totals,
            "backlog": {kind: backlog.get(kind, 0) for kind in TicketKind.values},
            "backlog_total": sum(backlog.values())}


# --- deflection -------------------------------------------------------------------------------

def deflection_section(filters: Filters, *, all_searches: bool) -> dict:
    """The search app's deflection figures for the filters; the searches without a result only
    when ``all_searches`` (they are not recorded per organisation)."""
    report = deflection_report(since=filters.since, until=filters.until,
                               organisation_id=filters.organisation_id,
                               category_id=filters.category_id, limit=TOP)
    _with_bars(report["top"], "n")
    report["no_result"] = _with_bars(searches_without_result(
        since=filters.since, until=filters.until, limit=TOP), "n") if all_searches else None
    return report


# --- satisfaction -----------------------------------------------------------------------------

def satisfaction_section(filters: Filters) -> dict:
    """The feedback app's results for the surveys of the filtered tickets resolved in the
    period (group: the group that had the ticket when it was resolved)."""
    scope = Q()
    if filters.organisation_id is not None:
        scope &= Q(ticket__organisation_id=filters.organisation_id)
    if filters.group_id is not None:
        scope &= Q(group_id=filters.group_id)
    if filters.category_id is not None:
        scope &= Q(ticket__item__category_id=filters.category_id)
    report = feedback_report(scope=scope, since=filters.since, until=filters.until)
    _with_bars(report["groups"], "csat")
    _with_bars(report["agents"], "csat")
    return report


# --- service levels ---------------------------------------------------------------------------

def _sla_tickets(filters: Filters) -> QuerySet[Ticket]:
    """Submitted tickets with a target, each with the instants its clocks are read at, as the
    SLA engine's ``clock_state`` reads them: done, else paused, else now."""
    now = Value(timezone.now(), output_field=DateTimeField())
    return filters.submitted().exclude(status__in=NOT_COUNTED).filter(
        Q(response_due_at__isnull=False) | Q(resolution_due_at__isnull=False)).annotate(
        response_clock=Coalesce("first_response_at", "sla_paused_at", now),
        resolution_clock=Coalesce("resolved_at", "sla_paused_at", now))


_RESPONSE_MET = Q(first_response_at__isnull=False, response_due_at__isnull=False,
                  first_response_at__lte=F("response_due_at"))
_RESPONSE_BREACHED = Q(response_due_at__isnull=False, response_clock__gt=F("response_due_at"))
_RESOLUTION_MET = Q(resolved_at__isnull=False, resolution_due_at__isnull=False,
                    resolved_at__lte=F("resolution_due_at"))
_RESOLUTION_BREACHED = Q(resolution_due_at__isnull=False,
                         resolution_clock__gt=F("resolution_due_at"))
_SLA_AGGREGATES = {
    "with_target": Count("pk"),
    "response_met": Count("pk", filter=_RESPONSE_MET),
    "response_breached": Count("pk", filter=_RESPONSE_BREACHED),
    "resolution_met": Count("pk", filter=_RESOLUTION_MET),
    "resolution_breached": Count("pk", filter=_RESOLUTION_BREACHED),
    "breached": Count("pk", filter=_RESPONSE_BREACHED | _RESOLUTION_BREACHED),
}


def _sla_finish(row: dict) -> dict:
    """Shares of the decided clocks (met or breached; a clock still running counts later)."""
    for clock in ("response", "resolution"):
        met, breached = row[f"{clock}_met"], row[f"{clock}_breached"]
        row[f"{clock}_share"] = _share(met, met + breached)
    return row


def _median(tickets: QuerySet[Ticket], done: str, count: int) -> datetime.timedelta | None:
    """The median of ``done - created_at`` over ``count`` tickets with ``done`` set: the
    database sorts, one query fetches the middle one or two."""
    if not count:
        return None
    duration = ExpressionWrapper(F(done) - F("created_at"), output_field=DurationField())
    middle = (count - 1) // 2
    values = list(tickets.filter(**{f"{done}__isnull": False}).annotate(d=duration)
                  .order_by("d").values_list("d", flat=True)[middle:middle + 2 - count % 2])
    return sum(values, datetime.timedelta()) / len(values)


def sla_section(filters: Filters) -> dict:
    """Targets met and breached (first response, resolution), breaches per group and
    priority, and the median times to first response and to resolution (wall-clock time of
    all submitted tickets). Five queries."""
    tickets = _sla_tickets(filters)
    summary = _sla_finish(tickets.aggregate(**_SLA_AGGREGATES))
    groups = [_sla_finish(row) for row in tickets.values("group_id", "group__name")
              .annotate(**_SLA_AGGREGATES).order_by("group__name")]
    labels = dict(Priority.choices)
    priorities = [_sla_finish({**row, "label": labels.get(row["priority"], row["priority"])})
                  for row in tickets.values("priority").annotate(**_SLA_AGGREGATES)
                  .order_by("priority")]
    submitted = filters.submitted().exclude(status__in=NOT_COUNTED)
    done = submitted.aggregate(responded=Count("first_response_at"),
                               resolved=Count("resolved_at"))
    summary["median_response"] = _median(submitted, "first_response_at", done["responded"])
    summary["median_resolution"] = _median(submitted, "resolved_at", done["resolved"])
    return {"summary": summary, "groups": _with_bars(groups, "breached"),
            "priorities": _with_bars(priorities, "breached")}


# --- costs ------------------------------------------------------------------------------------

_MONEY = {"requests": Count("pk"),
          "once": Coalesce(Sum("price_once"), Value(Decimal(0))),
          "monthly": Coalesce(Sum("price_monthly"), Value(Decimal(0)))}


def cost_section(filters: Filters) -> dict:
    """What the requests submitted in the period cost (not cancelled or rejected), once and
    per month: in total, per organisation, per department and cost centre of the person it is
    for (as they are now), and the services that cost most. Five or six queries."""
    requests = filters.submitted().filter(kind=TicketKind.REQUEST).exclude(status__in=NOT_COUNTED)
    totals = requests.aggregate(**_MONEY)
    organisations = list(requests.values("organisation_id", name=F("organisation__name"))
                         .annotate(**_MONEY).order_by("-once", "-monthly", "name"))
    departments = list(requests.values(
        "requested_for__department_id", name=F("requested_for__department__name"))
        .annotate(**_MONEY).order_by("-once", "-monthly", "name"))
    centres = list(requests.values(
        "requested_for__cost_centre_id", code=F("requested_for__cost_centre__code"),
        name=F("requested_for__cost_centre__name"))
        .annotate(**_MONEY).order_by("-once", "-monthly", "code"))
    items = list(requests.values("item_id").annotate(**_MONEY)
                 .order_by("-once", "-monthly", "-requests", "item_id")[:TOP])
    names = CatalogItem.objects.only("pk", "name").in_bulk(
        [row["item_id"] for row in items if row["item_id"] is not None])
    for row in items:
        item = names.get(row["item_id"])
        row["name"] = str(item) if item else None
    for rows in (organisations, departments, centres, items):
        _with_bars(rows, "once")
    return {"totals": totals, "organisations": organisations, "departments": departments,
            "centres": centres, "items": items}


# --- the whole page ---------------------------------------------------------------------------

def section_for(user: User, section: str, filters: Filters) -> dict:
    """One section of the report (raises 404 for people who may not see reports)."""
    require_reports(user)
    match section:
        case "volume":
            return volume_report(filters)
        case "deflection":
            return deflection_section(filters, all_searches=sees_every_organisation(user))
        case "satisfaction":
            return satisfaction_section(filters)
        case "sla":
            return sla_section(filters)
        case "costs":
            return cost_section(filters)
    raise Http404("No such section")


def report_for(user: User, filters: Filters) -> dict:
    """Every section of the report page."""
    return {section: section_for(user, section, filters) for section in SECTIONS}


def organisation_label(user: User, filters: Filters | None, choices: dict) -> str | None:
    """Whose figures these are: the organisation's name, or None for every organisation."""
    if not sees_every_organisation(user):
        return user.organisation.name
    if filters is None or filters.organisation_id is None:
        return None
    return next((org.name for org in choices["organisations"]
                 if org.pk == filters.organisation_id), None)
