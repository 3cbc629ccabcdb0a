"""The agents' workspace: who may see it, queues, filters, bulk actions, the ticket view."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concierge.core.testing import OrganisationFactory, TicketFactory, UserFactory
from concierge.desk import services
from concierge.desk.canned import canned_fill, placeholders_for
from concierge.desk.models import CannedResponse, SavedView
from concierge.tickets.choices import Priority, TicketStatus
from concierge.tickets.models import Activity, Comment, Ticket
from concierge.tickets.services import TicketError, comment_add, ticket_change_status

DESK = "/desk/"


def url(ticket, action=""):
    name = f"desk:{action}" if action else "desk:ticket"
    return reverse(name, args=[ticket.number])


# --- who may see it ---------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["employee", "outsider", "stranger", "manager"])
def test_everyone_but_agents_gets_404_everywhere(client, request, persona, ticket):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(DESK).status_code == 404
    assert client.get(url(ticket)).status_code == 404
    assert client.get(url(ticket, "history")).status_code == 404
    assert client.post(url(ticket, "reply"), {"body": "x", "visibility": "internal"}) \
        .status_code == 404
    assert client.post(url(ticket, "assign"), {"assignee": "me"}).status_code == 404
    assert client.post(reverse("desk:bulk"), {"ids": [ticket.pk], "action": "status",
                                              "status": "resolved"}).status_code == 404
    assert not Comment.objects.exists()
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == TicketStatus.SUBMITTED


def test_anonymous_is_sent_to_sign_in(client, ticket):
    response = client.get(DESK)
    assert response.status_code == 302 and "login" in response["Location"]


def test_agent_and_admin_see_the_desk(agent_client, client, admin_user, ticket):
    assert agent_client.get(DESK + "?queue=all").status_code == 200
    client.force_login(admin_user)
    page = client.get(DESK + "?queue=all").content.decode()
    assert ticket.title in page


def test_agents_do_not_see_other_organisations_tickets(agent_client, stranger):
    theirs = TicketFactory(requester=stranger, title="Elsewhere")
    assert "Elsewhere" not in agent_client.get(DESK + "?queue=all").content.decode()
    assert agent_client.get(url(theirs)).status_code == 404


def test_but_they_see_tickets_routed_to_their_group(agent_client, stranger, service_desk):
    routed = TicketFactory(requester=stranger, title="Routed here", group=service_desk)
    assert agent_client.get(url(routed)).status_code == 200


def test_a_routed_ticket_shows_only_what_was_routed_of_its_requester(agent_client, stranger,
                                                                      service_desk):
    routed = TicketFactory(requester=stranger, title="Routed here", group=service_desk)
    TicketFactory(requester=stranger, title="Secret HR grievance", price_once=10)
    TicketFactory(requester=stranger, title="Also routed", group=service_desk)
    page = agent_client.get(url(routed)).content.decode()
    assert "Also routed" in page and "Secret HR grievance" not in page


def test_the_user_menu_links_agents_to_the_desk(client, agent, employee):
    client.force_login(agent)
    assert 'href="/desk/"' in client.get("/").content.decode()
    client.force_login(employee)
    assert 'href="/desk/"' not in client.get("/").content.decode()


def test_the_cached_header_never_carries_one_persons_links_to_another(client, admin_user,
                                                                      agent, employee):
    """The header's links are cached per language and role: nobody gets someone else's."""
    links = {"desk": 'href="/desk/"', "admin": 'href="/admin/"'}
    for person, expected in [(admin_user, {"desk", "admin"}), (employee, set()),
                             (agent, {"desk"}), (admin_user, {"desk", "admin"}),
                             (employee, set())]:
        client.force_login(person)
        page = client.get("/").content.decode()
        assert {name for name, link in links.items() if link in page} == expected, person
        assert person.display_name in page


@pytest.mark.parametrize("number", ["nonsense", "REQ-999999", "REQ-", "0", "-1", "%00"])
def test_bad_ticket_numbers_are_404(agent_client, number):
    assert agent_client.get(f"/desk/tickets/{number}/").status_code == 404


# --- queues and filters -----------------------------------------------------------------------

def test_queues_mine_unassigned_group_and_all(agent_client, agent, employee, service_desk):
    mine = TicketFactory(requester=employee, title="Mine", assignee=agent)
    free = TicketFactory(requester=employee, title="Free", group=service_desk)
    done = TicketFactory(requester=employee, title="Done", status=TicketStatus.CLOSED)

    def titles(query):
        return agent_client.get(DESK + query).content.decode()

    assert "Mine" in titles("") and "Free" not in titles("")
    page = titles("?queue=unassigned")
    assert "Free" in page and ">Mine<" not in page
    assert "Free" in titles(f"?queue=group-{service_desk.pk}")
    page = titles("?queue=all")
    assert mine.title in page and free.title in page and done.title not in page
    assert done.title in titles("?queue=all&status=any")


def test_a_group_queue_of_a_group_one_is_not_in_shows_nothing(agent_client, employee):
    from django.contrib.auth.models import Group

    other = Group.objects.create(name="it-procurement")
    TicketFactory(requester=employee, title="Theirs", group=other)
    page = agent_client.get(DESK + f"?queue=group-{other.pk}").content.decode()
    assert "Theirs" not in page


def test_filters_status_priority_category_text(agent_client, employee, webcam):
    TicketFactory(requester=employee, title="Urgent camera", priority=Priority.CRITICAL,
                  item=webcam)
    TicketFactory(requester=employee, title="Calm printer", priority=Priority.LOW)
    base = DESK + "?queue=all"
    page = agent_client.get(base + "&priority=1").content.decode()
    assert "Urgent camera" in page and "Calm printer" not in page
    page = agent_client.get(base + f"&category={webcam.category_id}").content.decode()
    assert "Urgent camera" in page and "Calm printer" not in page
    page = agent_client.get(base + "&q=printer").content.decode()
    assert "Calm printer" in page and "Urgent camera" not in page
    page = agent_client.get(base + "&q=Emma").content.decode()
    assert "Calm printer" in page and "Urgent camera" in page


@pytest.mark.parametrize("query", [
    "?queue=bogus", "?status=nope", "?priority=9", "?category=abc", "?organisation=-1",
    "?sla=whatever", "?sort=password", "?page=999", "?page=x", "?view=999", "?view=abc",
    "?q=" + "x" * 500, "?sort=-due", "?sort=due&sla=breached", "?view=²",
    "?view=99999999999999999999", "?queue=group-²", "?queue=group-99999999999999",
    "?category=99999999999999999999",
])
def test_bad_filters_never_break_the_list(agent_client, ticket, query):
    assert agent_client.get(DESK + query).status_code in (200, 404)


def test_sorting_by_columns(agent_client, employee):
    TicketFactory(requester=employee, title="Alpha", priority=Priority.LOW)
    TicketFactory(requester=employee, title="Omega", priority=Priority.CRITICAL)
    page = agent_client.get(DESK + "?queue=all&sort=priority").content.decode()
    assert page.index("Omega") < page.index("Alpha")
    page = agent_client.get(DESK + "?queue=all&sort=-priority").content.decode()
    assert page.index("Alpha") < page.index("Omega")
    assert 'aria-sort="descending"' in page


def test_the_list_is_paginated(agent_client, employee):
    for n in range(30):
        TicketFactory(requester=employee, title=f"Ticket number {n:02d}")
    first = agent_client.get(DESK + "?queue=all&sort=title").content.decode()
    second = agent_client.get(DESK + "?queue=all&sort=title&page=2").content.decode()
    assert "Ticket number 00" in first and "Ticket number 29" not in first
    assert "Ticket number 29" in second and "Page 2 of 2" in second


def test_the_polled_partial_is_only_the_results(agent_client, ticket):
    response = agent_client.get(DESK + "?queue=all", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content and 'id="desk-results"' in content
    assert 'hx-trigger="desk:poll"' in content and ticket.title in content


def test_list_query_count_is_constant(agent_client, agent, employee, service_desk):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(DESK + "?queue=all&sla=").status_code == 200
        return len(queries)

    TicketFactory(requester=employee, assignee=agent, group=service_desk)
    count()
    few = count()
    for _ in range(15):
        TicketFactory(requester=employee, assignee=agent, group=service_desk)
    assert count() == few


def _row(agent_client, ticket) -> str:
    content = agent_client.get(DESK + "?queue=all").content.decode()
    start = content.index(f'data-url="{url(ticket)}"')
    return content[start:content.index("</tr>", start)]


def test_a_row_shows_the_ticket_as_it_is_now(agent_client, agent, ticket):
    """Rows are cached; any change to what a row shows must show at once."""
    import datetime

    from django.utils import timezone

    assert "Submitted" in _row(agent_client, ticket) and "Nobody" in _row(agent_client, ticket)
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    assert agent.display_name in _row(agent_client, ticket)
    ticket.refresh_from_db()
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.WAITING_FOR_YOU)
    assert "Waiting for you" in _row(agent_client, ticket)
    # The SLA state moves with the clock, not with the ticket: no save happens here.
    soon = timezone.now() + datetime.timedelta(hours=1)
    Ticket.objects.filter(pk=ticket.pk).update(
        sla_paused_at=None, resolution_due_at=soon,
        resolution_warn_at=soon - datetime.timedelta(hours=2))
    assert "At risk" in _row(agent_client, ticket)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolution_due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "Breached" in _row(agent_client, ticket)


def test_a_row_is_in_the_language_of_who_reads_it(agent_client, agent, ticket):
    assert "Submitted" in _row(agent_client, ticket)
    agent.language = "de"
    agent.save(update_fields=["language"])
    row = _row(agent_client, ticket)
    assert "Submitted" not in row and "Eingereicht" in row


def test_the_history_says_who_did_what(agent_client, agent, ticket, service_desk, employee):
    from django.contrib.auth.models import Group

    other = TicketFactory(requester=employee)
    network = Group.objects.create(name="network")
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    services.ticket_route(ticket=ticket, actor=agent, group=network)
    services.ticket_set_priority(ticket=ticket, actor=agent, priority=Priority.HIGH)
    services.ticket_link(ticket=ticket, actor=agent, other=other, kind="duplicate_of")
    comment_add(ticket=ticket, author=agent, body="Checking", is_public=False)
    response = agent_client.get(url(ticket, "history"))
    assert response.status_code == 200
    page = response.content.decode()
    for line in [f"Assigned to {agent.display_name}", "Routed to network",
                 f"Marked as a duplicate of {other.number}", "Added an internal note",
                 "Priority changed from", f"· {agent.display_name}"]:
        assert line in page, line
    # htmx loads the list alone into the ticket view
    partial = agent_client.get(url(ticket, "history"), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "Routed to network" in \
        partial.content.decode()
    assert url(ticket, "history") in agent_client.get(url(ticket)).content.decode()


def test_the_history_is_in_german_for_german_agents(agent_client, agent, ticket):
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    agent.language = "de"
    agent.save(update_fields=["language"])
    page = agent_client.get(url(ticket, "history")).content.decode()
    assert "Verlauf" in page and f"{agent.display_name} zugewiesen" in page


def test_history_queries_do_not_grow_with_it(agent_client, agent, ticket, employee):
    from django.contrib.auth.models import Group

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(url(ticket, "history")).status_code == 200
        return len(queries)

    def happen(index: int) -> None:
        group = Group.objects.create(name=f"group-{index}")
        services.ticket_route(ticket=ticket, actor=agent, group=group)
        services.ticket_assign(ticket=ticket, actor=agent,
                               assignee=None if index % 2 else agent)
        services.ticket_link(ticket=ticket, actor=agent, kind="parent",
                             other=TicketFactory(requester=employee))

    happen(0)
    count()
    few = count()
    for index in range(1, 7):
        happen(index)
    assert count() == few


def test_every_action_the_portal_writes_has_words():
    """An action without a sentence would show as its dotted name."""
    import re
    from pathlib import Path

    from concierge.desk.history import describe

    root = Path(__file__).resolve().parents[2]
    written = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        written.update(re.findall(r'activity_log\([^)]*?"([a-z]+\.[a-z_]+\.[a-z_]+)"',
                                  path.read_text(), re.S))
    written |= {"approvals.vote.approved", "approvals.vote.rejected",
                "directory.change.scheduled", "directory.change.done"}
    names = {"people": {}, "groups": {}, "tickets": {}, "tasks": {}}
    assert len(written) > 20
    for action in written:
        assert describe(action, {}, names) != action, action


# --- saved views ------------------------------------------------------------------------------

def test_save_use_share_and_delete_a_view(agent_client, agent, org, employee):
    from django.test import Client

    client = Client()
    TicketFactory(requester=employee, title="Critical thing", priority=Priority.CRITICAL)
    TicketFactory(requester=employee, title="Low thing", priority=Priority.LOW)
    response = agent_client.post(reverse("desk:view-save"),
                                 {"name": "Fires", "priority": "1", "shared": "on"})
    view = SavedView.objects.get()
    assert view.filters == {"priority": "1"} and view.shared
    page = agent_client.get(response["Location"]).content.decode()
    assert "Critical thing" in page and "Low thing" not in page
    colleague = UserFactory(organisation=org, roles=["agent"])
    client.force_login(colleague)
    assert "Fires" in client.get(DESK).content.decode()
    client.post(reverse("desk:view-delete", args=[view.pk]))
    assert SavedView.objects.exists()  # only its owner deletes it
    agent_client.post(reverse("desk:view-delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_a_view_needs_a_name(agent_client):
    agent_client.post(reverse("desk:view-save"), {"name": "", "priority": "1"})
    assert not SavedView.objects.exists()


def test_private_views_are_private(client, org, agent):
    view = SavedView.objects.create(owner=agent, name="Mine only", filters={})
    other = UserFactory(organisation=org, roles=["agent"])
    client.force_login(other)
    assert "Mine only" not in client.get(DESK).content.decode()
    assert client.get(DESK + f"?view={view.pk}").status_code == 404


# --- bulk -------------------------------------------------------------------------------------

def test_bulk_assign_and_status_go_through_the_services(agent_client, agent, employee,
                                                        mailoutbox,
                                                        django_capture_on_commit_callbacks):
    tickets = [TicketFactory(requester=employee) for _ in range(3)]
    ids = [t.pk for t in tickets]
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(reverse("desk:bulk"), {"ids": ids, "action": "status",
                                                 "status": "waiting_for_you"})
    assert set(Ticket.objects.values_list("status", flat=True)) == {"waiting_for_you"}
    assert len(mailoutbox) == 3  # each requester hears through the usual notification
    agent_client.post(reverse("desk:bulk"), {"ids": ids, "action": "assign", "assignee": "me"})
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {agent.pk}
    assert Activity.objects.filter(action="tickets.ticket.assigned").count() == 3


def test_claiming_a_submitted_ticket_starts_work(agent_client, agent, ticket):
    agent_client.post(url(ticket, "assign"), {"assignee": "me"})
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == TicketStatus.IN_PROGRESS


def test_bulk_reports_what_could_not_change(agent_client, employee):
    ok = TicketFactory(requester=employee)
    stuck = TicketFactory(requester=employee, status=TicketStatus.CLOSED)
    response = agent_client.post(reverse("desk:bulk"), {
        "ids": [ok.pk, stuck.pk], "action": "status", "status": "in_progress"}, follow=True)
    page = response.content.decode()
    assert "1 ticket changed" in page and stuck.number in page


@pytest.mark.parametrize("data", [
    {}, {"ids": ["x"]}, {"ids": [1], "action": "explode"},
    {"ids": [1], "action": "status", "status": "nope"},
    {"ids": [1], "action": "assign", "assignee": "99999"},
    {"ids": [1], "action": "assign", "assignee": "abc"},
    {"ids": ["²", "9" * 30], "action": "assign", "assignee": "me"},
])
def test_bad_bulk_input_is_a_message(agent_client, ticket, data):
    data = {**data, "ids": [str(ticket.pk) if i == 1 else i for i in data.get("ids", [])]}
    response = agent_client.post(reverse("desk:bulk"), data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SUBMITTED and ticket.assignee is None


def test_bulk_ignores_tickets_outside_the_agents_scope(agent_client, stranger):
    theirs = TicketFactory(requester=stranger)
    agent_client.post(reverse("desk:bulk"), {"ids": [theirs.pk], "action": "assign",
                                             "assignee": "me"})
    theirs.refresh_from_db()
    assert theirs.assignee is None


# --- the ticket view --------------------------------------------------------------------------

def test_ticket_view_shows_answers_requester_card_and_history(agent_client, ticket, employee):
    ticket.answers = [{"key": "model", "type": "choice", "label": {"en": "Which model?"},
                       "value": "pro", "display": {"en": "Pro 4K"}, "step": "choice"}]
    ticket.save()
    older = TicketFactory(requester=employee, title="Earlier headset", price_once=49,
                          status=TicketStatus.CLOSED)
    page = agent_client.get(url(ticket)).content.decode()
    assert "Which model?" in page and "Pro 4K" in page
    assert "Finance" in page and "Munich, Floor 3" in page and "Mia Manager" in page
    assert "+49 89 1234" in page and older.number in page


def test_ticket_view_query_count_is_constant(agent_client, ticket, agent, employee):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(url(ticket)).status_code == 200
        return len(queries)

    comment_add(ticket=ticket, author=agent, body="First")
    count()
    few = count()
    for n in range(8):
        comment_add(ticket=ticket, author=agent, body=f"More {n}", is_public=n % 2 == 0)
        TicketFactory(requester=employee)
    assert count() == few


def test_claim_and_assign(agent_client, agent, org, ticket):
    agent_client.post(url(ticket, "assign"), {"assignee": "me"})
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    colleague = UserFactory(organisation=org, roles=["agent"], display_name="Carl Colleague")
    agent_client.post(url(ticket, "assign"), {"assignee": str(colleague.pk)})
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    agent_client.post(url(ticket, "assign"), {"assignee": "none"})
    ticket.refresh_from_db()
    assert ticket.assignee is None


@pytest.mark.parametrize("value", ["abc", "99999", "-1", "²", "9" * 30])
def test_assigning_to_someone_who_is_not_an_agent_is_refused(agent_client, ticket, value):
    response = agent_client.post(url(ticket, "assign"), {"assignee": value}, follow=True)
    assert response.status_code == 200 and "Please choose an agent" in response.content.decode()


def test_non_agents_cannot_be_assignees(agent, ticket, employee):
    with pytest.raises(TicketError):
        services.ticket_assign(ticket=ticket, actor=agent, assignee=employee)


def test_priority_and_group_change(agent_client, ticket):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="it-workplace")
    agent_client.post(url(ticket, "update"), {"priority": "1", "group": str(group.pk)})
    ticket.refresh_from_db()
    assert ticket.priority == "1" and ticket.group == group
    assert agent_client.post(url(ticket, "update"), {"priority": "7"}).status_code == 302
    assert agent_client.post(url(ticket, "update"), {"group": "agent"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "1" and ticket.group == group


def test_status_change_and_bad_status(agent_client, ticket):
    agent_client.post(url(ticket, "status"), {"status": "in_progress"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    response = agent_client.post(url(ticket, "status"), {"status": "cancelled"}, follow=True)
    assert "cannot become" in response.content.decode()
    assert agent_client.post(url(ticket, "status"), {"status": "nope"}).status_code == 302


def test_wrong_method_is_405(agent_client, ticket):
    assert agent_client.get(url(ticket, "reply")).status_code == 405
    assert agent_client.post(url(ticket)).status_code == 405


# --- replies and internal notes ---------------------------------------------------------------

def test_public_reply_reaches_the_requester(agent_client, ticket, employee, mailoutbox,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(url(ticket, "reply"), {"body": "We ordered it.",
                                                 "visibility": "public"})
    assert [m.to for m in mailoutbox] == [[f"{employee.display_name} <{employee.email}>"]]
    assert "We ordered it." in mailoutbox[0].body
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_internal_note_never_reaches_the_requester(agent_client, ticket, employee,
                                                   mailoutbox, django_capture_on_commit_callbacks):
    from django.test import Client

    client = Client()
    upload = SimpleUploadedFile("secret.txt", b"internal only", content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(url(ticket, "reply"), {"body": "Requester is VIP, be quick",
                                                 "visibility": "internal", "files": [upload]})
    note = Comment.objects.get()
    assert not note.is_public
    assert mailoutbox == []
    assert "Requester is VIP" in agent_client.get(url(ticket)).content.decode()
    client.force_login(employee)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Requester is VIP" not in page and "secret.txt" not in page
    assert "Requester is VIP" not in client.get(reverse("tickets:list")).content.decode()
    attachment = note.attachments.get()
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert agent_client.get(attachment.get_absolute_url()).status_code == 200
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is no response


def test_notify_skips_a_note_even_when_asked_to_announce_it(ticket, agent, employee):
    from concierge.tickets.notify import ticket_activity_emails
    from concierge.tickets.services import activity_log

    note = comment_add(ticket=ticket, author=agent, body="internal", is_public=False)
    forged = activity_log(ticket, agent, "tickets.comment.added", comment=note.pk)
    assert ticket_activity_emails(forged) == 0
    logged = Activity.objects.get(action="tickets.note.added")
    assert ticket_activity_emails(logged) == 0
    assert mail.outbox == []


def test_requesters_cannot_write_internal_notes(ticket, employee):
    with pytest.raises(TicketError):
        comment_add(ticket=ticket, author=employee, body="sneaky", is_public=False)


def test_empty_reply_is_shown_as_an_error(agent_client, ticket):
    response = agent_client.post(url(ticket, "reply"), {"body": " ", "visibility": "public"})
    assert response.status_code == 422 and "Please write a message" in response.content.decode()
    response = agent_client.post(url(ticket, "reply"), {"body": "x", "visibility": "loud"})
    assert response.status_code == 422 and not Comment.objects.exists()


def test_requester_reply_sends_a_waiting_ticket_back_to_the_desk(ticket, agent, employee):
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.WAITING_FOR_YOU)
    comment_add(ticket=ticket, author=employee, body="Here is the serial number")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


# --- canned responses -------------------------------------------------------------------------

def test_canned_response_fills_placeholders_and_reports_unknown(agent_client, ticket, agent):
    response = CannedResponse.objects.create(
        title="Thanks", body="Hi {requester_first_name}, {ticket_number} is on it. "
                            "{agent_name} {mystery} {agent_name.__class__} {{x}}")
    page = agent_client.get(url(ticket), {"canned": response.pk}).content.decode()
    assert f"Hi Emma, {ticket.number} is on it. Alex Agent {{mystery}}" in page
    assert "Not filled in" in page and "{mystery}" in page
    partial = agent_client.get(url(ticket), {"canned": response.pk},
                               headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Hi Emma" in partial


def test_canned_fill_is_plain_substitution(ticket, agent):
    values = placeholders_for(ticket, agent)
    filled = canned_fill("{agent_name.__init__} {0} {} {requester_name!r} {ticket_title}",
                         values)
    assert filled.text == ("{agent_name.__init__} {0} {} {requester_name!r} Webcam flickers")
    assert filled.unknown == ("agent_name.__init__", "0", "requester_name!r")
    assert canned_fill("{ticket_number}", {"ticket_number": "{agent_name}"}).text == \
        "{agent_name}"


def test_unknown_canned_response_is_ignored(agent_client, ticket):
    assert agent_client.get(url(ticket), {"canned": "999"}).status_code == 200
    assert agent_client.get(url(ticket), {"canned": "x"}).status_code == 200
    assert agent_client.get(url(ticket), {"canned": "²"}).status_code == 200


# --- links and merging ------------------------------------------------------------------------

def test_link_parent_child_and_duplicate(agent_client, ticket, employee):
    other = TicketFactory(requester=employee, title="Parent project")
    agent_client.post(url(ticket, "link"), {"kind": "parent", "other": other.number})
    ticket.refresh_from_db()
    assert ticket.parent == other
    # No loops.
    response = agent_client.post(url(other, "link"), {"kind": "parent", "other": ticket.number},
                                 follow=True)
    assert "own parent" in response.content.decode()
    agent_client.post(url(other, "link"), {"kind": "duplicate_of", "other": ticket.number})
    other.refresh_from_db()
    assert other.duplicate_of == ticket
    page = agent_client.get(url(ticket)).content.decode()
    assert other.number in page
    agent_client.post(url(ticket, "link"), {"remove": "parent"})
    ticket.refresh_from_db()
    assert ticket.parent is None


@pytest.mark.parametrize("data", [{"kind": "parent", "other": "nope"},
                                  {"kind": "weird", "other": "REQ-1"}, {"remove": "bogus"},
                                  {"kind": "duplicate_of"}])
def test_bad_links_are_messages(agent_client, ticket, data):
    assert agent_client.post(url(ticket, "link"), data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.parent is None and ticket.duplicate_of is None


def test_a_ticket_cannot_link_to_itself(agent_client, ticket):
    response = agent_client.post(url(ticket, "link"), {"kind": "parent",
                                                       "other": ticket.number}, follow=True)
    assert "itself" in response.content.decode()


def test_merge_moves_messages_and_files_and_tells_both_requesters(
        agent_client, agent, ticket, org, mailoutbox, django_capture_on_commit_callbacks):
    other_person = UserFactory(organisation=org, email="olga@acme.example",
                               display_name="Olga Other")
    duplicate = TicketFactory(requester=other_person, title="Camera broken too")
    comment = comment_add(ticket=duplicate, author=other_person, body="Mine flickers too",
                          files=[SimpleUploadedFile("cam.txt", b"log", content_type="text/plain")])
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(url(duplicate, "merge"), {"other": ticket.number})
    duplicate.refresh_from_db()
    comment.refresh_from_db()
    assert duplicate.status == TicketStatus.CLOSED and duplicate.duplicate_of == ticket
    assert comment.ticket == ticket and comment.attachments.get().ticket == ticket
    recipients = {m.to[0] for m in mailoutbox}
    assert any("olga@acme.example" in r for r in recipients)
    assert any("emma@acme.example" in r for r in recipients)
    assert Activity.objects.filter(ticket=ticket, action="tickets.ticket.merged").exists()


def test_merge_refuses_closed_and_self(agent_client, ticket, employee):
    closed = TicketFactory(requester=employee, status=TicketStatus.CLOSED)
    response = agent_client.post(url(ticket, "merge"), {"other": closed.number}, follow=True)
    assert "no longer open" in response.content.decode()
    response = agent_client.post(url(ticket, "merge"), {"other": ticket.number}, follow=True)
    assert "into itself" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SUBMITTED


# --- waiting for the requester ----------------------------------------------------------------

def test_waiting_reminder_once_then_auto_close(settings, ticket, agent, employee, mailoutbox):
    import datetime

    from django.utils import timezone

    settings.DESK_WAITING_REMIND_DAYS, settings.DESK_WAITING_CLOSE_DAYS = 2, 5
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.WAITING_FOR_YOU)
    now = timezone.now()
    assert services.waiting_nudge(now + datetime.timedelta(days=1)) == {"reminded": 0,
                                                                         "closed": 0}
    assert services.waiting_nudge(now + datetime.timedelta(days=3)) == {"reminded": 1,
                                                                         "closed": 0}
    assert services.waiting_nudge(now + datetime.timedelta(days=3)) == {"reminded": 0,
                                                                         "closed": 0}
    assert len([m for m in mailoutbox if "waiting for your answer" in m.subject]) == 1
    assert services.waiting_nudge(now + datetime.timedelta(days=6))["closed"] == 1
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    activity = Activity.objects.filter(action="tickets.ticket.status_changed").last()
    assert "did not hear back" in activity.data["reason"]


def test_answering_resets_the_reminder(ticket, agent, employee):
    import datetime

    from django.utils import timezone

    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.WAITING_FOR_YOU)
    services.waiting_nudge(timezone.now() + datetime.timedelta(days=4))
    comment_add(ticket=ticket, author=employee, body="Answer")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.waiting_reminded_at is None
    assert ticket.sla_paused_at is None


def test_the_periodic_tasks_are_registered(settings):
    from django.utils.module_loading import import_string

    for name in ("sla.escalate", "desk.waiting"):
        import_string(settings.PERIODIC_TASKS[name]["task"])


def test_other_organisations_agent_cannot_see_even_with_the_number(client, ticket):
    elsewhere_agent = UserFactory(organisation=OrganisationFactory(slug="x"), roles=["agent"])
    client.force_login(elsewhere_agent)
    assert client.get(url(ticket)).status_code == 404


# --- knowledge --------------------------------------------------------------------------------

def test_create_an_article_from_a_solved_ticket(client, org, ticket, agent, employee):
    from concierge.knowledge.models import Article
    from concierge.knowledge.models import Category as KnowledgeCategory

    KnowledgeCategory.objects.create(slug="hardware", name={"en": "Hardware"})
    editor = UserFactory(organisation=org, roles=["agent", "knowledge_manager"])
    comment_add(ticket=ticket, author=editor, body="Update the camera driver to 2.1.\nDone.")
    client.force_login(editor)
    response = client.post(url(ticket, "article"))
    article = Article.objects.get()
    assert response["Location"] == reverse("knowledge:manage-edit", args=[article.pk])
    assert article.status == "draft" and article.owner == editor
    assert article.title == ticket.title and "Update the camera driver" in article.body
    assert article.summary == "Update the camera driver to 2.1."
    assert client.get(response["Location"]).status_code == 200
    # An agent who does not edit articles makes a draft for the knowledge managers.
    client.force_login(agent)
    response = client.post(url(ticket, "article"))
    assert response["Location"] == url(ticket) and Article.objects.count() == 2


def test_article_needs_a_knowledge_category(agent_client, ticket):
    response = agent_client.post(url(ticket, "article"), follow=True)
    assert "no category yet" in response.content.decode()
