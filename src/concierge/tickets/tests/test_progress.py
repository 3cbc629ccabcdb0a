"""The requester's "How it goes": each stage in plain words, and the expected completion."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from concierge.approvals.models import Vote
from concierge.approvals.selectors import approvals_of
from concierge.approvals.services import approval_decide
from concierge.core.testing import CatalogItemFactory, UserFactory
from concierge.fulfilment import services as fulfilment
from concierge.fulfilment.selectors import tasks_of
from concierge.tickets.progress import ticket_progress
from concierge.tickets.services import add_working_days, ticket_submit

PLAN = {"tasks": [
    {"key": "order", "title": {"en": "Order the laptop"}, "group": "it-procurement",
     "due_days": 3},
    {"key": "mail", "title": {"en": "Tell the supplier"}, "action": "email_supplier",
     "params": {"to": "orders@supplier.example"}, "after": ["order"]},
    {"key": "received", "title": {"en": "Confirm you got it"}, "requester": "confirm_receipt",
     "after": ["mail"], "due_days": 2},
]}
APPROVAL = {"stages": [
    {"key": "manager", "title": {"en": "Your manager"}, "approvers": "manager"},
    {"key": "owner", "title": {"en": "The cost-centre owner"}, "approvers": "cost_centre_owner"},
]}
ANSWERS = {"model": "standard", "address": "Room 1"}


@pytest.fixture
def laptop(db):
    return CatalogItemFactory(slug="laptop", fulfilment=PLAN, approval=APPROVAL)


@pytest.fixture
def owner(employee):
    person = UserFactory(organisation=employee.organisation, display_name="Olga Owner")
    employee.cost_centre.owner = person
    employee.cost_centre.save()
    return person


def _progress(ticket, **kwargs):
    ticket.refresh_from_db()
    return ticket_progress(ticket, approvals_of(ticket), tasks_of(ticket), **kwargs)


def test_before_the_approvals_the_plan_shows_what_will_follow(employee, owner, laptop):
    ticket = ticket_submit(requester=employee, item=laptop, answers=ANSWERS)
    progress = _progress(ticket, now=ticket.created_at)
    assert [(s.title, s.who, s.state) for s in progress.steps] == [
        ("Your manager", "Mia Manager", "current"),
        ("The cost-centre owner", "", "upcoming"),
        ("Order the laptop", "IT Procurement", "upcoming"),
        ("Tell the supplier", "Automatic", "upcoming"),
        ("Confirm you got it", "You", "upcoming"),
    ]
    # Two decisions (a working day each), three days to order, the e-mail at once, two to confirm.
    assert progress.expected == add_working_days(ticket.created_at, 2 + 3 + 0 + 2)


def test_decided_stages_say_who_and_when_and_open_tasks_count_with_their_due_date(
        employee, manager, owner, laptop):
    ticket = ticket_submit(requester=employee, item=laptop, answers=ANSWERS)
    approval_decide(vote=Vote.objects.get(approver=manager), actor=manager, decision="approved")
    approval_decide(vote=Vote.objects.get(approver=owner), actor=owner, decision="approved")
    progress = _progress(ticket)
    steps = {s.title: s for s in progress.steps}
    assert steps["Your manager"].state == "done" and steps["Your manager"].who == "Mia Manager"
    assert steps["Your manager"].when is not None
    order = ticket.tasks.get(key="order")
    assert steps["Order the laptop"].state == "current"
    assert steps["Order the laptop"].when == order.due_at
    assert progress.expected == add_working_days(order.due_at, 2)


def test_a_rejection_shows_the_reason_and_no_date(employee, manager, owner, laptop):
    ticket = ticket_submit(requester=employee, item=laptop, answers=ANSWERS)
    approval_decide(vote=Vote.objects.get(approver=manager), actor=manager,
                    decision="rejected", reason="Not in this year's budget")
    progress = _progress(ticket)
    assert progress.steps[0].state == "failed"
    assert progress.steps[0].note == "Not in this year's budget"
    assert progress.expected is None
    assert len(progress.steps) == 2  # no plan for a request that will not happen


def test_the_request_page_shows_the_steps_and_the_employees_own_task(
        employee_client, employee, org, db, django_capture_on_commit_callbacks):
    buyer = UserFactory(organisation=org)
    buyer.groups.add(Group.objects.get_or_create(name="it-procurement")[0])
    item = CatalogItemFactory(slug="mouse", fulfilment=PLAN)
    ticket = ticket_submit(requester=employee, item=item, answers=ANSWERS)
    page = employee_client.get(ticket.get_absolute_url()).content.decode()
    assert "How it goes" in page and "Expected to be done by" in page
    assert "IT Procurement" in page and "Do it now" not in page
    with django_capture_on_commit_callbacks(execute=True):  # the supplier e-mail runs
        fulfilment.task_complete(task=ticket.tasks.get(key="order"), actor=buyer)
    page = employee_client.get(ticket.get_absolute_url()).content.decode()
    received = ticket.tasks.get(key="received")
    assert reverse("fulfilment:task", args=[received.pk]) in page and "Do it now" in page


def test_a_finished_request_has_no_estimate(employee, db):
    item = CatalogItemFactory(slug="mouse", delivery_days=3)
    ticket = ticket_submit(requester=employee, item=item, answers=ANSWERS)
    assert _progress(ticket).expected == ticket.due_at
    ticket.status = "cancelled"
    ticket.save()
    assert _progress(ticket).expected is None
