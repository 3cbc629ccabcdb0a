""""Download my data": the person's own data as JSON, never internal notes or anyone else's."""

import base64
import json

import pytest
from allauth.usersessions.models import UserSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concierge.accounts.choices import SignInOutcome
from concierge.accounts.models import SignInEvent
from concierge.approvals.choices import Decision
from concierge.approvals.models import Approval, Vote
from concierge.core.testing import TicketFactory
from concierge.feedback.models import Survey
from concierge.notifications.models import Notification
from concierge.tickets.choices import TicketStatus
from concierge.tickets.services import comment_add, ticket_change_status

URL = reverse("accounts:data-export")
PNG = base64.b64decode(  # a valid 1x1 PNG, so the upload checks accept it
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def download(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def history(employee, outsider, manager, agent):
    """Emma's ticket with a public answer, an internal note and files; Otto's ticket; a
    decision of Mia's on Emma's request."""
    mine = TicketFactory(requester=employee, title="Printer jams",
                         status=TicketStatus.IN_PROGRESS,
                         answers=[{"key": "where", "type": "text", "label": {"en": "Where?"},
                                   "value": "Floor 3", "display": "Floor 3", "step": "s"}])
    comment_add(ticket=mine, author=agent, body="Please restart it.",
                files=[SimpleUploadedFile("howto.png", PNG, "image/png")])
    comment_add(ticket=mine, author=agent, body="SECRET-NOTE: user seems annoyed",
                files=[SimpleUploadedFile("internal.png", PNG, "image/png")], is_public=False)
    ticket_change_status(ticket=mine, actor=agent, status=TicketStatus.RESOLVED)
    Survey.objects.filter(ticket=mine).update(rating=5, status="answered", comment="Quick")
    theirs = TicketFactory(requester=outsider, title="OTTO-PRIVATE laptop")
    comment_add(ticket=theirs, author=agent, body="OTTO-MESSAGE")
    approval = Approval.objects.create(ticket=mine, key="m", title={"en": "Manager"},
                                       approvers_rule="manager", position=0)
    Vote.objects.create(approval=approval, approver=manager, decision=Decision.APPROVED,
                        reason="Fine by me")
    SignInEvent.objects.create(user=employee, login=employee.email, method="password",
                               outcome=SignInOutcome.SUCCESS, ip="192.0.2.7",
                               user_agent="Firefox")
    SignInEvent.objects.create(user=outsider, login=outsider.email, method="password",
                               outcome=SignInOutcome.FAILURE, ip="198.51.100.9")
    Notification.objects.create(recipient=employee, key="a", kind="requests",
                                title={"en": "Resolved: Printer jams"})
    Notification.objects.create(recipient=outsider, key="b", kind="requests",
                                title={"en": "OTTO-BELL"})
    UserSession.objects.create(user=employee, ip="192.0.2.7", session_key="SESSIONKEY123",
                               user_agent="Firefox")
    return mine


def test_people_download_their_own_data(client, employee, history):
    client.force_login(employee)
    data = download(client)
    assert data["profile"]["email"] == employee.email
    assert data["profile"]["cost_centre"] and data["profile"]["manager"] == "Mia Manager"
    [ticket] = data["tickets"]
    assert ticket["number"] == history.number and ticket["title"] == "Printer jams"
    assert ticket["answers"] == [{"question": {"en": "Where?"}, "answer": "Floor 3"}]
    assert [m["text"] for m in ticket["messages"]] == ["Please restart it."]
    assert [f["name"] for f in ticket["files"]] == ["howto.png"]
    assert [(r["rating"], r["comment"]) for r in data["ratings"]] == [(5, "Quick")]
    assert data["approvals_decided"] == []  # Mia decided, not Emma
    assert [n["title"]["en"] for n in data["notifications"]] == ["Resolved: Printer jams"]
    sign_ins = [(s["address"], s["outcome"]) for s in data["sign_ins"]]
    assert ("192.0.2.7", "success") in sign_ins and ("198.51.100.9", "failure") not in sign_ins
    assert [s["browser"] for s in data["sessions"]] == ["Firefox"]


def test_internal_notes_and_other_peoples_data_are_never_in_it(client, employee, history):
    client.force_login(employee)
    text = b"".join(client.get(URL).streaming_content).decode()
    for secret in ("SECRET-NOTE", "internal.png", "OTTO-PRIVATE", "OTTO-MESSAGE",
                   "198.51.100.9", "OTTO-BELL", "SESSIONKEY123", "Fine by me"):
        assert secret not in text


def test_approvers_find_their_decisions(client, manager, history):
    client.force_login(manager)
    data = download(client)
    assert [(a["ticket"], a["decision"], a["reason"]) for a in data["approvals_decided"]] == [
        (history.number, "approved", "Fine by me")]
    assert data["tickets"] == []  # the request is Emma's, not Mia's


def test_it_needs_sign_in_and_a_get(client, employee):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(employee)
    assert client.post(URL).status_code == 405


def test_the_profile_page_links_to_the_download(client, employee):
    client.force_login(employee)
    assert URL in client.get(reverse("accounts:profile")).content.decode()


def _queries_for(client) -> int:
    with CaptureQueriesContext(connection) as context:
        b"".join(client.get(URL).streaming_content)
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_tickets(client, employee, agent):
    client.force_login(employee)

    def add_tickets(count):
        for _number in range(count):
            ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
            comment_add(ticket=ticket, author=agent, body="Hello",
                        files=[SimpleUploadedFile("a.png", PNG, "image/png")])
            Notification.objects.create(recipient=employee, key=f"x:{ticket.pk}",
                                        kind="requests", title={"en": "x"})

    add_tickets(1)
    _queries_for(client)  # the first request of a session does its own bookkeeping
    few = _queries_for(client)
    add_tickets(6)
    assert _queries_for(client) == few
    assert len(json.loads(b"".join(client.get(URL).streaming_content))["tickets"]) == 7
