"""Reads of the requester's verdict: their own surveys, e-mail links, and results for reports.

The aggregate selectors (``feedback_summary``, ``feedback_by_group``, ``feedback_by_agent``)
are what later reporting calls: each takes optional ``since``/``until`` bounds on the
resolution time and returns plain dicts.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db.models import Avg, Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from concierge.accounts.models import User
from concierge.feedback.choices import SCORES, SurveyStatus
from concierge.feedback.models import Survey
from concierge.feedback.services import TOKEN_SALT
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Ticket


class LinkInvalid(Exception):
    """An e-mail link that was forged, altered or has expired."""


def _current() -> Q:
    """Surveys about the resolution the ticket is still in."""
    return Q(ticket__resolved_at=F("resolved_at"),
             ticket__status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])


def survey_todo_for(user: User) -> QuerySet[Survey]:
    """Ratings waiting for ``user`` (the To-dos): pending, current, within the reopen period."""
    since = timezone.now() - datetime.timedelta(days=settings.FEEDBACK_REOPEN_DAYS)
    return Survey.objects.filter(_current(), requester=user, status=SurveyStatus.PENDING,
                                 resolved_at__gte=since).select_related("ticket") \
        .order_by("-resolved_at", "-pk")


def survey_get_for(user: User, pk: int) -> Survey:
    """The requester's own survey; anyone else gets a 404."""
    try:
        return Survey.objects.select_related("ticket", "requester").get(pk=pk, requester=user)
    except Survey.DoesNotExist:
        raise Http404("No such survey") from None


def survey_current_for(user: User, ticket: Ticket) -> Survey | None:
    """The survey shown on the ticket's page: the latest one, to its requester only."""
    if user.pk != ticket.requester_id or ticket.resolved_at is None:
        return None
    survey = Survey.objects.filter(ticket=ticket, resolved_at=ticket.resolved_at).first()
    if survey is not None:
        survey.ticket = ticket
    return survey


def survey_is_current(survey: Survey) -> bool:
    ticket = survey.ticket
    return ticket.resolved_at == survey.resolved_at and ticket.status in (
        TicketStatus.RESOLVED, TicketStatus.CLOSED)


def survey_from_token(token: str) -> tuple[Survey, int]:
    """The survey and score an e-mail link stands for; raises LinkInvalid."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.FEEDBACK_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkInvalid("expired") from None
    except signing.BadSignature:
        raise LinkInvalid("bad signature") from None
    survey = Survey.objects.select_related("ticket", "requester").filter(
        pk=data.get("survey"), requester_id=data.get("user")).first()
    if survey is None or data.get("rating") not in SCORES:
        raise LinkInvalid("unknown survey")
    return survey, data["rating"]


# --- results ----------------------------------------------------------------------------------

def _between(surveys: QuerySet[Survey], since=None, until=None) -> QuerySet[Survey]:
    if since is not None:
        surveys = surveys.filter(resolved_at__gte=since)
    if until is not None:
        surveys = surveys.filter(resolved_at__lt=until)
    return surveys


_AGGREGATES = {
    "asked": Count("pk"),
    "rated": Count("pk", filter=Q(rating__isnull=False)),
    "satisfied": Count("pk", filter=Q(rating__gte=4)),
    "rating_avg": Avg("rating"),
    "effort_rated": Count("pk", filter=Q(effort__isnull=False)),
    "effort_avg": Avg("effort"),
    "reopened": Count("pk", filter=Q(status=SurveyStatus.REOPENED)),
}


def _finish(row: dict) -> dict:
    """Add the shares: CSAT is the share of 4s and 5s among ratings, as usual."""
    rated = row["rated"]
    answered = rated + row["reopened"]
    row["csat"] = round(100 * row["satisfied"] / rated) if rated else None
    row["response_rate"] = round(100 * answered / row["asked"]) if row["asked"] else None
    for key in ("rating_avg", "effort_avg"):
        row[key] = round(row[key], 2) if row[key] is not None else None
    return row


def feedback_summary(*, agent: User | None = None, group_ids=None, since=None,
                     until=None) -> dict:
    """Totals over all surveys (or one agent's, or some groups'): asked, rated, average
    rating and ease, CSAT %, response rate and how often "not fixed" reopened a ticket."""
    surveys = _between(Survey.objects.all(), since, until)
    if agent is not None:
        surveys = surveys.filter(agent=agent)
    if group_ids is not None:
        surveys = surveys.filter(group_id__in=list(group_ids))
    return _finish(surveys.aggregate(**_AGGREGATES))


def feedback_by_group(*, since=None, until=None) -> list[dict]:
    """One row per group (``group_id``, ``group_name``; None for tickets without a group)."""
    rows = _between(Survey.objects.all(), since, until).values("group_id", "group__name") \
        .annotate(**_AGGREGATES).order_by("group__name")
    return [_finish({**row, "group_name": row.pop("group__name")}) for row in rows]


def feedback_by_agent(*, group_ids=None, since=None, until=None) -> list[dict]:
    """One row per agent (``agent_id``, ``agent_name``), optionally within some groups."""
    surveys = _between(Survey.objects.all(), since, until)
    if group_ids is not None:
        surveys = surveys.filter(group_id__in=list(group_ids))
    rows = surveys.values("agent_id", "agent__display_name").annotate(**_AGGREGATES) \
        .order_by("agent__display_name")
    return [_finish({**row, "agent_name": row.pop("agent__display_name")}) for row in rows]


def feedback_recent_for(agent: User, *, limit: int = 20) -> QuerySet[Survey]:
    """The agent's latest answered surveys with their comments (for "My results")."""
    return Survey.objects.filter(agent=agent).exclude(status=SurveyStatus.PENDING) \
        .select_related("ticket").order_by("-answered_at", "-pk")[:limit]


def reopen_too_late(survey: Survey) -> bool:
    from concierge.feedback.services import reopen_deadline

    return timezone.now() > reopen_deadline(survey)


def feedback_report(*, scope: Q | None = None, since=None, until=None) -> dict:
    """Totals, per group and per agent of the surveys within ``scope`` (a filter on surveys,
    e.g. ``Q(ticket__organisation_id=...)``), as ``summary``, ``groups`` and ``agents`` in the
    shapes of the selectors above. Three queries."""
    surveys = _between(Survey.objects.filter(scope or Q()), since, until)
    groups = surveys.values("group_id", "group__name").annotate(**_AGGREGATES) \
        .order_by("group__name")
    agents = surveys.values("agent_id", "agent__display_name").annotate(**_AGGREGATES) \
        .order_by("agent__display_name")
    return {
        "summary": _finish(surveys.aggregate(**_AGGREGATES)),
        "groups": [_finish({**row, "group_name": row.pop("group__name")}) for row in groups],
        "agents": [_finish({**row, "agent_name": row.pop("agent__display_name")})
                   for row in agents],
    }
