"""Directory steps of fulfilment plans, against the test slapd: done, visible, undoable."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.core.testing import CatalogItemFactory, TicketFactory
from concierge.directory import services
from concierge.directory.client import Directory
from concierge.directory.models import DirectoryChange
from concierge.fulfilment.choices import TaskStatus
from concierge.fulfilment.services import fulfilment_start


def answers(**values):
    return [{"key": key, "value": value} for key, value in values.items()]


def run_plan(tasks, *, requester, capture, **values):
    item = CatalogItemFactory(fulfilment={"tasks": tasks})
    ticket = TicketFactory(requester=requester, item=item, answers=answers(**values))
    with capture(execute=True):
        fulfilment_start(ticket=ticket)
    return ticket


def test_new_account_is_created_disabled_and_enabled_on_the_start_date(
        directory, employee, django_capture_on_commit_callbacks):
    start = timezone.localdate() + datetime.timedelta(days=5)
    ticket = run_plan(
        [{"key": "account", "title": "Account", "action": "directory.create_account",
          "params": {"group_from": "applications", "group_map": {"jira": "jira-users"}}}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        first_name="Jörg", last_name="Müller", start_date=start.isoformat(),
        job_title="Claims handler", department="finance", applications=["jira"],
        end_date=(start + datetime.timedelta(days=90)).isoformat())
    task = ticket.tasks.get()
    assert task.status == TaskStatus.DONE, task.note
    assert "joerg.mueller@example.org" in task.note and "disabled until" in task.note
    person = Directory().find_user("joerg.mueller")
    assert person.disabled and person.title == "Claims handler"
    assert person.dn.lower() in Directory().group_members("jira-users")
    kinds = dict(ticket.directory_changes.values_list("kind", "status"))
    assert kinds == {"create_account": "done", "enable_account": "scheduled",
                     "disable_account": "scheduled", "add_to_group": "done"}
    assert ticket.activities.filter(action="directory.change.done").count() == 2
    # the periodic task: nothing before the start date, enabled on it
    assert services.changes_due(today=start - datetime.timedelta(days=1)) == []
    assert services.changes_due(today=start) == ["done"]
    assert not Directory().find_user("joerg.mueller").disabled
    assert services.changes_due(today=start) == []  # once only
    # running the action again changes nothing
    from concierge.directory.actions import create_account

    assert create_account(task, task.params) == "already done"
    assert Directory().login_free("joerg.mueller2")


def test_access_is_granted_to_the_person_and_ends_after_the_chosen_day(
        directory, ldap_person, org, django_capture_on_commit_callbacks):
    from concierge.core.testing import UserFactory

    person = ldap_person()
    user = UserFactory(email=person.mail, organisation=org)
    until = timezone.localdate() + datetime.timedelta(days=10)
    ticket = run_plan(
        [{"key": "grant", "title": "Grant", "action": "directory.add_to_group",
          "params": {"group_from": "application", "group_map": {"sap": "sap-approvers"},
                     "until_from": "access_until"}}],
        requester=user, capture=django_capture_on_commit_callbacks, application="sap",
        access_until=until.isoformat())
    assert ticket.tasks.get().status == TaskStatus.DONE
    dn = Directory().find_user(person.uid).dn
    assert dn.lower() in Directory().group_members("sap-approvers")
    services.changes_due(today=until + datetime.timedelta(days=1))
    assert dn.lower() not in Directory().group_members("sap-approvers")


def test_an_unmapped_answer_fails_the_step_visibly(directory, employee,
                                                   django_capture_on_commit_callbacks):
    ticket = run_plan(
        [{"key": "grant", "title": "Grant", "action": "directory.add_to_group",
          "params": {"group_from": "application", "group_map": {"sap": "sap-approvers"}}}],
        requester=employee, capture=django_capture_on_commit_callbacks, application="other")
    task = ticket.tasks.get()
    assert task.status == TaskStatus.FAILED and "group_map" in task.note


def test_leaver_is_disabled_the_day_after_the_last_day(
        directory, ldap_person, employee, django_capture_on_commit_callbacks):
    person = ldap_person()
    last_day = timezone.localdate() + datetime.timedelta(days=3)
    ticket = run_plan(
        [{"key": "close", "title": "Close", "action": "directory.disable_account"}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        person={"email": person.mail, "name": "Pat"}, last_day=last_day.isoformat())
    change = ticket.directory_changes.get()
    assert (change.kind, change.status, change.due_on) == (
        "disable_account", "scheduled", last_day + datetime.timedelta(days=1))
    assert Directory().authenticate(person.uid, person.password) is not None
    services.changes_due(today=last_day + datetime.timedelta(days=1))
    assert Directory().authenticate(person.uid, person.password) is None


def test_agent_undoes_a_change_and_it_is_recorded(
        client, directory, ldap_person, employee, agent, django_capture_on_commit_callbacks):
    person = ldap_person()
    ticket = run_plan(
        [{"key": "close", "title": "Close", "action": "directory.disable_account"}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        person={"email": person.mail},
        last_day=(timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    change = ticket.directory_changes.get()
    assert change.status == "done"
    assert Directory().authenticate(person.uid, person.password) is None
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url())
    assert b"Directory changes" in page.content
    response = client.post(reverse("directory:change-undo", args=[change.pk]))
    assert response.status_code == 302
    assert Directory().authenticate(person.uid, person.password) is not None
    change.refresh_from_db()
    assert change.status == "undone"
    inverse = change.undone_by
    assert (inverse.kind, inverse.actor, inverse.status) == ("enable_account", agent, "done")
    assert ticket.activities.filter(action="directory.change.undone", actor=agent).exists()
    # undone once only
    client.post(reverse("directory:change-undo", args=[change.pk]))
    assert DirectoryChange.objects.filter(undoes__isnull=False).count() == 1


def test_a_scheduled_change_is_cancelled_by_undo(
        client, directory, ldap_person, employee, agent, django_capture_on_commit_callbacks):
    person = ldap_person()
    ticket = run_plan(
        [{"key": "close", "title": "Close", "action": "directory.disable_account"}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        person={"email": person.mail},
        last_day=(timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    change = ticket.directory_changes.get()
    client.force_login(agent)
    client.post(reverse("directory:change-undo", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == "cancelled"
    assert services.changes_due(today=timezone.localdate() + datetime.timedelta(days=30)) == []


def test_only_agents_see_and_undo_changes(client, directory, ldap_person, employee,
                                          django_capture_on_commit_callbacks):
    person = ldap_person()
    ticket = run_plan(
        [{"key": "close", "title": "Close", "action": "directory.disable_account"}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        person={"email": person.mail},
        last_day=(timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    change = ticket.directory_changes.get()
    client.force_login(employee)
    assert b"Directory changes" not in client.get(ticket.get_absolute_url()).content
    assert client.post(reverse("directory:change-undo", args=[change.pk])).status_code == 404
    assert client.get(reverse("directory:change-undo", args=[change.pk])).status_code == 405
    change.refresh_from_db()
    assert change.status == "scheduled"


def test_an_agent_of_another_organisation_does_not_undo_its_directory_changes(
        client, directory, ldap_person, employee, django_capture_on_commit_callbacks):
    """Working a ticket routed in from another organisation is not changing its directory."""
    from django.contrib.auth.models import Group

    from concierge.accounts.choices import Role
    from concierge.core.testing import OrganisationFactory, UserFactory

    person = ldap_person()
    ticket = run_plan(
        [{"key": "close", "title": "Close", "action": "directory.disable_account"}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        person={"email": person.mail},
        last_day=(timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    group = Group.objects.create(name="shared-desk")
    ticket.group = group
    ticket.save(update_fields=["group"])
    elsewhere = UserFactory(email="rita@elsewhere.example", roles=[Role.AGENT],
                            organisation=OrganisationFactory(slug="elsewhere"))
    elsewhere.groups.add(group)
    change = ticket.directory_changes.get()
    client.force_login(elsewhere)
    assert client.get(ticket.get_absolute_url()).status_code == 200  # may work the ticket
    assert client.post(reverse("directory:change-undo", args=[change.pk])).status_code == 404
    change.refresh_from_db()
    assert change.status == "scheduled"


@pytest.mark.parametrize("slug", ["new-user", "shared-folder-access", "application-access",
                                  "leaver"])
def test_demo_catalog_plans_name_directory_actions(slug):
    from pathlib import Path

    import yaml

    from concierge.fulfilment.plan import parse_plan

    catalog = yaml.safe_load((Path(__file__).parents[2] / "catalog" / "fixtures" /
                              "demo-catalog.yaml").read_text())
    item = next(i for i in catalog["items"] if i["slug"] == slug)
    actions = {task.action for task in parse_plan(item["fulfilment"])}
    assert any(action.startswith("directory.") for action in actions)


def test_without_a_directory_the_step_fails_with_a_clear_note(settings, employee, db,
                                                             django_capture_on_commit_callbacks):
    settings.DIRECTORY_URL = ""
    ticket = run_plan(
        [{"key": "close", "title": "Close", "action": "directory.disable_account"}],
        requester=employee, capture=django_capture_on_commit_callbacks,
        person={"email": "x@acme.example"}, last_day="2026-01-01")
    task = ticket.tasks.get()
    assert task.status == TaskStatus.FAILED and "no directory is connected" in task.note
