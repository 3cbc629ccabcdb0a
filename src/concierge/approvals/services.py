"""Every write to approvals: starting the stages of a request, deciding, withdrawing, delegating.

Rules: nobody approves their own request (an approver who is the requester is replaced by
their manager, the next level); a deputy decides for someone who is away; the first rejection
ends the request; a stage passes when any, all or a quorum of its approvers agree. Decisions
lock the stage row, so two approvers deciding at the same instant end in one outcome.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.approvals.choices import Channel, Decision, Mode, StageStatus
from concierge.approvals.models import Approval, Delegation, Vote
from concierge.approvals.policy import parse_policy
from concierge.catalog.models import CatalogItem
from concierge.core.worker import enqueue_with_transaction
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Ticket
from concierge.tickets.services import activity_log

TOKEN_SALT = "concierge.approvals.vote"


class ApprovalError(Exception):
    """A decision that cannot be taken; the message is meant for the person who tried."""


# --- who approves -----------------------------------------------------------------------------

def _rule_approvers(rule: str, ticket: Ticket) -> list[User]:
    person = ticket.requested_for
    match rule:
        case "manager":
            return [person.manager] if person.manager_id else []
        case "managers_manager":
            manager = person.manager
            return [manager.manager] if manager and manager.manager_id else []
        case "cost_centre_owner":
            centre = person.cost_centre
            return [centre.owner] if centre and centre.owner_id else []
        case "service_owner":
            item = ticket.item
            return [item.owner] if item and item.owner_id else []
    if rule.startswith("group:"):
        group = Group.objects.filter(name=rule.removeprefix("group:")).first()
        if group is None:
            return []
        return list(group.user_set.filter(organisation_id=ticket.organisation_id,
                                          is_active=True).order_by("pk"))
    return []


def approvers_for(rule: str, ticket: Ticket) -> list[User]:
    """The people who decide a stage: never the requester (their manager instead)."""
    chosen: list[User] = []
    for person in _rule_approvers(rule, ticket):
        seen = set()
        while person is not None and person.pk == ticket.requester_id and person.pk not in seen:
            seen.add(person.pk)
            person = person.manager
        if person is not None and person.is_active and person.pk != ticket.requester_id \
                and person not in chosen:
            chosen.append(person)
    return chosen


def deputy_for(person: User, *, requester_id: int, day: datetime.date | None = None) -> User:
    """Who decides in ``person``'s place today (themselves when nobody stands in)."""
    day = day or timezone.localdate()
    delegation = Delegation.objects.filter(
        user=person, starts_on__lte=day, ends_on__gte=day
    ).exclude(deputy_id=requester_id).select_related("deputy").order_by("-created_at").first()
    return delegation.deputy if delegation else person


# --- starting ---------------------------------------------------------------------------------

def approval_start(*, ticket: Ticket, item: CatalogItem, answers: dict, price) -> bool:
    """Copy the item's applicable stages onto the ticket and open the first one.

    Returns whether the request now waits for approval. Stages whose condition does not hold
    (price, organisation, an answer) are not copied; stages nobody can decide are skipped.
    """
    stages = [
        stage for stage in parse_policy(item.approval)
        if stage.applies(price=Decimal(price.once) + Decimal(price.monthly) * 12,
                         organisation=ticket.organisation.slug, answers=answers)
    ]
    for position, stage in enumerate(stages):
        Approval.objects.create(ticket=ticket, position=position, key=stage.key,
                                title=stage.title, approvers_rule=stage.approvers,
                                mode=stage.mode, quorum=stage.quorum)
    return _open_next_stage(ticket) is not None


def _open_next_stage(ticket: Ticket) -> Approval | None:
    """Open the next waiting stage that someone can decide; skip those nobody can."""
    for approval in ticket.approvals.filter(status=StageStatus.WAITING).order_by("position"):
        approvers = approvers_for(approval.approvers_rule, ticket)
        if not approvers:
            approval.status = StageStatus.SKIPPED
            approval.decided_at = timezone.now()
            approval.save(update_fields=["status", "decided_at"])
            activity_log(ticket, None, "approvals.stage.skipped", stage=approval.key)
            continue
        approval.status = StageStatus.PENDING
        approval.opened_at = timezone.now()
        approval.save(update_fields=["status", "opened_at"])
        for person in approvers:
            deputy = deputy_for(person, requester_id=ticket.requester_id)
            vote, created = Vote.objects.get_or_create(
                approval=approval, approver=deputy,
                defaults={"on_behalf_of": person if deputy != person else None})
            if created:
                _notify_approver_after_commit(vote)
        activity_log(ticket, None, "approvals.stage.opened", stage=approval.key,
                     approvers=[p.pk for p in approvers])
        return approval
    return None


