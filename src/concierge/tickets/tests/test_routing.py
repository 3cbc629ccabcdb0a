"""Who handles a new ticket (the catalog's IT group), and who may open it and its files: the
same agents the desk lets work it, even from another organisation."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from concierge.accounts.choices import Role
from concierge.catalog.selectors import handling_group_for
from concierge.core.testing import (
    CatalogItemFactory,
    CategoryFactory,
    OrganisationFactory,
    TicketFactory,
    UserFactory,
)
from concierge.desk.selectors import desk_ticket_list
from concierge.tickets import services
from concierge.tickets.choices import TicketStatus

FORM = {"steps": [{"key": "s", "title": {"en": "S"}, "questions": [
    {"key": "summary", "type": "text", "label": {"en": "What?"}, "required": True}]}]}


@pytest.fixture
def workplace(db):
    return Group.objects.create(name="it-workplace")


@pytest.fixture
def procurement(db):
    return Group.objects.create(name="it-procurement")


def submit(requester, item, text="Help"):
    return services.ticket_submit(requester=requester, item=item, answers={"summary": text})


# --- which group ------------------------------------------------------------------------------

def test_the_items_group_wins_over_the_categorys(employee, workplace, procurement):
    item = CatalogItemFactory(form=FORM, group=workplace,
                              category=CategoryFactory(group=procurement))
    ticket = submit(employee, item)
    assert ticket.group == workplace
    ticket.refresh_from_db()
    assert ticket.group == workplace


def test_without_its_own_group_the_item_takes_the_categorys(employee, procurement):
    item = CatalogItemFactory(form=FORM, category=CategoryFactory(group=procurement))
    assert submit(employee, item).group == procurement


def test_without_any_group_the_ticket_stays_unrouted(employee, agent):
    item = CatalogItemFactory(form=FORM)
    ticket = submit(employee, item)
    assert ticket.group is None
    assert not ticket.activities.filter(action="tickets.ticket.routed").exists()
    assert list(desk_ticket_list(agent, queue="unassigned")) == [ticket]


def test_tickets_by_email_have_no_handling_group(db):
    # mailin opens tickets without an item: nothing to route them by (see handling_group_for).
    assert handling_group_for(None) is None


def test_routing_is_in_the_activity_like_a_desk_route(employee, workplace):
    item = CatalogItemFactory(form=FORM, group=workplace)
    ticket = submit(employee, item)
    routed = ticket.activities.get(action="tickets.ticket.routed")
    assert routed.actor is None and routed.data == {"old": None, "new": workplace.pk}
    assert list(ticket.activities.values_list("action", flat=True)) == [
        "tickets.ticket.submitted", "tickets.ticket.routed"]


def test_a_routed_ticket_is_in_its_groups_desk_queue(employee, agent, workplace):
    agent.groups.add(workplace)
    ticket = submit(employee, CatalogItemFactory(form=FORM, group=workplace))
    assert list(desk_ticket_list(agent, queue=f"group-{workplace.pk}")) == [ticket]
    assert list(desk_ticket_list(agent, queue="unassigned")) == [ticket]


def test_routing_never_overrides_a_group_already_set(employee, workplace, procurement):
    ticket = TicketFactory(requester=employee, group=procurement)
    services.ticket_route_new(ticket=ticket, group=workplace)
    ticket.refresh_from_db()
    assert ticket.group == procurement
    assert not ticket.activities.exists()


def test_routing_keeps_approvals_and_service_levels_working(employee, manager, workplace):
    from concierge.sla.models import Calendar, Target
    from concierge.tickets.choices import Priority

    Calendar.objects.create(name="Office", is_default=True, time_zone="Europe/Berlin",
                            hours={d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu",
                                                                  "fri")})
    Target.objects.create(priority=Priority.MEDIUM, response_minutes=60,
                          resolution_minutes=600)
    stage = {"key": "m", "title": {"en": "Manager"}, "approvers": "manager"}
    item = CatalogItemFactory(form=FORM, group=workplace, approval={"stages": [stage]})
    ticket = submit(employee, item)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_APPROVAL
    assert ticket.group == workplace
    assert ticket.resolution_due_at is not None


def test_the_wizard_routes_what_it_submits(employee_client, employee, workplace):
    item = CatalogItemFactory(slug="printer", form=FORM, group=workplace)
    employee_client.post(reverse("tickets:wizard-step", args=[item.slug, "s"]),
                         {"summary": "Jammed", "shown": ["summary"], "action": "next"})
    response = employee_client.post(reverse("tickets:wizard-review", args=[item.slug]))
    assert response.status_code == 302
    assert employee.tickets_requested.get().group == workplace


# --- the admin and the demo -------------------------------------------------------------------

def test_the_admin_offers_it_groups_but_not_roles(client, admin_user, workplace):
    Group.objects.get_or_create(name=Role.AGENT)
    item = CatalogItemFactory()
    client.force_login(admin_user)
    for page in (reverse("admin:catalog_catalogitem_change", args=[item.pk]),
                 reverse("admin:catalog_category_change", args=[item.category.pk])):
        content = client.get(page).content.decode()
        select = content[content.index('name="group"'):]
        select = select[:select.index("</select>")]
        assert ">it-workplace</option>" in select and ">agent</option>" not in select, page


# --- who may open it and its files ------------------------------------------------------------

@pytest.fixture
def elsewhere(db):
    return OrganisationFactory(slug="elsewhere")


@pytest.fixture
def routed_agent(elsewhere, workplace):
    """An agent of another organisation in the group the ticket is routed to."""
    person = UserFactory(email="rita@elsewhere.example", organisation=elsewhere,
                         roles=[Role.AGENT])
    person.groups.add(workplace)
    return person


@pytest.fixture
def foreign_agent(elsewhere):
    """An agent of another organisation, not in the group."""
    return UserFactory(email="frank@elsewhere.example", organisation=elsewhere,
                       roles=[Role.AGENT])


@pytest.fixture
def routed(employee, workplace, webcam):
    ticket = TicketFactory(requester=employee, item=webcam, title="Printer jams",
                           group=workplace)
    ticket.public_file = services.attachment_store(
        upload=SimpleUploadedFile("jam.txt", b"paper"), uploaded_by=employee, ticket=ticket)
    return ticket


@pytest.mark.parametrize(("persona", "status"), [
    ("employee", 200), ("outsider", 404), ("agent", 200), ("routed_agent", 200),
    ("foreign_agent", 404), ("admin_user", 200)])
def test_files_open_for_those_who_may_work_the_ticket(client, routed, persona, status,
                                                      request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(routed.public_file.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"paper"
    assert client.get(routed.get_absolute_url()).status_code == status


def test_an_admin_opens_files_of_any_organisation(client, admin_user, elsewhere):
    requester = UserFactory(organisation=elsewhere)
    ticket = TicketFactory(requester=requester)
    attachment = services.attachment_store(upload=SimpleUploadedFile("a.txt", b"x"),
                                           uploaded_by=requester, ticket=ticket)
    client.force_login(admin_user)
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_files_of_a_ticket_routed_elsewhere_close_again(client, routed, routed_agent,
                                                        procurement):
    routed.group = procurement
    routed.save(update_fields=["group"])
    client.force_login(routed_agent)
    assert client.get(routed.public_file.get_absolute_url()).status_code == 404


def test_internal_notes_and_their_files_are_for_agents_only(routed, routed_agent, employee):
    agent_client, requester_client = Client(), Client()
    agent_client.force_login(routed_agent)
    requester_client.force_login(employee)
    desk_url = reverse("desk:ticket", args=[routed.number])
    agent_client.post(reverse("desk:reply", args=[routed.number]), {
        "body": "Toner order is late", "visibility": "internal",
        "files": [SimpleUploadedFile("po.txt", b"order 42")]})
    agent_client.post(reverse("desk:reply", args=[routed.number]),
                      {"body": "A technician comes at 3", "visibility": "public"})
    note_file = routed.comments.get(is_public=False).attachments.get()

    desk_page = agent_client.get(desk_url).content.decode()
    assert "Toner order is late" in desk_page and "A technician comes at 3" in desk_page
    assert "jam.txt" in desk_page and "po.txt" in desk_page
    assert agent_client.get(note_file.get_absolute_url()).status_code == 200

    page = requester_client.get(routed.get_absolute_url()).content.decode()
    assert "A technician comes at 3" in page and "Toner order is late" not in page
    assert "po.txt" not in page
    assert requester_client.get(note_file.get_absolute_url()).status_code == 404
    assert requester_client.get(desk_url).status_code == 404
