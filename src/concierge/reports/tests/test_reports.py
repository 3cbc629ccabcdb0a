import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concierge.accounts.choices import GROUP_ROLES, Role
from concierge.accounts.models import CostCentre
from concierge.core.testing import (
    CatalogItemFactory,
    CategoryFactory,
    DepartmentFactory,
    OrganisationFactory,
    TicketFactory,
    UserFactory,
)
from concierge.feedback.choices import SurveyStatus
from concierge.feedback.models import Survey
from concierge.reports import selectors
from concierge.reports.selectors import Filters
from concierge.search.choices import Outcome
from concierge.search.models import Deflection, Query
from concierge.tickets.choices import Priority, TicketKind, TicketStatus
from concierge.tickets.models import Ticket

BERLIN = ZoneInfo("Europe/Berlin")
# Two whole weeks, Monday 3 to Sunday 16 March 2025.
START, END = datetime.date(2025, 3, 3), datetime.date(2025, 3, 16)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
URL = reverse("reports:index")


def at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


def ticket(*, created: datetime.datetime, **fields) -> Ticket:
    """A ticket submitted at ``created`` (auto_now_add is set afterwards, as in real life)."""
    made = TicketFactory(**fields)
    Ticket.objects.filter(pk=made.pk).update(created_at=created)
    made.refresh_from_db()
    return made


@pytest.fixture
def service_manager(org):
    return UserFactory(email="sam.service@acme.example", display_name="Sam Service",
                       organisation=org, roles=[Role.SERVICE_MANAGER])


@pytest.fixture
def admin_role(org):
    """An administrator by role (not a superuser)."""
    return UserFactory(email="ada.role@acme.example", display_name="Ada Role", organisation=org,
                       roles=[Role.ADMIN])


@pytest.fixture
def team(db):
    return Group.objects.create(name="it-workplace")


def filters(**narrowing) -> Filters:
    return Filters(start=START, end=END, **narrowing)


# --- who sees the reports ---------------------------------------------------------------------

def test_the_service_manager_role_is_a_role_group():
    assert Role.SERVICE_MANAGER == "service_manager"
    assert Role.SERVICE_MANAGER in GROUP_ROLES


def test_migrate_made_the_service_manager_group(db):
    assert Group.objects.filter(name=Role.SERVICE_MANAGER).exists()


@pytest.mark.parametrize("persona", ["employee", "agent", "manager"])
def test_employees_agents_and_managers_get_404(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("reports:csv", args=["costs"])).status_code == 404


def test_a_knowledge_manager_gets_404(client, org):
    client.force_login(UserFactory(organisation=org, roles=[Role.KNOWLEDGE_MANAGER]))
    assert client.get(URL).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_service_manager_sees_their_own_organisation_only(client, service_manager, employee,
                                                              stranger):
    ticket(created=at(4), requester=employee, price_once=100)
    ticket(created=at(4), requester=stranger, price_once=7000)
    client.force_login(service_manager)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    assert response.context["volume"]["totals"]["opened"] == 1
    assert response.context["costs"]["totals"]["once"] == Decimal("100")
    assert response.context["organisation"] == "Acme"
    assert "organisation" not in response.context["form"].fields
    # Asking for another organisation changes nothing.
    response = client.get(URL, {**PERIOD, "organisation": stranger.organisation_id})
    assert response.context["volume"]["totals"]["opened"] == 1
    assert response.context["costs"]["totals"]["once"] == Decimal("100")


@pytest.mark.parametrize("persona", ["admin_user", "admin_role"])
def test_administrators_see_every_organisation_or_one(client, request, persona, employee,
                                                     stranger):
    ticket(created=at(4), requester=employee, price_once=100)
    ticket(created=at(5), requester=stranger, price_once=7000)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    assert response.context["volume"]["totals"]["opened"] == 2
    assert response.context["organisation"] is None
    assert [(row["name"], row["once"]) for row in response.context["costs"]["organisations"]
            ] == [(stranger.organisation.name, 7000), ("Acme", 100)]
    response = client.get(URL, {**PERIOD, "organisation": stranger.organisation_id})
    assert response.context["volume"]["totals"]["opened"] == 1
    assert response.context["organisation"] == stranger.organisation.name


