"""Reminders, escalation and the periodic scheduler that runs them in the worker."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from concierge.approvals import services
from concierge.approvals.choices import Decision
from concierge.approvals.models import Vote
from concierge.core.scheduler import schedule_due
from concierge.core.testing import UserFactory
from concierge.tickets.choices import TicketStatus
from concierge.tickets.services import ticket_submit

LATER = datetime.timedelta(hours=100)


@pytest.fixture
def waiting(employee, webcam):
    webcam.approval = {"stages": [{"key": "manager", "title": "Manager",
                                   "approvers": "manager"}]}
    webcam.save()
    return ticket_submit(requester=employee, item=webcam,
                         answers={"model": "standard", "address": "Room 1"})


def test_approvers_are_reminded_once(waiting, manager, mailoutbox,
                                     django_capture_on_commit_callbacks):
    assert services.approval_remind_due() == 0  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        assert services.approval_remind_due(now=timezone.now() + LATER) == 1
        assert services.approval_remind_due(now=timezone.now() + LATER) == 0
    reminders = [m for m in mailoutbox if m.subject.startswith("Reminder:")]
    assert len(reminders) == 1 and manager.email in reminders[0].to[0]


def test_a_decision_left_too_long_passes_to_the_approvers_manager(
        waiting, manager, mailoutbox, django_capture_on_commit_callbacks):
    boss = UserFactory(organisation=manager.organisation, display_name="Big Boss")
    manager.manager = boss
    manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.approval_escalate_due(now=timezone.now() + LATER) == 1
        assert services.approval_escalate_due(now=timezone.now() + LATER) == 0
    vote = Vote.objects.get()
    assert vote.approver == boss and vote.on_behalf_of == manager
    assert waiting.activities.filter(action="approvals.stage.escalated").exists()
    assert any(boss.email in m.to[0] for m in mailoutbox)
    services.approval_decide(vote=vote, actor=boss, decision=Decision.APPROVED)
    waiting.refresh_from_db()
    assert waiting.status == TicketStatus.IN_PROGRESS


def test_the_escalated_approver_gets_a_full_wait_before_a_reminder(waiting, manager, settings):
    boss = UserFactory(organisation=manager.organisation)
    manager.manager = boss
    manager.save()
    escalated = timezone.now() + LATER
    assert services.approval_escalate_due(now=escalated) == 1
    assert services.approval_remind_due(now=escalated) == 0
    remind_after = datetime.timedelta(seconds=settings.APPROVAL_REMIND_AFTER)
    assert services.approval_remind_due(now=escalated + remind_after) == 1
    assert Vote.objects.get().reminded_at is not None


def test_the_scheduler_enqueues_each_job_once_per_period(db, settings,
                                                          django_capture_on_commit_callbacks):
    settings.PERIODIC_TASKS = {"approvals.nudge": settings.PERIODIC_TASKS["approvals.nudge"]}
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert schedule_due(now) == ["approvals.nudge"]
        assert schedule_due(now + datetime.timedelta(seconds=10)) == []
        assert schedule_due(now + datetime.timedelta(seconds=301)) == ["approvals.nudge"]
    assert len(callbacks) == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_due_periodic_jobs(settings, employee, webcam, manager, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.APPROVAL_REMIND_AFTER = 0
    webcam.approval = {"stages": [{"key": "m", "title": "M", "approvers": "manager"}]}
    webcam.save()
    ticket_submit(requester=employee, item=webcam,
                  answers={"model": "standard", "address": "Room 1"})
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert any(m.subject.startswith("Reminder:") for m in mailoutbox)
    assert Vote.objects.get().reminded_at is not None
