"""Approvals: stages from the item's policy, deciding in the portal and by e-mail link."""

import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from concierge.approvals import services
from concierge.approvals.choices import Decision, StageStatus
from concierge.approvals.models import Delegation, Vote
from concierge.approvals.policy import parse_policy
from concierge.catalog.formspec import FormSpecError
from concierge.core.testing import UserFactory
from concierge.tickets.choices import TicketStatus
from concierge.tickets.services import ticket_cancel, ticket_submit

MANAGER_STAGE = {"key": "manager", "title": {"en": "Your manager", "de": "Führungskraft"},
                 "approvers": "manager"}


@pytest.fixture
def approved_webcam(webcam):
    webcam.approval = {"stages": [MANAGER_STAGE]}
    webcam.save()
    return webcam


def submit(user, item, **answers):
    return ticket_submit(requester=user, item=item,
                         answers={"model": "standard", "address": "Room 1", **answers})


def test_a_request_with_a_policy_waits_for_the_requesters_manager(
        employee, manager, approved_webcam, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit(employee, approved_webcam)
    assert ticket.status == TicketStatus.WAITING_APPROVAL
    vote = Vote.objects.get()
    assert vote.approver == manager and vote.approval.status == StageStatus.PENDING
    approval_mail = next(m for m in mailoutbox if m.to[0].endswith(f"<{manager.email}>"))
    assert "Your approval, please" in approval_mail.subject
    assert re.search(r"/approvals/decide/[^/\s]+/", approval_mail.body)


def test_approving_moves_the_request_on(employee, manager, approved_webcam):
    ticket = submit(employee, approved_webcam)
    services.approval_decide(vote=Vote.objects.get(), actor=manager, decision=Decision.APPROVED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.activities.filter(action="approvals.vote.approved").exists()


def test_rejecting_needs_a_reason_and_tells_the_requester(
        employee, manager, approved_webcam, mailoutbox, django_capture_on_commit_callbacks):
    ticket = submit(employee, approved_webcam)
    vote = Vote.objects.get()
    with pytest.raises(services.ApprovalError, match="say why"):
        services.approval_decide(vote=vote, actor=manager, decision=Decision.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(vote=vote, actor=manager, decision=Decision.REJECTED,
                                 reason="We have spare webcams in the office")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REJECTED and ticket.closed_at
    mail = mailoutbox[-1]
    assert employee.email in mail.to[0] and "spare webcams" in mail.body


@pytest.mark.parametrize(("when", "answers", "needed"), [
    ({"price_above": "50"}, {}, True),
    ({"price_above": "500"}, {}, False),
    ({"question": "model", "equals": "pro"}, {"model": "pro", "reason": "Demos"}, True),
    ({"question": "model", "equals": "pro"}, {}, False),
    ({"organisations": ["acme"]}, {}, True),
    ({"organisations": ["elsewhere"]}, {}, False),
])
def test_stages_apply_only_when_their_condition_holds(employee, webcam, when, answers, needed):
    webcam.approval = {"stages": [{**MANAGER_STAGE, "when": when}]}
    webcam.save()
    ticket = submit(employee, webcam, **answers)
    assert (ticket.status == TicketStatus.WAITING_APPROVAL) is needed


def test_nobody_approves_their_own_request(employee, manager, webcam):
    """The cost-centre owner asks for themselves: their manager decides instead."""
    boss = UserFactory(organisation=manager.organisation, display_name="Big Boss")
    manager.manager = boss
    manager.cost_centre = employee.cost_centre  # owned by manager
    manager.save()
    webcam.approval = {"stages": [{"key": "cc", "title": "Cost centre",
                                   "approvers": "cost_centre_owner"}]}
    webcam.save()
    submit(manager, webcam)
    assert Vote.objects.get().approver == boss
    with pytest.raises(services.ApprovalError):
        services.approval_decide(vote=Vote.objects.get(), actor=manager,
                                 decision=Decision.APPROVED)


def test_a_stage_nobody_can_decide_is_skipped(outsider, approved_webcam):
    ticket = submit(outsider, approved_webcam)  # the outsider has no manager
    assert ticket.status == TicketStatus.SUBMITTED
    assert ticket.approvals.get().status == StageStatus.SKIPPED


def test_a_deputy_decides_while_the_approver_is_away(employee, manager, outsider,
                                                     approved_webcam):
    from django.utils import timezone

    today = timezone.localdate()
    Delegation.objects.create(user=manager, deputy=outsider, starts_on=today, ends_on=today)
    ticket = submit(employee, approved_webcam)
    vote = Vote.objects.get()
    assert vote.approver == outsider and vote.on_behalf_of == manager
    services.approval_decide(vote=vote, actor=outsider, decision=Decision.APPROVED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_naming_a_deputy_hands_over_open_decisions(employee, manager, outsider,
                                                   approved_webcam, client):
    from django.utils import timezone

    submit(employee, approved_webcam)
    client.force_login(manager)
    today = timezone.localdate().isoformat()
    response = client.post(reverse("approvals:delegations"), {
        "deputy_email": outsider.email, "starts_on": today, "ends_on": today})
    assert response.status_code == 302
    assert Vote.objects.get().approver == outsider


def test_a_deputy_must_be_someone_else_and_dates_in_order(manager, client):
    client.force_login(manager)
    response = client.post(reverse("approvals:delegations"), {
        "deputy_email": manager.email, "starts_on": "2026-12-10", "ends_on": "2026-12-01"})
    content = response.content.decode()
    assert response.status_code == 200 and "The end must not be before the start." in content
    assert not Delegation.objects.exists()


@pytest.mark.parametrize(("mode", "quorum", "approvals_to_pass"), [
    ("any", 1, 1), ("all", 1, 3), ("quorum", 2, 2)])
def test_any_all_or_a_quorum_of_a_group(employee, webcam, org, mode, quorum, approvals_to_pass):
    group = Group.objects.create(name="it-security")
    members = [UserFactory(organisation=org) for _ in range(3)]
    group.user_set.add(*members)
    webcam.approval = {"stages": [{"key": "sec", "title": "Security", "approvers":
                                   "group:it-security", "mode": mode, "quorum": quorum}]}
    webcam.save()
    ticket = submit(employee, webcam)
    for index, member in enumerate(members[:approvals_to_pass]):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.WAITING_APPROVAL, index
        services.approval_decide(vote=Vote.objects.get(approver=member), actor=member,
                                 decision=Decision.APPROVED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_two_stages_run_in_order(employee, manager, webcam):
    owner = UserFactory(organisation=manager.organisation)
    webcam.owner = owner
    webcam.approval = {"stages": [MANAGER_STAGE, {"key": "owner", "title": "Service owner",
                                                  "approvers": "service_owner"}]}
    webcam.save()
    ticket = submit(employee, webcam)
    services.approval_decide(vote=Vote.objects.get(approver=manager), actor=manager,
                             decision=Decision.APPROVED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_APPROVAL
    services.approval_decide(vote=Vote.objects.get(approver=owner), actor=owner,
                             decision=Decision.APPROVED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_no_decision_after_the_request_was_cancelled(employee, manager, approved_webcam):
    ticket = submit(employee, approved_webcam)
    ticket_cancel(ticket=ticket, actor=employee)
    vote = Vote.objects.get()
    assert vote.decision == Decision.WITHDRAWN
    with pytest.raises(services.ApprovalError, match="already been decided"):
        services.approval_decide(vote=vote, actor=manager, decision=Decision.APPROVED)


def test_the_email_link_asks_before_it_decides_and_works_once(client, employee, manager,
                                                              approved_webcam):
    ticket = submit(employee, approved_webcam)
    vote = Vote.objects.get()
    url = reverse("approvals:email", args=[services.vote_token(vote, Decision.APPROVED)])
    page = client.get(url)
    assert page.status_code == 200 and "Approve this request?" in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_APPROVAL  # a GET never decides
    done = client.post(url)
    assert "Approved — thank you" in done.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert Vote.objects.get().channel == "email"
    again = client.post(url)
    assert "Nothing left to decide" in again.content.decode()


def test_a_reject_link_still_needs_a_reason(client, employee, approved_webcam):
    submit(employee, approved_webcam)
    url = reverse("approvals:email",
                  args=[services.vote_token(Vote.objects.get(), Decision.REJECTED)])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422 and "say why" in response.content.decode()


@pytest.mark.parametrize("tamper", ["forged", "expired"])
def test_forged_or_expired_links_change_nothing(client, settings, employee, approved_webcam,
                                                tamper):
    ticket = submit(employee, approved_webcam)
    token = services.vote_token(Vote.objects.get(), Decision.APPROVED)
    if tamper == "forged":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    else:
        settings.APPROVAL_LINK_MAX_AGE = -1
    response = client.post(reverse("approvals:email", args=[token]))
    assert response.status_code == 400 and "does not work" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_APPROVAL


def test_my_approvals_lists_and_decides_several(client, employee, manager, approved_webcam):
    first, second = submit(employee, approved_webcam), submit(employee, approved_webcam)
    client.force_login(manager)
    page = client.get(reverse("approvals:list")).content.decode()
    assert first.number in page and second.number in page
    votes = list(Vote.objects.values_list("pk", flat=True))
    response = client.post(reverse("approvals:list"), {"votes": votes, "decision": "rejected"})
    assert "Please say why" in response.content.decode()
    client.post(reverse("approvals:list"), {"votes": votes, "decision": "approved"})
    assert set(Vote.objects.values_list("decision", flat=True)) == {Decision.APPROVED}


def test_the_approval_page_shows_what_is_needed_to_decide(client, employee, manager,
                                                          approved_webcam):
    submit(employee, approved_webcam)
    client.force_login(manager)
    vote = Vote.objects.get()
    page = client.get(vote.get_absolute_url()).content.decode()
    assert employee.display_name in page and "€79.00" in page and "410200" in page
    assert "Which model?" in page
    client.post(vote.get_absolute_url(), {"decision": "approved"})
    vote.refresh_from_db()
    assert vote.decision == Decision.APPROVED


def test_someone_elses_approval_is_a_404(client, employee, outsider, approved_webcam):
    submit(employee, approved_webcam)
    client.force_login(outsider)
    assert client.get(Vote.objects.get().get_absolute_url()).status_code == 404


def test_the_todo_count_shows_in_the_navigation(client, employee, manager, approved_webcam):
    submit(employee, approved_webcam)
    client.force_login(manager)
    page = client.get(reverse("portal:home")).content.decode()
    assert '<span class="count">1</span>' in page


def test_the_todo_count_is_kept_a_minute_and_forgotten_on_a_post(
        client, employee, manager, approved_webcam, monkeypatch):
    """Counting to-dos on every page is costly: the session keeps the count for a minute, and
    anything the person does (always a POST) makes it count again."""
    import re
    import time

    from concierge.approvals.services import approval_decide

    def todo_count() -> str:
        page = client.get(reverse("portal:home")).content.decode()
        found = re.search(r'To-dos <span class="count">(\d+)</span>', page)
        return found[1] if found else "0"

    client.force_login(manager)
    assert todo_count() == "0"
    submit(employee, approved_webcam)
    assert todo_count() == "0"  # counted a moment ago
    started = time.time()
    monkeypatch.setattr("concierge.portal.todo.time.time", lambda: started + 61)
    assert todo_count() == "1"
    approval_decide(vote=Vote.objects.get(), actor=manager, decision="approved")
    assert todo_count() == "1"
    client.post(reverse("notifications:read-all"))
    assert todo_count() == "0"


@pytest.mark.parametrize(("policy", "message"), [
    ({"stages": [{"key": "a", "title": "A", "approvers": "the boss"}]}, "approvers"),
    ({"stages": [{"key": "a", "title": "A", "approvers": "manager", "mode": "most"}]}, "mode"),
    ({"stages": [{"key": "a", "title": "A", "approvers": "manager", "mode": "quorum",
                  "quorum": 0}]}, "quorum"),
    ({"stages": [{"key": "a", "title": "A", "approvers": "manager",
                  "when": {"question": "nope", "equals": 1}}]}, "not a question"),
    ({"stages": [{"key": "a", "title": "A", "approvers": "manager",
                  "when": {"price_above": "lots"}}]}, "amount"),
])
def test_invalid_policies_are_refused(webcam, policy, message):
    with pytest.raises(FormSpecError) as error:
        parse_policy(policy, form=webcam.form_spec)
    assert any(message in problem for problem in error.value.problems)


@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_once_end_in_one_outcome(org):
    """Real concurrent transactions (PostgreSQL): one approval wins, the other is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks between connections (runs on PostgreSQL in CI)")
    from concierge.core.testing import CatalogItemFactory

    group = Group.objects.create(name="pair")
    first, second = UserFactory(organisation=org), UserFactory(organisation=org)
    group.user_set.add(first, second)
    item = CatalogItemFactory(approval={"stages": [{"key": "s", "title": "S",
                                                    "approvers": "group:pair"}]})
    ticket = submit(UserFactory(organisation=org), item)
    barrier, results = threading.Barrier(2), []

    def decide(person, decision):
        from django.db import connection as thread_connection

        vote = Vote.objects.get(approver=person)
        barrier.wait()
        try:
            services.approval_decide(vote=vote, actor=person, decision=decision,
                                     reason="no")
            results.append(decision)
        except services.ApprovalError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=decide, args=(first, Decision.APPROVED)),
               threading.Thread(target=decide, args=(second, Decision.REJECTED))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ticket.refresh_from_db()
    assert sorted(results) in (["approved", "refused"], ["refused", "rejected"])
    expected = TicketStatus.IN_PROGRESS if "approved" in results else TicketStatus.REJECTED
    assert ticket.status == expected
    assert ticket.activities.filter(action="tickets.ticket.status_changed",
                                    data__new=expected).count() == 1


def test_agents_cannot_skip_an_approval(client, agent, employee, approved_webcam):
    ticket = submit(employee, approved_webcam)
    client.force_login(agent)
    response = client.post(reverse("tickets:status", args=[ticket.pk]),
                           {"status": TicketStatus.IN_PROGRESS}, follow=True)
    assert "waits for approval" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_APPROVAL


@pytest.mark.django_db(transaction=True)
def test_cancelling_while_an_approver_decides_never_deadlocks(org, settings):
    """Both paths lock ticket, stage, vote in the same order (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks between connections (runs on PostgreSQL in CI)")
    from concierge.core.testing import CatalogItemFactory
    from concierge.tickets.services import TicketError

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    boss = UserFactory(organisation=org)
    requester = UserFactory(organisation=org, manager=boss)
    item = CatalogItemFactory(approval={"stages": [MANAGER_STAGE]})
    for _round in range(8):
        ticket = submit(requester, item)
        vote = Vote.objects.get(approval__ticket=ticket)
        barrier, errors = threading.Barrier(2), []

        def run(action):
            from django.db import connection as thread_connection

            barrier.wait()
            try:
                action()
            except (services.ApprovalError, TicketError):
                pass  # the other one was first: a clear refusal
            except Exception as exc:  # a deadlock or anything else is the bug
                errors.append(exc)
            finally:
                thread_connection.close()

        threads = [
            threading.Thread(target=run, args=(lambda v=vote: services.approval_decide(
                vote=v, actor=boss, decision=Decision.APPROVED),)),
            threading.Thread(target=run, args=(lambda t=ticket: ticket_cancel(
                ticket=t, actor=requester),)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        ticket.refresh_from_db()
        assert ticket.status in (TicketStatus.IN_PROGRESS, TicketStatus.CANCELLED)


def test_my_approvals_query_count_does_not_grow_with_requests(client, employee, manager,
                                                              approved_webcam):
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("approvals:list")).status_code == 200
        return len(queries)

    submit(employee, approved_webcam)
    client.force_login(manager)
    count()
    few = count()
    for _ in range(8):
        submit(employee, approved_webcam)
    assert count() == few