def test_the_header_links_to_the_reports_for_those_who_may_see_them(client, service_manager,
                                                                    employee, agent):
    link = f'href="{URL}"'
    client.force_login(service_manager)
    assert link in client.get(reverse("portal:home")).content.decode()
    for person in (employee, agent):
        client.force_login(person)
        assert link not in client.get(reverse("portal:home")).content.decode()


def test_the_cached_account_menu_tells_service_and_knowledge_managers_apart(client, org,
                                                                           service_manager):
    """Both hold one role group and are neither agents nor staff: the menu's cache key must
    still differ, or one would get the other's menu."""
    knowledge_manager = UserFactory(organisation=org, roles=[Role.KNOWLEDGE_MANAGER])
    link = f'href="{URL}"'
    for person, shown in [(knowledge_manager, False), (service_manager, True),
                          (knowledge_manager, False)]:
        client.force_login(person)
        assert (link in client.get(reverse("portal:home")).content.decode()) is shown


def test_service_managers_must_use_a_second_factor(org):
    from concierge.accounts.mfa import mfa_required_for

    assert mfa_required_for(UserFactory(organisation=org, roles=[Role.SERVICE_MANAGER],
                                        mfa=False))


def test_the_demo_has_a_service_manager(db):
    from concierge.portal.demo import DEMO_LOGINS, load_people

    people = load_people()
    person = people["thomas.lang@alpenblick.example"]
    assert person.has_role(Role.SERVICE_MANAGER) and not person.is_agent
    assert "thomas.lang@alpenblick.example" in {login["email"] for login in DEMO_LOGINS}


# --- the period and bad input -----------------------------------------------------------------

def test_the_default_period_is_the_last_30_days(client, service_manager):
    client.force_login(service_manager)
    response = client.get(URL)
    today = timezone.localdate()
    assert response.status_code == 200
    assert (response.context["filters"].start, response.context["filters"].end) == (
        today - datetime.timedelta(days=29), today)


def test_last_7_days(client, service_manager):
    client.force_login(service_manager)
    response = client.get(URL, {"period": "7", "start": "2020-01-01"})
    assert response.context["filters"].start == timezone.localdate() - datetime.timedelta(days=6)


@pytest.mark.parametrize(("params", "message"), [
    ({"period": "365"}, "Select a valid choice"),
    ({"start": "2025-03-10", "end": "2025-03-01"}, "The last day cannot be before the first."),
    ({"start": "2020-01-01", "end": "2025-01-01"}, "at most two years"),
    ({"start": "yesterday"}, "Enter a valid date"),
    ({"period": "custom"}, "Give the first day of the period."),
    ({"group": "abc"}, "Select a valid choice"),
    ({"category": "999999"}, "Select a valid choice"),
])
def test_bad_filters_are_a_message_and_a_400(client, service_manager, params, message):
    client.force_login(service_manager)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(reverse("reports:csv", args=["volume"]), params).status_code == 400


def test_reports_only_answer_get(client, service_manager):
    client.force_login(service_manager)
    assert client.post(URL).status_code == 405
    assert client.post(reverse("reports:csv", args=["sla"])).status_code == 405


def test_an_unknown_csv_section_is_a_404(client, service_manager):
    client.force_login(service_manager)
    assert client.get(reverse("reports:csv", args=["secrets"])).status_code == 404


# --- volume -----------------------------------------------------------------------------------

def test_volume_counts_submitted_and_resolved_per_week_by_kind_and_the_backlog(employee):
    ticket(created=at(3, 0, 30), requester=employee)                     # week 1, request
    ticket(created=at(9, 23), requester=employee, kind=TicketKind.INCIDENT)  # week 1 (Sunday)
    done = ticket(created=at(10), requester=employee, status=TicketStatus.RESOLVED)
    Ticket.objects.filter(pk=done.pk).update(resolved_at=at(11))
    ticket(created=at(2, 23), requester=employee)                        # before the period
    ticket(created=at(17, 0, 5), requester=employee)                     # after it
    report = selectors.volume_report(filters(organisation_id=employee.organisation_id))
    weeks = report["weeks"]
    assert [week["week"] for week in weeks] == [START, datetime.date(2025, 3, 10)]
    assert (weeks[0]["opened_request"], weeks[0]["opened_incident"], weeks[0]["opened"]) == (
        1, 1, 2)
    assert (weeks[1]["opened"], weeks[1]["resolved_request"], weeks[1]["resolved"]) == (1, 1, 1)
    assert report["totals"]["opened"] == 3 and report["totals"]["resolved"] == 1
    assert report["backlog"] == {"request": 3, "incident": 1} and report["backlog_total"] == 4
    assert [week["bar"] for week in weeks] == [100, 50]