def _notify_approver_after_commit(vote: Vote, *, reminder: bool = False) -> None:
    from concierge.approvals.tasks import vote_notify

    enqueue_with_transaction(vote_notify, vote.pk, reminder=reminder)


# --- deciding ---------------------------------------------------------------------------------

def vote_token(vote: Vote, decision: str) -> str:
    """A signed link for one decision by one approver on one stage (checked by the view)."""
    return signing.dumps({"vote": vote.pk, "approver": vote.approver_id, "decision": decision},
                         salt=TOKEN_SALT, compress=True)


@transaction.atomic
def approval_decide(*, vote: Vote, actor: User, decision: str, reason: str = "",
                    channel: str = Channel.PORTAL) -> Vote:
    """Record ``actor``'s decision and move the request on.

    Raises ApprovalError when the vote is not theirs, already decided or withdrawn, the request
    no longer waits for approval, the actor asked for it themselves, or a rejection has no
    reason. A rejection ends the request and tells the requester why.
    """
    from concierge.tickets.services import ticket_change_status

    # Always lock in the order ticket, stage, vote: cancelling and escalating do the same,
    # so two people acting at once wait for each other instead of deadlocking.
    ticket_id = Approval.objects.values_list("ticket_id", flat=True).get(pk=vote.approval_id)
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    approval = Approval.objects.select_for_update().get(pk=vote.approval_id)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    reason = (reason or "").strip()
    if vote.approver_id != actor.pk:
        raise ApprovalError(_("This decision is not yours to take."))
    if actor.pk == ticket.requester_id:
        raise ApprovalError(_("Nobody can approve their own request."))
    if vote.decision != Decision.PENDING or approval.status != StageStatus.PENDING \
            or ticket.status != TicketStatus.WAITING_APPROVAL:
        raise ApprovalError(_("This has already been decided, or the request was withdrawn. "
                              "Nothing was changed."))
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        raise ApprovalError(_("Please approve or reject."))
    if decision == Decision.REJECTED and not reason:
        raise ApprovalError(_("Please say why you reject it, so the requester knows."))

    now = timezone.now()
    vote.decision, vote.reason, vote.channel, vote.decided_at = decision, reason, channel, now
    vote.save(update_fields=["decision", "reason", "channel", "decided_at"])
    activity_log(ticket, actor, f"approvals.vote.{decision}", stage=approval.key,
                 reason=reason, channel=channel, on_behalf_of=vote.on_behalf_of_id)

    if decision == Decision.REJECTED:
        _close_stage(approval, StageStatus.REJECTED, now)
        ticket.approvals.filter(status=StageStatus.WAITING).update(
            status=StageStatus.WITHDRAWN, decided_at=now)
        ticket_change_status(ticket=ticket, actor=actor, status=TicketStatus.REJECTED,
                             reason=reason)
        return vote
    approved = approval.votes.filter(decision=Decision.APPROVED).count()
    if approved >= approval.needed:
        _close_stage(approval, StageStatus.APPROVED, now)
        if _open_next_stage(ticket) is None:
            from concierge.fulfilment.services import fulfilment_start

            if not fulfilment_start(ticket=ticket, actor=actor):
                ticket_change_status(ticket=ticket, actor=actor, status=TicketStatus.IN_PROGRESS)
    return vote


def _close_stage(approval: Approval, status: str, now) -> None:
    approval.status, approval.decided_at = status, now
    approval.save(update_fields=["status", "decided_at"])
    approval.votes.filter(decision=Decision.PENDING).update(decision=Decision.WITHDRAWN,
                                                            decided_at=now)


def approval_withdraw(*, ticket: Ticket) -> None:
    """The request was cancelled: nothing is left to decide."""
    now = timezone.now()
    stage_ids = list(ticket.approvals.select_for_update().filter(
        status__in=[StageStatus.WAITING, StageStatus.PENDING]).values_list("pk", flat=True))
    Approval.objects.filter(pk__in=stage_ids).update(status=StageStatus.WITHDRAWN,
                                                     decided_at=now)
    Vote.objects.filter(approval_id__in=stage_ids, decision=Decision.PENDING).update(
        decision=Decision.WITHDRAWN, decided_at=now)


