"""Service-level clocks on real tickets: targets, pauses, escalation, the badge, SQL = Python."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from concierge.core.testing import CatalogItemFactory, TicketFactory, UserFactory
from concierge.desk.models import GroupProfile
from concierge.desk.selectors import sla_state_expression
from concierge.sla import services
from concierge.sla.engine import STATES
from concierge.sla.models import Calendar, Escalation, Holiday, Target, parse_hours
from concierge.tickets.choices import Priority, TicketStatus
from concierge.tickets.models import Ticket
from concierge.tickets.services import comment_add, ticket_change_status, ticket_submit

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = {day: ["08:00-18:00"] for day in ["mon", "tue", "wed", "thu", "fri"]}


@pytest.fixture
def calendar(db):
    calendar = Calendar.objects.create(name="Berlin office", time_zone="Europe/Berlin",
                                       hours=WEEK, is_default=True)
    Holiday.objects.create(calendar=calendar, date=datetime.date(2026, 12, 25), name="Xmas")
    return calendar


@pytest.fixture
def targets(calendar):
    return {
        Priority.CRITICAL: Target.objects.create(priority=Priority.CRITICAL, response_minutes=30,
                                                 resolution_minutes=4 * 60),
        Priority.MEDIUM: Target.objects.create(priority=Priority.MEDIUM, response_minutes=4 * 60,
                                               resolution_minutes=3 * 600),
    }


def at(*args):
    return datetime.datetime(*args, tzinfo=BERLIN)


def ticket_at(created, **kwargs):
    ticket = TicketFactory(**kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    ticket.refresh_from_db()
    return services.sla_start(ticket=ticket, now=created)


# --- calendars and targets --------------------------------------------------------------------

def test_hours_are_parsed_and_checked():
    assert parse_hours({"mon": ["08:00-12:00", "13:00-17:30"], "sat": "09:00-12:00"}) == {
        0: ((480, 720), (780, 1050)), 5: ((540, 720),)}
    for bad in [{"monday": ["08:00-12:00"]}, {"mon": ["8-12"]}, {"mon": ["12:00-08:00"]},
                {"mon": ["08:00-12:00", "11:00-13:00"]}, {"mon": ["08:70-09:00"]}, [], "x",
                {"mon": 5}]:
        with pytest.raises(ValidationError):
            parse_hours(bad)


def test_calendar_validation(db):
    with pytest.raises(ValidationError):
        Calendar(name="x", time_zone="Mars/Olympus", hours=WEEK).full_clean()
    with pytest.raises(ValidationError):
        Calendar(name="y", time_zone="UTC", hours={}).full_clean()
    Calendar(name="z", time_zone="UTC", hours=WEEK).full_clean()


def test_the_most_specific_target_wins(targets, webcam):
    by_category = Target.objects.create(priority=Priority.MEDIUM, category=webcam.category,
                                        response_minutes=60, resolution_minutes=600)
    ticket = TicketFactory(item=webcam)
    assert services.target_for(ticket) == by_category
    by_item = Target.objects.create(priority=Priority.MEDIUM, item=webcam,
                                    response_minutes=30, resolution_minutes=300)
    assert services.target_for(ticket) == by_item
    other = TicketFactory(item=CatalogItemFactory())
    assert services.target_for(other) == targets[Priority.MEDIUM]
    assert services.target_for(TicketFactory(priority=Priority.LOW)) is None


def test_target_validation(db, webcam):
    with pytest.raises(ValidationError):
        Target(priority="1", item=webcam, category=webcam.category, response_minutes=1,
               resolution_minutes=2).full_clean()
    with pytest.raises(ValidationError):
        Target(priority="1", response_minutes=10, resolution_minutes=2).full_clean()


# --- deadlines on tickets ---------------------------------------------------------------------

def test_deadlines_in_business_time(targets):
    # Friday 17:00: response (4 h) on Monday 11:00; resolution (30 h) Wednesday 17:00.
    ticket = ticket_at(at(2026, 11, 27, 17))
    assert ticket.response_due_at == at(2026, 11, 30, 11)
    assert ticket.resolution_due_at == at(2026, 12, 2, 17)
    assert ticket.response_warn_at == at(2026, 11, 30, 10, 12)  # 80 % of 4 h


def test_submitting_sets_the_deadlines(targets, employee, webcam):
    ticket = ticket_submit(requester=employee, item=webcam,
                           answers={"model": "standard", "address": "Room 1"})
    assert ticket.response_due_at and ticket.resolution_due_at
    assert ticket.sla_state in ("on_time", "at_risk")


def test_a_ticket_waiting_for_approval_starts_paused(targets, employee, webcam):
    webcam.approval = {"stages": [{"key": "m", "title": "M", "approvers": "manager"}]}
    webcam.save()
    ticket = ticket_submit(requester=employee, item=webcam,
                           answers={"model": "standard", "address": "Room 1"})
    assert ticket.status == TicketStatus.WAITING_APPROVAL and ticket.sla_paused_at
    assert ticket.sla_state == "paused"


def test_pausing_while_waiting_moves_the_deadline_by_the_business_time_paused(targets, agent):
    # Monday 09:00 + 30 business hours (9 + 10 + 10 + 1): Thursday 09:00.
    ticket = ticket_at(at(2026, 11, 23, 9))
    assert ticket.resolution_due_at == at(2026, 11, 26, 9)
    services.sla_on_status(ticket=ticket, old="submitted", new="waiting_for_you",
                           now=at(2026, 11, 23, 12))
    ticket.save()
    assert ticket.sla_state == "paused"
    # Resumed on Tuesday 10:00: paused 6 h Monday + 2 h Tuesday = 8 business hours.
    services.sla_on_status(ticket=ticket, old="waiting_for_you", new="in_progress",
                           now=at(2026, 11, 24, 10))
    ticket.save()
    assert ticket.sla_paused_seconds == 8 * 3600
    assert ticket.resolution_due_at == at(2026, 11, 26, 17)
    # Recomputing (e.g. the target changed) gives the same deadline.
    services.sla_apply(ticket=ticket)
    assert ticket.resolution_due_at == at(2026, 11, 26, 17)


def test_a_breach_before_the_pause_stays_a_breach(targets):
    ticket = ticket_at(at(2026, 11, 23, 9), priority=Priority.CRITICAL)
    services.sla_on_status(ticket=ticket, old="in_progress", new="waiting_for_you",
                           now=at(2026, 11, 24, 9))
    due = ticket.resolution_due_at
    services.sla_on_status(ticket=ticket, old="waiting_for_you", new="in_progress",
                           now=at(2026, 11, 26, 9))
    assert ticket.resolution_due_at == due


def test_the_status_flow_pauses_and_resumes(targets, agent, employee):
    ticket = services.sla_start(ticket=TicketFactory(requester=employee))
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.WAITING_FOR_YOU)
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is not None
    comment_add(ticket=ticket, author=employee, body="Here you go")
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None and ticket.status == TicketStatus.IN_PROGRESS


def test_first_public_agent_reply_is_the_first_response(targets, agent, employee):
    ticket = services.sla_start(ticket=TicketFactory(requester=employee))
    comment_add(ticket=ticket, author=employee, body="Any news?")
    comment_add(ticket=ticket, author=agent, body="Internal", is_public=False)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    comment_add(ticket=ticket, author=agent, body="On it")
    ticket.refresh_from_db()
    first = ticket.first_response_at
    assert first is not None
    comment_add(ticket=ticket, author=agent, body="Still on it")
    ticket.refresh_from_db()
    assert ticket.first_response_at == first


def test_a_new_priority_gets_new_deadlines(targets, agent_client_for):
    ticket = services.sla_start(ticket=TicketFactory())
    medium_due = ticket.resolution_due_at
    from concierge.desk.services import ticket_set_priority

    ticket = ticket_set_priority(ticket=ticket, actor=agent_client_for, priority="1")
    assert ticket.resolution_due_at < medium_due


@pytest.fixture
def agent_client_for(org):
    return UserFactory(organisation=org, roles=["agent"])


def test_without_a_calendar_there_are_no_deadlines(db):
    Target.objects.create(priority=Priority.MEDIUM, response_minutes=1, resolution_minutes=2)
    ticket = services.sla_start(ticket=TicketFactory())
    assert ticket.resolution_due_at is None and ticket.sla_state is None


# --- escalation -------------------------------------------------------------------------------

@pytest.fixture
def lead_and_group(org):
    group = Group.objects.create(name="service-desk")
    lead = UserFactory(organisation=org, email="lead@acme.example", roles=["agent"])
    GroupProfile.objects.create(group=group, lead=lead)
    return lead, group


def test_escalation_once_per_ticket_and_level(targets, lead_and_group, agent, mailoutbox):
    _lead, group = lead_and_group
    ticket = ticket_at(at(2026, 11, 23, 9), group=group, assignee=agent)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.IN_PROGRESS)
    # Monday 12:30: the response (due 13:00) is at risk -> the assignee hears.
    assert services.sla_escalate_due(at(2026, 11, 23, 12, 30)) == 1
    assert services.sla_escalate_due(at(2026, 11, 23, 12, 40)) == 0
    assert mailoutbox[-1].to[0].endswith(f"<{agent.email}>")
    assert "At risk" in mailoutbox[-1].subject
    # 13:30: breached -> the group lead hears, once.
    assert services.sla_escalate_due(at(2026, 11, 23, 13, 30)) == 1
    assert services.sla_escalate_due(at(2026, 11, 23, 14)) == 0
    assert mailoutbox[-1].to[0].endswith("<lead@acme.example>")
    assert "Breached" in mailoutbox[-1].subject
    assert Escalation.objects.count() == 2


def test_a_late_run_announces_the_breach_not_the_warning(targets, lead_and_group, agent):
    _lead, group = lead_and_group
    ticket = ticket_at(at(2026, 11, 23, 9), group=group)
    assert services.sla_escalate_due(at(2026, 11, 23, 14)) == 1
    assert list(Escalation.objects.values_list("deadline", "level")) == [("response", "breach")]
    assert ticket.escalations.count() == 1


def test_paused_and_answered_tickets_are_not_escalated(targets, agent):
    ticket = ticket_at(at(2026, 11, 23, 9))
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_at=at(2026, 11, 23, 10),
                                               status=TicketStatus.WAITING_FOR_YOU)
    assert services.sla_escalate_due(at(2026, 11, 23, 14)) == 0
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_at=None, status="in_progress",
                                               first_response_at=at(2026, 11, 23, 9, 5))
    assert services.sla_escalate_due(at(2026, 11, 23, 14)) == 0


def test_the_worker_task_runs(targets):
    from concierge.sla.tasks import sla_escalate

    assert sla_escalate.call() == 0


# --- the badge --------------------------------------------------------------------------------

def test_the_requester_sees_the_badge_in_my_requests_and_on_the_page(
        employee_client, employee, targets):
    ticket = ticket_at(timezone.now() - datetime.timedelta(days=30), requester=employee)
    assert ticket.sla_state == "breached"
    assert "sla-badge--breached" in employee_client.get(reverse("tickets:list")).content.decode()
    assert "sla-badge--breached" in employee_client.get(
        ticket.get_absolute_url()).content.decode()


# --- the SQL filter says what the Python badge says --------------------------------------------

instants = st.one_of(st.none(), st.integers(min_value=-50, max_value=50))


class SqlMatchesPython(TestCase):
    @settings(max_examples=60, deadline=None)
    @given(paused=instants, response_due=instants, responded=instants, response_warn=instants,
           resolution_due=instants, resolved=instants, resolution_warn=instants)
    def test_sql_state_matches_python_state(self, paused, response_due, responded,
                                            response_warn, resolution_due, resolved,
                                            resolution_warn):
        now = timezone.now().replace(microsecond=0)

        def t(hours):
            return None if hours is None else now + datetime.timedelta(hours=hours)

        ticket = TicketFactory(
            sla_paused_at=t(paused), response_due_at=t(response_due),
            first_response_at=t(responded), response_warn_at=t(response_warn),
            resolution_due_at=t(resolution_due), resolved_at=t(resolved),
            resolution_warn_at=t(resolution_warn))
        expected = services.sla_state_of(ticket, now) or ""
        got = Ticket.objects.filter(pk=ticket.pk).annotate(
            sla=sla_state_expression(now)).values_list("sla", flat=True).get()
        assert got == expected
        assert expected in ("", *STATES)