def test_volume_is_narrowed_to_one_group_and_one_category(employee, team, webcam):
    ticket(created=at(4), requester=employee, group=team, item=webcam)
    ticket(created=at(4), requester=employee, group=team)
    ticket(created=at(4), requester=employee, item=webcam)
    assert selectors.volume_report(filters(group_id=team.pk))["totals"]["opened"] == 2
    assert selectors.volume_report(filters(category_id=webcam.category_id))["totals"][
        "opened"] == 2
    assert selectors.volume_report(filters(group_id=team.pk, category_id=webcam.category_id))[
        "totals"]["opened"] == 1


# --- deflection -------------------------------------------------------------------------------

def _deflection(user, item, *, day, opened=None, solved=False, outcome=Outcome.ABANDONED):
    row = Deflection.objects.create(
        user=user, item=item, text="printer jam", shown=["article:printer-jam"],
        opened_kind="article" if opened else "", opened_key=opened or "",
        opened_at=at(day) if opened else None, solved_at=at(day) if solved else None,
        outcome=outcome)
    Deflection.objects.filter(pk=row.pk).update(created_at=at(day))


def test_deflection_counts_the_chain_and_the_suggestions_that_deflected(employee, stranger,
                                                                        webcam):
    from concierge.knowledge.models import Article
    from concierge.knowledge.models import Category as HelpCategory

    Article.objects.create(slug="printer-jam", language="en", title="Clear a paper jam",
                           category=HelpCategory.objects.create(slug="printing"))
    _deflection(employee, webcam, day=4, opened="printer-jam", solved=True)
    _deflection(employee, webcam, day=5, opened="printer-jam")
    _deflection(employee, webcam, day=6, opened="printer-jam", outcome=Outcome.SUBMITTED)
    _deflection(employee, webcam, day=7)
    _deflection(stranger, webcam, day=7, opened="printer-jam")       # another organisation
    _deflection(employee, webcam, day=20, opened="printer-jam")      # after the period
    report = selectors.deflection_section(filters(organisation_id=employee.organisation_id),
                                          all_searches=False)
    assert (report["shown"], report["opened"], report["solved"], report["submitted"],
            report["deflected"]) == (4, 3, 1, 1, 2)
    assert report["rate"] == 0.5
    assert report["top"] == [{"kind": "article", "key": "printer-jam", "n": 2,
                              "title": "Clear a paper jam", "url": "/help/printer-jam/",
                              "bar": 100}]
    assert report["no_result"] is None
    everyone = selectors.deflection_section(filters(), all_searches=True)
    assert everyone["shown"] == 5 and everyone["deflected"] == 3


def test_searches_without_a_result_are_counted_for_administrators(db):
    for text, results, day in [("Druker", 0, 4), ("druker", 0, 5), ("vpn", 3, 5),
                               ("gizmo", 0, 6), ("old", 0, 1)]:
        query = Query.objects.create(text=text, language="de", result_count=results)
        Query.objects.filter(pk=query.pk).update(created_at=at(day))
    report = selectors.deflection_section(filters(), all_searches=True)
    assert [(row["t"], row["n"]) for row in report["no_result"]] == [("druker", 2), ("gizmo", 1)]


# --- satisfaction -----------------------------------------------------------------------------