def approval_decide_many(*, votes: list[Vote], actor: User, decision: str,
                         reason: str = "") -> tuple[int, list[str]]:
    """Decide several at once (My approvals); each is its own transaction."""
    done, problems = 0, []
    for vote in votes:
        try:
            approval_decide(vote=vote, actor=actor, decision=decision, reason=reason)
            done += 1
        except ApprovalError as exc:
            problems.append(f"{vote.approval.ticket.number}: {exc}")
    return done, problems


# --- delegation -------------------------------------------------------------------------------

@transaction.atomic
def delegation_create(*, user: User, deputy: User, starts_on: datetime.date,
                      ends_on: datetime.date) -> Delegation:
    """Name a deputy for a period; open votes of that period move to the deputy too."""
    delegation = Delegation(user=user, deputy=deputy, starts_on=starts_on, ends_on=ends_on)
    delegation.full_clean()
    delegation.save()
    today = timezone.localdate()
    if starts_on <= today <= ends_on:
        for vote in Vote.objects.filter(approver=user, decision=Decision.PENDING).select_related(
                "approval__ticket"):
            if vote.approval.ticket.requester_id == deputy.pk or Vote.objects.filter(
                    approval=vote.approval, approver=deputy).exists():
                continue
            vote.approver, vote.on_behalf_of = deputy, user
            vote.save(update_fields=["approver", "on_behalf_of"])
            _notify_approver_after_commit(vote)
    return delegation


def delegation_delete(*, delegation: Delegation) -> None:
    delegation.delete()


def mode_label(approval: Approval) -> str:
    if approval.mode == Mode.QUORUM:
        return _("%(n)s of the approvers") % {"n": approval.quorum}
    return Mode(approval.mode).label



# --- reminders and escalation (periodic) ------------------------------------------------------

def approval_remind_due(*, now: datetime.datetime | None = None) -> int:
    """Remind, once, approvers whose decision has waited longer than APPROVAL_REMIND_AFTER."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.APPROVAL_REMIND_AFTER)
    # An escalated decision starts a new wait for the person it went to.
    due = Vote.objects.filter(
        Q(approval__escalated_at__isnull=True) | Q(approval__escalated_at__lte=cutoff),
        decision=Decision.PENDING, reminded_at__isnull=True, created_at__lte=cutoff,
        approval__status=StageStatus.PENDING,
    )
    count = 0
    for vote in due.select_related("approval__ticket"):
        with transaction.atomic():
            updated = Vote.objects.filter(pk=vote.pk, reminded_at__isnull=True).update(
                reminded_at=now)
            if updated:
                activity_log(vote.approval.ticket, None, "approvals.vote.reminded",
                             stage=vote.approval.key, approver=vote.approver_id)
                _notify_approver_after_commit(vote, reminder=True)
                count += 1
    return count


def approval_escalate_due(*, now: datetime.datetime | None = None) -> int:
    """Hand decisions that waited longer than APPROVAL_ESCALATE_AFTER to the approver's
    manager (the next level); a stage escalates once."""
    now = now or timezone.now()
    due = Approval.objects.filter(
        status=StageStatus.PENDING, escalated_at__isnull=True,
        opened_at__lte=now - datetime.timedelta(seconds=settings.APPROVAL_ESCALATE_AFTER))
    count = 0
    for approval in due.select_related("ticket"):
        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=approval.ticket_id)  # same lock order
            locked = Approval.objects.select_for_update().get(pk=approval.pk)
            if locked.status != StageStatus.PENDING or locked.escalated_at:
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at"])
            ticket = locked.ticket
            for vote in locked.votes.filter(decision=Decision.PENDING).select_related(
                    "approver__manager"):
                boss = vote.approver.manager
                if boss is None or not boss.is_active or boss.pk == ticket.requester_id \
                        or locked.votes.filter(approver=boss).exists():
                    continue
                vote.on_behalf_of = vote.on_behalf_of or vote.approver
                vote.approver = boss
                vote.reminded_at = None
                vote.save(update_fields=["approver", "on_behalf_of", "reminded_at"])
                _notify_approver_after_commit(vote)
            activity_log(ticket, None, "approvals.stage.escalated", stage=locked.key)
            count += 1
    return count
