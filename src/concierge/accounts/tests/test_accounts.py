import time

import pytest
from django.urls import reverse

from concierge.accounts.choices import Role
from concierge.accounts.models import User
from concierge.core.testing import UserFactory


def test_sign_in_with_email_and_password(client, employee):
    response = client.post(reverse("account_login"),
                           {"login": employee.email, "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_wrong_password_gives_a_message_not_an_error(client, employee):
    response = client.post(reverse("account_login"),
                           {"login": employee.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_signing_up_alone_is_not_possible(client, db):
    response = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content or response.status_code in (302, 403, 404)
    client.post(reverse("account_signup"), {"email": "new@x.example", "password1": "a-Long-pw-1",
                                            "password2": "a-Long-pw-1"})
    assert not User.objects.filter(email="new@x.example").exists()


def test_sign_out_needs_post(employee_client):
    employee_client.post(reverse("account_logout"))
    assert employee_client.get(reverse("portal:home")).status_code == 302


def test_password_change(employee_client, employee):
    response = employee_client.post(reverse("account_change_password"), {
        "oldpassword": "pw-for-tests-1", "password1": "a-new-Secret-42",
        "password2": "a-new-Secret-42"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("a-new-Secret-42")


def test_sessions_end_after_being_idle(settings, employee_client):
    settings.SESSION_IDLE_TIMEOUT = 60
    assert employee_client.get(reverse("portal:home")).status_code == 200
    session = employee_client.session
    session["concierge_last_seen"] = int(time.time()) - 120
    session.save()
    response = employee_client.get(reverse("portal:home"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_profile_language_applies_to_pages(employee_client, employee):
    response = employee_client.post(reverse("accounts:profile"), {
        "language": "de", "phone": "+49 1", "location": "Berlin"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.language == "de" and employee.location == "Berlin"
    page = employee_client.get(reverse("portal:home"))
    assert page.content.decode().startswith("<!doctype html>\n<html lang=\"de\"")


def test_a_bad_language_is_refused_in_the_page(employee_client, employee):
    response = employee_client.post(reverse("accounts:profile"), {"language": "xx"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_people_search_only_finds_colleagues(employee_client, outsider, stranger):
    response = employee_client.get(reverse("accounts:people-search"),
                                   {"for": "requested_for", "requested_for": "o"})
    content = response.content.decode()
    assert outsider.email in content and stranger.email not in content


def test_people_search_ignores_a_bad_target(employee_client, outsider):
    response = employee_client.get(reverse("accounts:people-search"),
                                   {"for": '"><script>', "q": "Otto"})
    assert b"<script>" not in response.content and outsider.email.encode() in response.content


@pytest.mark.django_db
def test_roles_come_from_groups():
    user = UserFactory(roles=[Role.AGENT])
    assert user.has_role(Role.AGENT) and user.has_role(Role.EMPLOYEE) and user.is_agent
    assert not UserFactory().is_agent


@pytest.mark.django_db
def test_roles_and_groups_are_read_once_and_follow_changes_made_through_the_person(
        django_assert_num_queries):
    from django.contrib.auth.models import Group

    user = User.objects.get(pk=UserFactory().pk)
    with django_assert_num_queries(1):
        assert not user.is_agent and user.group_ids == () and Role.EMPLOYEE in user.roles
    agents, desk = Group.objects.get(name=Role.AGENT), Group.objects.create(name="service-desk")
    user.groups.add(agents, desk)
    assert user.is_agent and set(user.group_ids) == {agents.pk, desk.pk}
    user.groups.remove(agents)
    assert not user.is_agent and user.group_ids == (desk.pk,)


@pytest.mark.django_db
def test_a_user_without_organisation_gets_the_default_one():
    user = User.objects.create_user("solo@example.com", "pw", display_name="Solo")
    assert user.organisation.slug