def test_satisfaction_per_group_and_agent_for_the_organisation(employee, stranger, agent, team):
    other = UserFactory(organisation=employee.organisation, display_name="Bo Agent",
                        roles=[Role.AGENT])
    for person, rating, effort, status, day in [
        (agent, 5, 5, SurveyStatus.ANSWERED, 4),
        (agent, 4, 3, SurveyStatus.ANSWERED, 5),
        (other, 2, 1, SurveyStatus.ANSWERED, 6),
        (other, None, None, SurveyStatus.REOPENED, 7),
        (other, None, None, SurveyStatus.PENDING, 8),
        (agent, 1, 1, SurveyStatus.ANSWERED, 20),            # after the period
    ]:
        Survey.objects.create(ticket=TicketFactory(requester=employee), requester=employee,
                              resolved_at=at(day), agent=person,
                              group=team if person == agent else None, rating=rating,
                              effort=effort, status=status)
    Survey.objects.create(ticket=TicketFactory(requester=stranger), requester=stranger,
                          resolved_at=at(4), agent=agent, rating=1, effort=1,
                          status=SurveyStatus.ANSWERED)
    report = selectors.satisfaction_section(filters(organisation_id=employee.organisation_id))
    summary = report["summary"]
    assert (summary["asked"], summary["rated"], summary["rating_avg"], summary["csat"],
            summary["effort_avg"], summary["reopened"]) == (5, 3, 3.67, 67, 3.0, 1)
    by_agent = {row["agent_name"]: row for row in report["agents"]}
    assert (by_agent["Alex Agent"]["csat"], by_agent["Alex Agent"]["rating_avg"]) == (100, 4.5)
    assert (by_agent["Bo Agent"]["csat"], by_agent["Bo Agent"]["reopened"]) == (0, 1)
    by_group = {row["group_name"]: row for row in report["groups"]}
    assert by_group["it-workplace"]["asked"] == 2 and by_group[None]["asked"] == 3
    assert selectors.satisfaction_section(filters(group_id=team.pk))["summary"]["asked"] == 2


# --- service levels ---------------------------------------------------------------------------

def _sla_ticket(employee, *, created, response_due, responded=None, resolution_due=None,
                resolved=None, status=TicketStatus.IN_PROGRESS, group=None,
                priority=Priority.MEDIUM):
    made = ticket(created=created, requester=employee, group=group, priority=priority,
                  status=status)
    Ticket.objects.filter(pk=made.pk).update(
        response_due_at=response_due, first_response_at=responded,
        resolution_due_at=resolution_due, resolved_at=resolved)
    return made


def test_sla_shares_breaches_per_group_and_priority_and_median_times(employee, team):
    future = timezone.now() + datetime.timedelta(days=30)
    # Answered in 1 h and resolved in 1 day, both on time.
    _sla_ticket(employee, created=at(4, 9), response_due=at(4, 12), responded=at(4, 10),
                resolution_due=at(6), resolved=at(5, 9), status=TicketStatus.RESOLVED,
                group=team, priority=Priority.HIGH)
    # Answered late (3 h), resolved late (3 days).
    _sla_ticket(employee, created=at(5, 9), response_due=at(5, 10), responded=at(5, 12),
                resolution_due=at(7), resolved=at(8, 9), status=TicketStatus.RESOLVED,
                group=team, priority=Priority.HIGH)
    # Never answered; its deadlines passed long ago: breached twice.
    _sla_ticket(employee, created=at(6, 9), response_due=at(6, 10), resolution_due=at(8))
    # Still running: deadlines ahead, so neither met nor breached yet. Answered after 2 h.
    _sla_ticket(employee, created=at(7, 9), response_due=future, responded=at(7, 11),
                resolution_due=future)
    # No target, cancelled, or outside the period: not counted.
    ticket(created=at(7), requester=employee)
    _sla_ticket(employee, created=at(7), response_due=at(7, 11), resolution_due=at(8),
                status=TicketStatus.CANCELLED)
    _sla_ticket(employee, created=at(20), response_due=at(20, 11), resolution_due=at(21))
    report = selectors.sla_section(filters())
    summary = report["summary"]
    assert summary["with_target"] == 4
    assert (summary["response_met"], summary["response_breached"]) == (2, 2)
    assert (summary["resolution_met"], summary["resolution_breached"]) == (1, 2)
    assert summary["response_share"] == 0.5 and summary["resolution_share"] == pytest.approx(1 / 3)
    assert summary["breached"] == 2
    # First responses after 1, 3 and 2 hours: the median is 2 h. Resolutions: 1 and 3 days.
    assert summary["median_response"] == datetime.timedelta(hours=2)
    assert summary["median_resolution"] == datetime.timedelta(days=2)
    groups = {row["group__name"]: row for row in report["groups"]}
    assert (groups["it-workplace"]["breached"], groups["it-workplace"]["with_target"]) == (1, 2)
    assert groups[None]["breached"] == 1
    priorities = {row["priority"]: row for row in report["priorities"]}
    assert priorities[Priority.HIGH]["response_share"] == 0.5
    assert str(priorities[Priority.HIGH]["label"]) == "High"


