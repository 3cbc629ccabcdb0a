"""Fulfilment: tasks from the item's plan, in order, for IT groups, the employee and actions."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from concierge.catalog.formspec import FormSpecError
from concierge.core.testing import CatalogItemFactory, UserFactory
from concierge.fulfilment import services
from concierge.fulfilment.choices import TaskStatus
from concierge.fulfilment.models import Slot, Task
from concierge.fulfilment.plan import parse_plan
from concierge.tickets.choices import TicketStatus
from concierge.tickets.services import ticket_submit

PLAN = {"tasks": [
    {"key": "order", "title": {"en": "Order it"}, "group": "procurement"},
    {"key": "supplier", "title": {"en": "Tell the supplier"}, "action": "email_supplier",
     "params": {"to": "orders@supplier.example"}, "after": ["order"]},
    {"key": "handover", "title": {"en": "Pick a time"}, "requester": "pick_slot",
     "group": "workplace", "after": ["supplier"]},
    {"key": "received", "title": {"en": "Confirm you got it"}, "requester": "confirm_receipt",
     "after": ["handover"]},
]}
ANSWERS = {"model": "standard", "address": "Room 1"}


@pytest.fixture
def buyer(org):
    person = UserFactory(organisation=org, display_name="Paula Procurement")
    person.groups.add(Group.objects.get_or_create(name="procurement")[0])
    return person


@pytest.fixture
def planned(db):
    return CatalogItemFactory(slug="laptop", fulfilment=PLAN)


@pytest.fixture
def slot(db):
    group = Group.objects.get_or_create(name="workplace")[0]
    start = timezone.now() + datetime.timedelta(days=2)
    return Slot.objects.create(group=group, starts_at=start,
                               ends_at=start + datetime.timedelta(minutes=30), location="Desk 1")


def test_a_request_with_a_plan_starts_its_first_tasks(employee, planned):
    ticket = ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    assert ticket.status == TicketStatus.IN_PROGRESS
    statuses = dict(ticket.tasks.values_list("key", "status"))
    assert statuses == {"order": "open", "supplier": "waiting", "handover": "waiting",
                        "received": "waiting"}
    assert ticket.tasks.get(key="order").due_at > timezone.now()


def test_the_whole_plan_runs_to_resolved(employee, planned, buyer, slot, mailoutbox,
                                         django_capture_on_commit_callbacks):
    ticket = ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_complete(task=ticket.tasks.get(key="order"), actor=buyer)
    # The automatic step ran in the background and e-mailed the supplier once.
    assert ticket.tasks.get(key="supplier").status == TaskStatus.DONE
    assert [m.to for m in mailoutbox if "supplier" in m.to[0]] == [["orders@supplier.example"]]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_FOR_YOU
    services.slot_pick(task=ticket.tasks.get(key="handover"), actor=employee, slot_id=slot.pk)
    services.task_confirm_receipt(task=ticket.tasks.get(key="received"), actor=employee)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.activities.filter(action="fulfilment.task.done").count() == 4


def test_only_the_group_completes_its_tasks(employee, outsider, planned):
    ticket = ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    with pytest.raises(services.TaskError, match="Only members"):
        services.task_complete(task=ticket.tasks.get(key="order"), actor=outsider)


def test_a_slot_already_taken_gives_a_clear_message(org, planned, buyer, slot,
                                                    django_capture_on_commit_callbacks):
    first, second = UserFactory(organisation=org), UserFactory(organisation=org)
    tickets = []
    for person in (first, second):
        ticket = ticket_submit(requester=person, item=planned, answers=ANSWERS)
        with django_capture_on_commit_callbacks(execute=True):
            services.task_complete(task=ticket.tasks.get(key="order"), actor=buyer)
        tickets.append(ticket)
    services.slot_pick(task=tickets[0].tasks.get(key="handover"), actor=first, slot_id=slot.pk)
    with pytest.raises(services.TaskError, match="just taken"):
        services.slot_pick(task=tickets[1].tasks.get(key="handover"), actor=second,
                           slot_id=slot.pk)
    assert tickets[1].tasks.get(key="handover").status == TaskStatus.OPEN


def test_a_failing_action_is_noted_not_lost(employee, buyer, db,
                                            django_capture_on_commit_callbacks):
    item = CatalogItemFactory(fulfilment={"tasks": [
        {"key": "send", "title": "Send", "action": "email_supplier", "params": {}}]})
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_submit(requester=employee, item=item, answers=ANSWERS)
    task = ticket.tasks.get()
    assert task.status == TaskStatus.FAILED and "params.to" in task.note
    assert ticket.activities.filter(action="fulfilment.task.failed").exists()


def test_fulfilment_starts_after_the_last_approval(employee, manager, planned):
    from concierge.approvals.models import Vote
    from concierge.approvals.services import approval_decide

    planned.approval = {"stages": [{"key": "m", "title": "M", "approvers": "manager"}]}
    planned.save()
    ticket = ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    assert not ticket.tasks.exists()
    approval_decide(vote=Vote.objects.get(), actor=manager, decision="approved")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.tasks.get(key="order").status == TaskStatus.OPEN


def test_the_employee_confirms_receipt_on_a_page(employee_client, employee, db):
    item = CatalogItemFactory(fulfilment={"tasks": [
        {"key": "received", "title": "Confirm you got it", "requester": "confirm_receipt"}]})
    ticket = ticket_submit(requester=employee, item=item, answers=ANSWERS)
    assert ticket.status == TicketStatus.WAITING_FOR_YOU
    task = ticket.tasks.get()
    todo = employee_client.get(reverse("approvals:list")).content.decode()
    assert "Confirm you got it" in todo
    response = employee_client.post(task.get_absolute_url())
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_an_answer_is_required_and_kept(employee_client, employee, db):
    item = CatalogItemFactory(fulfilment={"tasks": [
        {"key": "q", "title": "One question", "requester": "answer",
         "question": {"en": "Which room?"}}]})
    task = ticket_submit(requester=employee, item=item, answers=ANSWERS).tasks.get()
    response = employee_client.post(task.get_absolute_url(), {"answer": "  "})
    assert response.status_code == 422 and "Please write an answer." in response.content.decode()
    employee_client.post(task.get_absolute_url(), {"answer": "4.12"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.answer == "4.12"


def test_the_queue_shows_the_groups_tasks_and_others_get_404(client, employee, outsider,
                                                             planned, buyer):
    ticket = ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    client.force_login(buyer)
    assert "Order it" in client.get(reverse("fulfilment:queue")).content.decode()
    client.post(reverse("fulfilment:claim", args=[ticket.tasks.get(key="order").pk]))
    assert Task.objects.get(key="order", ticket=ticket).assignee == buyer
    client.force_login(outsider)
    assert "Order it" not in client.get(reverse("fulfilment:queue")).content.decode()
    order = ticket.tasks.get(key="order")
    assert client.post(reverse("fulfilment:complete", args=[order.pk])).status_code == 404


@pytest.mark.parametrize(("plan", "message"), [
    ({"tasks": [{"key": "a", "title": "A"}]}, "needs a group"),
    ({"tasks": [{"key": "a", "title": "A", "group": "g", "after": ["b"]}]}, "listed before"),
    ({"tasks": [{"key": "a", "title": "A", "action": "teleport"}]}, "action"),
    ({"tasks": [{"key": "a", "title": "A", "requester": "dance"}]}, "requester"),
    ({"tasks": [{"key": "a", "title": "A", "requester": "pick_slot"}]}, "slots of a group"),
    ({"tasks": [{"key": "a", "title": "A", "requester": "answer"}]}, "question"),
])
def test_invalid_plans_are_refused(plan, message):
    with pytest.raises(FormSpecError) as error:
        parse_plan(plan)
    assert any(message in problem for problem in error.value.problems), error.value.problems


def test_the_work_queue_query_count_does_not_grow_with_tasks(client, employee, planned, buyer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("fulfilment:queue")).status_code == 200
        return len(queries)

    ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    client.force_login(buyer)
    count()
    few = count()
    for _ in range(8):
        ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    assert count() == few


def test_overdue_tasks_are_reminded_once(employee, planned, buyer, mailoutbox,
                                         django_capture_on_commit_callbacks):
    from concierge.notifications.models import Notification

    ticket = ticket_submit(requester=employee, item=planned, answers=ANSWERS)
    order = ticket.tasks.get(key="order")
    assert services.tasks_remind_overdue() == 0  # not due yet
    later = order.due_at + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tasks_remind_overdue(now=later) == 1
        assert services.tasks_remind_overdue(now=later) == 0
    # Nobody took the IT task: its group hears about it.
    overdue = Notification.objects.get(recipient=buyer)
    assert overdue.title["en"].startswith("Overdue: Order it")
    assert overdue.url == reverse("fulfilment:queue")
    assert [m.to for m in mailoutbox if m.subject.startswith("Overdue")] == [[
        f"{buyer.display_name} <{buyer.email}>"]]


def test_the_employee_is_reminded_of_their_own_step(employee, db,
                                                    django_capture_on_commit_callbacks):
    from concierge.notifications.models import Notification

    item = CatalogItemFactory(fulfilment={"tasks": [
        {"key": "received", "title": {"en": "Confirm you got it", "de": "Erhalt bestätigen"},
         "requester": "confirm_receipt", "due_days": 1}]})
    ticket = ticket_submit(requester=employee, item=item, answers=ANSWERS)
    task = ticket.tasks.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.tasks_remind_overdue(now=task.due_at)
    notification = Notification.objects.get(recipient=employee, kind="tasks")
    assert notification.title == {"en": f"Waiting for you: Confirm you got it ({ticket.number})",
                                  "de": f"Wartet auf Sie: Erhalt bestätigen ({ticket.number})"}
    assert notification.url == task.get_absolute_url()
