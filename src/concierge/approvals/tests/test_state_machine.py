"""The approval lifecycle as a Hypothesis state machine, driven through the real services.

Every example builds its own small organisation: a requester, their manager, the manager's
manager, a group of three approvers (sometimes with the manager in it), a bystander, and a
catalog item whose policy has two or three stages drawn by Hypothesis. The rules submit requests
(sometimes as the manager or a group member, so "nobody approves their own request" is
exercised), approve, reject with and without a reason, cancel, edit the policy, and try decisions
that must be refused. A plain model of what should happen is kept beside the database and the
invariants compare the two after every step. Each example rolls back to a savepoint when it ends,
so rows do not pile up between examples.
"""

import itertools
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from concierge.approvals.choices import Decision, StageStatus
from concierge.approvals.models import Approval, Vote
from concierge.approvals.services import ApprovalError, approval_decide
from concierge.core.testing import CatalogItemFactory, OrganisationFactory, UserFactory
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Activity, Ticket
from concierge.tickets.services import TicketError, ticket_cancel, ticket_submit

ANSWERS = {"model": "standard", "address": "Room 1"}
MAX_TICKETS = 6
CLOSED_STAGES = {StageStatus.APPROVED, StageStatus.SKIPPED}
_unique = itertools.count()

STAGES = st.lists(
    st.tuples(st.sampled_from(["manager", "managers_manager", "group"]),
              st.sampled_from(["any", "all", "quorum"]), st.integers(1, 3)),
    min_size=2, max_size=3)


@dataclass
class StageModel:
    key: str
    approvers_rule: str
    mode: str
    quorum: int
    approvers: list[int]  # who should be asked, worked out independently of the app
    status: str = StageStatus.WAITING
    votes: dict[int, str] = field(default_factory=dict)  # approver pk -> decision

    @property
    def needed(self) -> int:
        if self.mode == "all":
            return len(self.approvers)
        if self.mode == "quorum":
            return min(self.quorum, len(self.approvers))
        return 1

    def close(self, status: str) -> None:
        self.status = status
        for approver, decision in self.votes.items():
            if decision == Decision.PENDING:
                self.votes[approver] = Decision.WITHDRAWN


@dataclass
class TicketModel:
    pk: int
    requester: int
    stages: list[StageModel]
    status: str = TicketStatus.SUBMITTED

    def open_next(self) -> StageModel | None:
        for stage in self.stages:
            if stage.status != StageStatus.WAITING:
                continue
            if not stage.approvers:
                stage.status = StageStatus.SKIPPED
                continue
            stage.status = StageStatus.PENDING
            stage.votes = dict.fromkeys(stage.approvers, Decision.PENDING)
            return stage
        return None

    def approve(self, position: int, approver: int) -> None:
        stage = self.stages[position]
        stage.votes[approver] = Decision.APPROVED
        if list(stage.votes.values()).count(Decision.APPROVED) >= stage.needed:
            stage.close(StageStatus.APPROVED)
            if self.open_next() is None:
                self.status = TicketStatus.IN_PROGRESS

    def reject(self, position: int, approver: int) -> None:
        stage = self.stages[position]
        stage.votes[approver] = Decision.REJECTED
        stage.close(StageStatus.REJECTED)
        for later in self.stages[position + 1:]:
            later.status = StageStatus.WITHDRAWN
        self.status = TicketStatus.REJECTED

    def cancel(self) -> None:
        for stage in self.stages:
            if stage.status in (StageStatus.WAITING, StageStatus.PENDING):
                stage.close(StageStatus.WITHDRAWN)
        self.status = TicketStatus.CANCELLED


@dataclass
class Seen:
    """What the database holds for the machine's tickets at one moment."""

    tickets: dict[int, tuple[str, int]]  # pk -> (status, requester)
    stages: dict[int, list[tuple[int, str, str]]]  # ticket -> [(position, key, status)]
    votes: dict[int, list[tuple]]  # ticket -> [(pk, position, approver, decision, reason, at)]
    approved_logs: Counter
    activities: Counter


class ApprovalLifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # The test's transaction is not rolled back between examples; this savepoint is.
        self.savepoint = transaction.savepoint_create()
        self.tickets: dict[int, TicketModel] = {}
        self.settled: dict[int, tuple] = {}
        self._seen: Seen | None = None

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- set-up -------------------------------------------------------------------------------

    @initialize(stages=STAGES, manager_in_group=st.booleans(), member_has_manager=st.booleans())
    def build(self, stages, manager_in_group, member_has_manager):
        n = next(_unique)
        org = OrganisationFactory(slug=f"machine-{n}", name=f"Machine {n}")

        def person(role, manager=None):
            return UserFactory(organisation=org, email=f"{role}-{n}@machine.example",
                               display_name=f"{role.title()} {n}", manager=manager)

        self.boss = person("boss")
        self.manager = person("manager", self.boss)
        self.requester = person("requester", self.manager)
        members = [person(f"member{i}") for i in range(3)]
        if member_has_manager:
            members[0].manager = self.manager
            members[0].save(update_fields=["manager"])
        bystander = person("bystander")
        group = Group.objects.create(name=f"machine-approvers-{n}")
        in_group = [members[0], members[1], self.manager if manager_in_group else members[2]]
        group.user_set.add(*in_group)
        self.group = group.name
        self.group_members = sorted(p.pk for p in in_group)
        self.member = members[0]
        self.people = {p.pk: p for p in [self.boss, self.manager, self.requester, *members,
                                         bystander]}
        self.manager_of = {p.pk: p.manager_id for p in self.people.values()}
        self.item = CatalogItemFactory(slug=f"machine-item-{n}")
        self._set_policy(stages)

    def _set_policy(self, stages) -> None:
        self.policy = [(f"s{i}", f"group:{self.group}" if who == "group" else who, mode, quorum)
                       for i, (who, mode, quorum) in enumerate(stages)]
        self.item.approval = {"stages": [
            {"key": key, "title": {"en": f"Stage {key}"}, "approvers": who, "mode": mode,
             **({"quorum": quorum} if mode == "quorum" else {})}
            for key, who, mode, quorum in self.policy]}
        self.item.save(update_fields=["approval"])

    def expected_approvers(self, approvers_rule: str, requester: int) -> list[int]:
        """Who decides, per the rules in the services' docstring: never the requester."""
        if approvers_rule == "manager":
            candidates = [self.manager_of[requester]]
        elif approvers_rule == "managers_manager":
            manager = self.manager_of[requester]
            candidates = [self.manager_of[manager]] if manager else []
        else:
            candidates = list(self.group_members)
        chosen = []
        for person in candidates:
            while person is not None and person == requester:
                person = self.manager_of[person]  # the next level decides instead
            if person is not None and person not in chosen:
                chosen.append(person)
        return chosen

    # --- reading the database -----------------------------------------------------------------

    def _read(self) -> Seen:
        ids = list(self.tickets)
        stages: dict[int, list] = {pk: [] for pk in ids}
        votes: dict[int, list] = {pk: [] for pk in ids}
        if not ids:
            return Seen({}, stages, votes, Counter(), Counter())
        for ticket_id, position, key, status in Approval.objects.filter(
                ticket_id__in=ids).order_by("ticket_id", "position").values_list(
                "ticket_id", "position", "key", "status"):
            stages[ticket_id].append((position, key, status))
        for row in Vote.objects.filter(approval__ticket_id__in=ids).order_by("pk").values_list(
                "approval__ticket_id", "pk", "approval__position", "approver_id", "decision",
                "reason", "decided_at"):
            votes[row[0]].append(row[1:])
        activities = list(Activity.objects.filter(ticket_id__in=ids).values_list("ticket_id",
                                                                                 "action"))
        return Seen(
            tickets={pk: (status, requester) for pk, status, requester in Ticket.objects.filter(
                pk__in=ids).values_list("pk", "status", "requester_id")},
            stages=stages, votes=votes,
            approved_logs=Counter(pk for pk, action in activities
                                  if action == "approvals.vote.approved"),
            activities=Counter(pk for pk, _action in activities))

    @property
    def seen(self) -> Seen:
        if self._seen is None:
            self._seen = self._read()
        return self._seen

    def _refused(self, call, error, match: str) -> None:
        """``call`` must raise ``error`` and change nothing at all."""
        before = self.seen  # read after the previous step; nothing has changed since
        with pytest.raises(error, match=match):
            call()
        self._seen = self._read()
        assert self._seen == before

    def _vote(self, ticket: int, position: int, approver: int) -> Vote:
        return Vote.objects.get(approval__ticket_id=ticket, approval__position=position,
                                approver_id=approver)

    def _votes(self, *, pending: bool) -> list[tuple[int, int, int]]:
        return [(ticket.pk, position, approver)
                for ticket in self.tickets.values()
                for position, stage in enumerate(ticket.stages)
                for approver, decision in sorted(stage.votes.items())
                if (decision == Decision.PENDING) is pending]

    def _all_votes(self) -> list[tuple[int, int, int]]:
        return sorted(self._votes(pending=True) + self._votes(pending=False))

    # --- rules ----------------------------------------------------------------------------------

    @precondition(lambda self: len(self.tickets) < MAX_TICKETS)
    @rule(who=st.sampled_from(["requester", "manager", "member"]))
    def submit(self, who):
        self._seen = None
        requester = {"requester": self.requester, "manager": self.manager,
                     "member": self.member}[who]
        ticket = ticket_submit(requester=requester, item=self.item, answers=dict(ANSWERS))
        model = TicketModel(pk=ticket.pk, requester=requester.pk, stages=[
            StageModel(key=key, approvers_rule=rule_, mode=mode, quorum=quorum,
                       approvers=self.expected_approvers(rule_, requester.pk))
            for key, rule_, mode, quorum in self.policy])
        model.status = TicketStatus.WAITING_APPROVAL if model.open_next() \
            else TicketStatus.SUBMITTED
        self.tickets[ticket.pk] = model
        assert ticket.status == model.status
        if who == "manager":
            # The manager's "manager" stage goes to their own manager, never to themselves.
            for vote in Vote.objects.filter(approval__ticket=ticket,
                                            approval__approvers_rule="manager"):
                assert vote.approver_id == self.boss.pk

    @rule(stages=STAGES)
    def edit_policy(self, stages):
        """The catalog manager changes the policy: requests already made keep their stages."""
        self._seen = None
        self._set_policy(stages)

    @precondition(lambda self: self._votes(pending=True))
    @rule(data=st.data(), times=st.integers(1, 3))
    def approve(self, data, times):
        """One to three approvers approve (so requests get through all/quorum stages)."""
        self._seen = None
        for _ in range(times):
            if not self._votes(pending=True):
                break
            ticket, position, approver = data.draw(st.sampled_from(self._votes(pending=True)),
                                                   label="pending vote")
            vote = approval_decide(vote=self._vote(ticket, position, approver),
                                   actor=self.people[approver], decision=Decision.APPROVED)
            assert vote.decision == Decision.APPROVED
            self.tickets[ticket].approve(position, approver)

    @precondition(lambda self: self._votes(pending=True))
    @rule(data=st.data(), reason=st.sampled_from(["", "   ", "We have spare ones in stock"]))
    def reject(self, data, reason):
        ticket, position, approver = data.draw(st.sampled_from(self._votes(pending=True)),
                                               label="pending vote")
        vote = self._vote(ticket, position, approver)

        def call():
            return approval_decide(vote=vote, actor=self.people[approver],
                                   decision=Decision.REJECTED, reason=reason)

        if not reason.strip():
            self._refused(call, ApprovalError, "say why")
            return
        self._seen = None
        assert call().decision == Decision.REJECTED
        self.tickets[ticket].reject(position, approver)

    @precondition(lambda self: self._all_votes())
    @rule(data=st.data(), decision=st.sampled_from([Decision.APPROVED, Decision.REJECTED]))
    def decide_someone_elses_vote(self, data, decision):
        ticket, position, approver = data.draw(st.sampled_from(self._all_votes()), label="vote")
        actor = data.draw(st.sampled_from(sorted(pk for pk in self.people if pk != approver)),
                          label="actor")
        vote = self._vote(ticket, position, approver)
        self._refused(lambda: approval_decide(vote=vote, actor=self.people[actor],
                                              decision=decision, reason="Not for me"),
                      ApprovalError, "not yours")

    @precondition(lambda self: self._votes(pending=False))
    @rule(data=st.data(), decision=st.sampled_from([Decision.APPROVED, Decision.REJECTED]))
    def decide_again(self, data, decision):
        """A vote already decided or withdrawn (decided, rejected or cancelled request)."""
        ticket, position, approver = data.draw(st.sampled_from(self._votes(pending=False)),
                                               label="settled vote")
        vote = self._vote(ticket, position, approver)
        self._refused(lambda: approval_decide(vote=vote, actor=self.people[approver],
                                              decision=decision, reason="Changed my mind"),
                      ApprovalError, "already been decided")

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), by_requester=st.booleans())
    def cancel(self, data, by_requester):
        """The requester cancels while it waits; anyone else, or too late, is refused."""
        pk = data.draw(st.sampled_from(sorted(self.tickets)), label="ticket")
        model = self.tickets[pk]
        actor = model.requester if by_requester else data.draw(st.sampled_from(
            sorted(p for p in self.people if p != model.requester)), label="actor")

        def call():
            return ticket_cancel(ticket=Ticket.objects.get(pk=pk), actor=self.people[actor])

        if not by_requester:
            self._refused(call, TicketError, "Only the person who asked")
        elif model.status not in (TicketStatus.WAITING_APPROVAL, TicketStatus.SUBMITTED):
            self._refused(call, TicketError, "can no longer be cancelled")
        else:
            self._seen = None
            assert call().status == TicketStatus.CANCELLED
            model.cancel()

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def nobody_approves_their_own_request(self):
        for pk, (_status, requester) in self.seen.tickets.items():
            for _vote_pk, _position, approver, decision, _reason, _at in self.seen.votes[pk]:
                assert approver != requester, f"the requester of {pk} was asked to decide"
                assert not (decision == Decision.APPROVED and approver == requester)

    @invariant()
    def status_agrees_with_the_stages(self):
        for pk, (status, _requester) in self.seen.tickets.items():
            stages = [stage_status for _position, _key, stage_status in self.seen.stages[pk]]
            votes = self.seen.votes[pk]
            assert stages, f"ticket {pk} lost its stages"
            pending = [i for i, s in enumerate(stages) if s == StageStatus.PENDING]
            match status:
                case TicketStatus.WAITING_APPROVAL:
                    assert len(pending) == 1, (pk, stages)
                    current = pending[0]
                    assert set(stages[:current]) <= CLOSED_STAGES, (pk, stages)
                    assert set(stages[current + 1:]) <= {StageStatus.WAITING}, (pk, stages)
                    # Somebody is still asked: a request never waits on nobody.
                    assert any(v[1] == current and v[3] == Decision.PENDING for v in votes)
                case TicketStatus.IN_PROGRESS:
                    assert set(stages) <= CLOSED_STAGES, (pk, stages)
                case TicketStatus.SUBMITTED:
                    assert set(stages) == {StageStatus.SKIPPED}, (pk, stages)
                case TicketStatus.REJECTED:
                    assert stages.count(StageStatus.REJECTED) == 1, (pk, stages)
                    rejected = stages.index(StageStatus.REJECTED)
                    assert set(stages[:rejected]) <= CLOSED_STAGES, (pk, stages)
                    assert set(stages[rejected + 1:]) <= {StageStatus.WITHDRAWN}, (pk, stages)
                case TicketStatus.CANCELLED:
                    assert not {StageStatus.PENDING, StageStatus.WAITING} & set(stages), stages
                    assert all(v[3] != Decision.PENDING for v in votes), (pk, votes)
                case _:
                    raise AssertionError(f"ticket {pk} is {status}")
            for _vote_pk, position, _approver, decision, reason, _at in votes:
                if decision == Decision.PENDING:
                    assert stages[position] == StageStatus.PENDING, (pk, stages, votes)
                if decision == Decision.REJECTED:
                    assert reason.strip() and stages[position] == StageStatus.REJECTED

    @invariant()
    def settled_requests_stay_settled(self):
        """Once nothing waits for a decision, no stage or vote changes (nor a final status)."""
        for pk, (status, _requester) in self.seen.tickets.items():
            if status == TicketStatus.WAITING_APPROVAL:
                continue
            # A request every stage skipped may still be cancelled; the others are final.
            final = None if status == TicketStatus.SUBMITTED else status
            snapshot = (self.seen.stages[pk], self.seen.votes[pk])
            stages, votes, was = self.settled.setdefault(pk, (*snapshot, final))
            assert (stages, votes) == snapshot, f"ticket {pk}: a settled decision changed"
            if was is not None:
                assert status == was, f"ticket {pk} went from {was} to {status}"
            else:
                self.settled[pk] = (stages, votes, final)

    @invariant()
    def one_pending_stage_and_every_approval_logged(self):
        for pk in self.seen.tickets:
            stages = [status for _position, _key, status in self.seen.stages[pk]]
            assert stages.count(StageStatus.PENDING) <= 1, (pk, stages)
            approved = sum(v[3] == Decision.APPROVED for v in self.seen.votes[pk])
            assert self.seen.approved_logs[pk] == approved, pk

    @invariant()
    def database_matches_the_model(self):
        assert set(self.seen.tickets) == set(self.tickets)
        for pk, model in self.tickets.items():
            assert self.seen.tickets[pk][0] == model.status, pk
            assert self.seen.stages[pk] == [(position, stage.key, stage.status)
                                            for position, stage in enumerate(model.stages)], pk
            assert {(v[1], v[2]): v[3] for v in self.seen.votes[pk]} == {
                (position, approver): decision
                for position, stage in enumerate(model.stages)
                for approver, decision in stage.votes.items()}, pk


def test_the_approval_lifecycle_keeps_its_promises(db):
    run_state_machine_as_test(ApprovalLifecycle, settings=hypothesis_settings(
        max_examples=40, stateful_step_count=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