def test_a_paused_clock_is_read_where_it_stopped(employee):
    # Waiting for the requester since before the deadline: not breached.
    _sla_ticket(employee, created=at(4, 9), response_due=at(4, 10), responded=at(4, 9, 30),
                resolution_due=at(6), status=TicketStatus.WAITING_FOR_YOU)
    Ticket.objects.update(sla_paused_at=at(5))
    summary = selectors.sla_section(filters())["summary"]
    assert (summary["resolution_met"], summary["resolution_breached"]) == (0, 0)
    assert summary["breached"] == 0


# --- costs ------------------------------------------------------------------------------------

def test_costs_per_organisation_department_cost_centre_and_service(employee, outsider,
                                                                   stranger, webcam):
    laptop = CatalogItemFactory(name={"en": "Laptop", "de": "Laptop"}, price_once=1500)
    sales = DepartmentFactory(organisation=outsider.organisation, name="Sales")
    centre = CostCentre.objects.create(organisation=outsider.organisation, code="420000",
                                       name="Sales")
    outsider.department, outsider.cost_centre = sales, centre
    outsider.save()
    ticket(created=at(4), requester=employee, item=webcam, price_once=79)
    ticket(created=at(5), requester=employee, item=webcam, price_once=79, price_monthly=2)
    ticket(created=at(5), requester=employee, item=laptop, price_once=1500, price_monthly=30)
    ticket(created=at(6), requester=outsider, item=laptop, price_once=1500)
    # For someone else: their department pays.
    ticket(created=at(6), requester=employee, requested_for=outsider, item=webcam,
           price_once=79)
    ticket(created=at(6), requester=stranger, item=laptop, price_once=1500)
    # Not counted: cancelled, rejected, incidents, outside the period.
    ticket(created=at(6), requester=employee, item=laptop, price_once=1500,
           status=TicketStatus.CANCELLED)
    ticket(created=at(6), requester=employee, item=laptop, price_once=1500,
           status=TicketStatus.REJECTED)
    ticket(created=at(6), requester=employee, kind=TicketKind.INCIDENT, price_once=5)
    ticket(created=at(17), requester=employee, item=laptop, price_once=1500)
    report = selectors.cost_section(filters(organisation_id=employee.organisation_id))
    assert report["totals"] == {"requests": 5, "once": Decimal("3237.00"),
                                "monthly": Decimal("32.00")}
    assert [(row["name"], row["once"]) for row in report["departments"]] == [
        ("Finance", Decimal("1658.00")), ("Sales", Decimal("1579.00"))]
    assert [(row["code"], row["requests"]) for row in report["centres"]] == [
        ("410200", 3), ("420000", 2)]
    assert [(row["name"], row["requests"], row["once"], row["monthly"])
            for row in report["items"]] == [
        ("Laptop", 2, Decimal("3000.00"), Decimal("30.00")),
        ("Webcam", 3, Decimal("237.00"), Decimal("2.00"))]
    assert [row["bar"] for row in report["items"]] == [100, 8]
    everyone = selectors.cost_section(filters())
    assert [row["name"] for row in everyone["organisations"]] == [
        "Acme", stranger.organisation.name]
    assert everyone["totals"]["once"] == Decimal("4737.00")


def test_costs_without_a_department_or_a_service_still_count(employee, outsider):
    ticket(created=at(4), requester=outsider, item=None, price_once=10)
    report = selectors.cost_section(filters())
    assert report["departments"][0]["name"] is None
    assert report["items"][0]["name"] is None and report["items"][0]["once"] == 10


# --- the page and CSV -------------------------------------------------------------------------

def test_the_page_shows_every_section_with_accessible_tables(client, service_manager, employee,
                                                             webcam):
    ticket(created=at(4), requester=employee, item=webcam, price_once=79)
    client.force_login(service_manager)
    html = client.get(URL, PERIOD).content.decode()
    for section in selectors.SECTIONS:
        assert f'id="{section}"' in html
        assert f'href="{reverse("reports:csv", args=[section])}?start=2025-03-03' in html
    assert html.count("<caption>") >= 4 and 'scope="col"' in html and 'scope="row"' in html
    assert "Searches are not recorded per organisation" in html
    assert 'value="start=' not in html  # the header's search box keeps its own value
    assert "style=" not in html.split("<main")[1]  # the CSP allows no inline styles


def test_each_section_downloads_as_csv(client, admin_user, employee, webcam):
    ticket(created=at(4), requester=employee, item=webcam, price_once=79)
    client.force_login(admin_user)
    for section in selectors.SECTIONS:
        response = client.get(reverse("reports:csv", args=[section]), PERIOD)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="concierge-{section}-2025-03-03-2025-03-16.csv"')
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) >= 2
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("reports:csv", args=["costs"]), PERIOD).content.decode())))
    assert rows[0] == ["Table", "Name", "Requests", "One-off", "Monthly"]
    assert rows[1] == ["Total", "", "1", "79.00", "0.00"]
    assert ["Service", "Webcam", "1", "79.00", "0.00"] in rows
    volume = list(csv.reader(io.StringIO(client.get(
        reverse("reports:csv", args=["volume"]), PERIOD).content.decode())))
    assert volume[1][:4] == ["2025-03-03", "1", "0", "1"]


def test_csv_cells_that_look_like_formulas_are_quoted(client, admin_user):
    query = Query.objects.create(text="=HYPERLINK(\"http://evil\")", language="en",
                                 result_count=0)
    Query.objects.filter(pk=query.pk).update(created_at=at(4))
    client.force_login(admin_user)
    content = client.get(reverse("reports:csv", args=["deflection"]), PERIOD).content.decode()
    assert "'=hyperlink" in content and "\n=" not in content and ",=" not in content


def test_the_page_in_german(client, service_manager):
    service_manager.language = "de"
    service_manager.save()
    client.force_login(service_manager)
    response = client.get(URL, {**PERIOD}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200


def _many_tickets(org, count: int, *, groups, items, departments):
    """``count`` tickets spread over groups, services, departments, agents, with surveys,
    deflections and service-level deadlines."""
    people = [UserFactory(organisation=org, department=department) for department in departments]
    for index in range(count):
        person = people[index % len(people)]
        made = ticket(created=at(3 + index % 14, 9), requester=person,
                      group=groups[index % len(groups)], item=items[index % len(items)],
                      kind=TicketKind.values[index % 2], price_once=10 + index,
                      status=TicketStatus.RESOLVED if index % 3 else TicketStatus.IN_PROGRESS,
                      priority=Priority.values[index % 4])
        Ticket.objects.filter(pk=made.pk).update(
            response_due_at=at(3 + index % 14, 12), first_response_at=at(3 + index % 14, 10),
            resolution_due_at=at(3 + index % 14, 18),
            resolved_at=at(3 + index % 14, 17) if index % 3 else None)
        Survey.objects.create(ticket=made, requester=person, resolved_at=at(3 + index % 14, 17),
                              group=groups[index % len(groups)], rating=1 + index % 5,
                              effort=1 + index % 5, status=SurveyStatus.ANSWERED)
        _deflection(person, items[index % len(items)], day=3 + index % 14,
                    opened="printer-jam" if index % 2 else None)


def test_the_page_makes_the_same_number_of_queries_for_many_tickets(client, admin_user, org):
    groups = [Group.objects.create(name=f"it-{n}") for n in range(3)]
    items = [CatalogItemFactory(category=CategoryFactory()) for _n in range(3)]
    departments = [DepartmentFactory(organisation=org) for _n in range(3)]
    client.force_login(admin_user)
    client.get(URL, PERIOD)  # sessions, MFA check and the like settle on the first request
    _many_tickets(org, 6, groups=groups, items=items, departments=departments)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, PERIOD).status_code == 200
    _many_tickets(OrganisationFactory(), 60, groups=groups, items=items,
                  departments=[DepartmentFactory(organisation=org) for _n in range(5)])
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, PERIOD)
    assert response.context["volume"]["totals"]["opened"] == 66
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
    assert len(many) <= 40
