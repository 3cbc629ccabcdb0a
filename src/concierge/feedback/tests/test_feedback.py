"""The requester's verdict: asked on every resolution, answered once, "not fixed" reopens."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from concierge.accounts.choices import Role
from concierge.core.testing import TicketFactory, UserFactory
from concierge.feedback import selectors, services
from concierge.feedback.choices import Channel, SurveyStatus
from concierge.feedback.models import Survey
from concierge.notifications.models import Notification
from concierge.tickets.choices import TicketStatus
from concierge.tickets.services import ticket_change_status


@pytest.fixture
def ticket(employee):
    return TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS,
                         title="Printer jams")


def resolve(ticket, agent):
    return ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.RESOLVED)


@pytest.fixture
def survey(ticket, agent):
    resolve(ticket, agent)
    return Survey.objects.get(ticket=ticket)


def test_resolving_sends_the_requester_one_email_with_a_link_per_score(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent)
    survey = Survey.objects.get()
    assert survey.requester == employee and survey.status == SurveyStatus.PENDING
    assert len(mailoutbox) == 1  # not a status message and a rating request: one message
    mail = mailoutbox[0]
    assert mail.subject == f"Resolved: {ticket.number} Printer jams. How did we do?"
    assert mail.to == [f"{employee.display_name} <{employee.email}>"]
    assert "is resolved" in mail.body
    links = re.findall(r"/feedback/rate/([^/\s]+)/", mail.body)
    assert len(links) == 5
    assert {selectors.survey_from_token(link)[1] for link in links} == {1, 2, 3, 4, 5}
    assert f"{survey.get_absolute_url()}#not-fixed" in mail.body
    html = mail.alternatives[0].content
    assert len(re.findall(r"/feedback/rate/[^/\s\"]+/", html)) == 5
    assert f"{survey.get_absolute_url()}#not-fixed" in html
    # One line in the bell, the message's subject, pointing at the rating.
    bell = Notification.objects.get(recipient=employee)
    assert bell.key == f"survey:{survey.pk}" and bell.url == survey.get_absolute_url()
    assert bell.title["en"] == mail.subject


def test_the_resolved_email_is_in_the_requesters_language(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    employee.language = "de"
    employee.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent)
    [mail] = mailoutbox
    assert "Ausgezeichnet" in mail.body and "Aktuellen Stand ansehen:" in mail.body
    assert "Sagen Sie es uns auf der Seite der Anfrage" in mail.alternatives[0].content


def test_the_person_it_is_for_still_hears_of_the_resolution(
        employee, outsider, agent, mailoutbox, django_capture_on_commit_callbacks):
    ticket = TicketFactory(requester=employee, requested_for=outsider,
                           status=TicketStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent)
    to = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert [address for address, _subject in to] == [
        f"{employee.display_name} <{employee.email}>",
        f"{outsider.display_name} <{outsider.email}>"]
    assert "How did we do?" in to[0][1] and to[1][1] == f"{ticket.number} is now: Resolved"


def test_the_resolved_email_goes_out_once_however_often_its_task_runs(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    from concierge.feedback.tasks import survey_notify

    with django_capture_on_commit_callbacks(execute=True):
        resolve(ticket, agent)
    survey = Survey.objects.get()
    assert survey_notify.call(survey.pk) is False
    assert len(mailoutbox) == 1 and Notification.objects.filter(recipient=employee).count() == 1


def test_a_ticket_reopened_before_the_email_went_out_is_not_announced_as_resolved(
        ticket, agent, employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resolve(ticket, agent)
        ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.IN_PROGRESS)
    for callback in callbacks:  # the worker runs after both changes
        callback()
    assert [m.subject for m in mailoutbox] == [f"{ticket.number} is now: In progress"]


def test_one_survey_per_resolution_and_a_new_one_after_reopening(ticket, agent):
    resolve(ticket, agent)
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.IN_PROGRESS)
    assert not selectors.survey_todo_for(ticket.requester).exists()
    resolve(ticket, agent)
    assert Survey.objects.filter(ticket=ticket).count() == 2
    assert selectors.survey_todo_for(ticket.requester).count() == 1


def test_answering_records_rating_ease_and_comment_once(survey, employee):
    services.survey_answer(survey=survey, actor=employee, rating="4", effort=5,
                           comment=" Quick! ")
    survey.refresh_from_db()
    assert (survey.rating, survey.effort, survey.comment, survey.status) == (
        4, 5, "Quick!", SurveyStatus.ANSWERED)
    assert survey.ticket.activities.filter(action="feedback.survey.answered").exists()
    with pytest.raises(services.FeedbackError, match="already answered"):
        services.survey_answer(survey=survey, actor=employee, rating=1)
    survey.refresh_from_db()
    assert survey.rating == 4


@pytest.mark.parametrize("rating", [0, 6, "x", None, ""])
def test_a_rating_out_of_range_is_refused(survey, employee, rating):
    with pytest.raises(services.FeedbackError, match="from 1 to 5"):
        services.survey_answer(survey=survey, actor=employee, rating=rating)
    assert Survey.objects.get().status == SurveyStatus.PENDING


def test_only_the_requester_answers(survey, outsider, agent):
    for person in (outsider, agent):
        with pytest.raises(services.FeedbackError):
            services.survey_answer(survey=survey, actor=person, rating=5)


def test_a_survey_of_an_earlier_resolution_cannot_be_answered(survey, ticket, agent, employee):
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.IN_PROGRESS)
    with pytest.raises(services.FeedbackError, match="reopened"):
        services.survey_answer(survey=survey, actor=employee, rating=5)


def test_not_fixed_reopens_with_a_note(survey, ticket, employee, mailoutbox, agent,
                                       django_capture_on_commit_callbacks):
    with pytest.raises(services.FeedbackError, match="still not working"):
        services.survey_reopen(survey=survey, actor=employee, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_reopen(survey=survey, actor=employee, note="Still jams on page 2")
    ticket.refresh_from_db()
    survey.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.resolved_at is None
    assert survey.status == SurveyStatus.REOPENED
    assert ticket.comments.get().body == "Not fixed: Still jams on page 2"
    assert ticket.activities.filter(action="feedback.survey.reopened").exists()


def test_not_fixed_after_the_reopen_period_asks_for_a_new_request(survey, ticket, employee,
                                                                 settings):
    settings.FEEDBACK_REOPEN_DAYS = 3
    long_ago = timezone.now() - datetime.timedelta(days=4)
    Survey.objects.filter(pk=survey.pk).update(resolved_at=long_ago)
    ticket.__class__.objects.filter(pk=ticket.pk).update(resolved_at=long_ago)
    survey.refresh_from_db()
    with pytest.raises(services.ReopenTooLate, match="new request"):
        services.survey_reopen(survey=survey, actor=employee, note="Broken again")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert not selectors.survey_todo_for(employee).exists()  # gone from the to-dos too


def test_a_closed_ticket_can_be_rated_but_not_reopened(survey, ticket, agent, employee):
    ticket_change_status(ticket=ticket, actor=agent, status=TicketStatus.CLOSED)
    with pytest.raises(services.ReopenTooLate):
        services.survey_reopen(survey=survey, actor=employee, note="Broken")
    services.survey_answer(survey=survey, actor=employee, rating=3)
    assert Survey.objects.get().rating == 3


# --- pages ------------------------------------------------------------------------------------

def test_the_ticket_page_offers_one_click_rating_to_the_requester_only(
        client, survey, ticket, employee, agent):
    client.force_login(employee)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "How did we do?" in page
    assert page.count('name="rating"') == 5
    client.force_login(agent)
    assert "How did we do?" not in client.get(ticket.get_absolute_url()).content.decode()


def test_one_click_saves_the_rating_then_asks_two_optional_questions(
        employee_client, survey):
    response = employee_client.post(survey.get_absolute_url(), {"rating": "5"}, follow=True)
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 5 and survey.channel == Channel.PORTAL
    page = response.content.decode()
    assert "How easy was it to get this solved?" in page
    response = employee_client.post(reverse("feedback:details", args=[survey.pk]),
                                    {"effort": "4", "comment": "Thanks"}, follow=True)
    survey.refresh_from_db()
    assert (survey.effort, survey.comment) == (4, "Thanks")
    # Once only.
    employee_client.post(reverse("feedback:details", args=[survey.pk]),
                         {"effort": "1", "comment": "changed my mind"})
    survey.refresh_from_db()
    assert (survey.effort, survey.comment) == (4, "Thanks")


def test_the_rating_page_shows_bad_input_in_the_page(employee_client, survey):
    response = employee_client.post(survey.get_absolute_url(), {"rating": "9"})
    assert response.status_code == 422
    assert "Please choose a rating from 1 to 5." in response.content.decode()
    assert Survey.objects.get().status == SurveyStatus.PENDING


def test_someone_elses_survey_is_a_404(client, survey, outsider, agent):
    for person in (outsider, agent):
        client.force_login(person)
        assert client.get(survey.get_absolute_url()).status_code == 404
        assert client.post(survey.get_absolute_url(), {"rating": "1"}).status_code == 404
        assert client.post(reverse("feedback:reopen", args=[survey.pk]),
                           {"note": "x"}).status_code == 404
    assert Survey.objects.get().status == SurveyStatus.PENDING


def test_wrong_methods_are_refused(employee_client, survey):
    assert employee_client.get(reverse("feedback:reopen", args=[survey.pk])).status_code == 405
    assert employee_client.get(reverse("feedback:details", args=[survey.pk])).status_code == 405
    assert employee_client.put(survey.get_absolute_url()).status_code == 405


def test_the_reopen_form_needs_a_note(employee_client, survey, ticket):
    response = employee_client.post(reverse("feedback:reopen", args=[survey.pk]), {"note": ""})
    assert response.status_code == 422
    assert "Please tell us what is still not working." in response.content.decode()
    response = employee_client.post(reverse("feedback:reopen", args=[survey.pk]),
                                    {"note": "Still broken"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_the_email_link_asks_before_it_saves_and_works_once(client, survey):
    url = reverse("feedback:email", args=[services.survey_token(survey, 2)])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="2" required id="id_rating_1" checked' in page.content.decode() or \
        'checked' in page.content.decode()
    assert Survey.objects.get().status == SurveyStatus.PENDING
    response = client.post(url, {"rating": "2", "effort": "3", "comment": "Slow"})
    assert "Thank you for your rating!" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.effort, survey.channel) == (2, 3, Channel.EMAIL)
    again = client.post(url, {"rating": "5"})
    assert "already answered" in again.content.decode()
    survey.refresh_from_db()
    assert survey.rating == 2


def test_forged_or_expired_rating_links_change_nothing(client, settings, survey):
    token = services.survey_token(survey, 5)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post(reverse("feedback:email", args=[forged]),
                       {"rating": "5"}).status_code == 400
    settings.FEEDBACK_LINK_MAX_AGE = -1
    assert client.post(reverse("feedback:email", args=[token]),
                       {"rating": "5"}).status_code == 400
    assert Survey.objects.get().status == SurveyStatus.PENDING


def test_ratings_appear_in_the_todos_and_the_count(employee_client, survey):
    home = employee_client.get(reverse("portal:home")).content.decode()
    assert "Tell us how it went" in home
    todos = employee_client.get(reverse("approvals:list")).content.decode()
    assert "Tell us how it went" in todos
    assert re.search(r'<span class="count">1</span>', todos)
    services.survey_answer(survey=survey, actor=survey.requester, rating=4)
    assert "Tell us how it went" not in employee_client.get(reverse("portal:home")).content \
        .decode()


def test_the_todos_keep_a_constant_number_of_queries(employee_client, employee, agent,
                                                     django_assert_max_num_queries):
    def add():
        resolve(TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS), agent)

    add()
    employee_client.get(reverse("approvals:list"))
    with django_assert_max_num_queries(30) as first:
        employee_client.get(reverse("approvals:list"))
    for _ in range(4):
        add()
    with django_assert_max_num_queries(len(first.captured_queries)):
        employee_client.get(reverse("approvals:list"))


# --- results ----------------------------------------------------------------------------------

@pytest.fixture
def results(org, employee, agent):
    group = Group.objects.create(name="Service desk")
    other_agent = UserFactory(organisation=org, display_name="Bea Agent", roles=[Role.AGENT])
    rows = [(agent, group, 5, 5, SurveyStatus.ANSWERED), (agent, group, 2, 3,
                                                          SurveyStatus.ANSWERED),
            (agent, group, None, None, SurveyStatus.REOPENED),
            (other_agent, None, 4, None, SurveyStatus.ANSWERED),
            (other_agent, None, None, None, SurveyStatus.PENDING)]
    for person, team, rating, effort, status in rows:
        Survey.objects.create(ticket=TicketFactory(requester=employee), requester=employee,
                              resolved_at=timezone.now(), agent=person, group=team,
                              rating=rating, effort=effort, status=status,
                              answered_at=timezone.now())
    return group, other_agent


def test_results_per_agent_and_group(results, agent):
    group, _other = results
    mine = selectors.feedback_summary(agent=agent)
    assert mine["asked"] == 3 and mine["rated"] == 2 and mine["reopened"] == 1
    assert mine["rating_avg"] == 3.5 and mine["effort_avg"] == 4 and mine["csat"] == 50
    assert mine["response_rate"] == 100
    by_group = {row["group_name"]: row for row in selectors.feedback_by_group()}
    assert by_group["Service desk"]["asked"] == 3
    assert by_group[None]["asked"] == 2 and by_group[None]["response_rate"] == 50
    by_agent = {row["agent_name"]: row for row in selectors.feedback_by_agent()}
    assert by_agent["Bea Agent"]["csat"] == 100
    assert selectors.feedback_summary(group_ids=[group.pk])["asked"] == 3


def test_agents_see_their_own_results_and_nobody_else_does(client, results, agent, employee):
    client.force_login(agent)
    page = client.get(reverse("feedback:mine"))
    assert page.status_code == 200
    assert "3.5" in page.content.decode()
    client.force_login(employee)
    assert client.get(reverse("feedback:mine")).status_code == 404


def test_only_admins_see_the_results_per_group(client, results, agent, admin_user):
    client.force_login(agent)
    assert client.get(reverse("feedback:groups")).status_code == 404
    client.force_login(admin_user)
    page = client.get(reverse("feedback:groups")).content.decode()
    assert "Service desk" in page and "Bea Agent" in page


def test_the_survey_keeps_who_resolved_it_even_after_reassignment(employee, agent, outsider):
    group = Group.objects.create(name="Printers")
    ticket = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS, assignee=agent,
                           group=group)
    resolve(ticket, agent)
    ticket.__class__.objects.filter(pk=ticket.pk).update(assignee=outsider, group=None)
    survey = Survey.objects.get()
    assert (survey.agent, survey.group) == (agent, group)


def test_the_demo_rates_closed_tickets_once(employee, agent):
    from concierge.feedback.demo import load_feedback

    closed = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    resolve(closed, agent)
    ticket_change_status(ticket=closed, actor=agent, status=TicketStatus.CLOSED)
    open_one = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
    resolve(open_one, agent)
    assert load_feedback(agent_email=agent.email) == 1
    assert load_feedback(agent_email=agent.email) == 0
    assert Survey.objects.get(ticket=closed).rating == 5
    assert Survey.objects.get(ticket=open_one).status == SurveyStatus.PENDING


def test_results_are_for_a_period(client, results, agent):
    Survey.objects.filter(rating=2).update(resolved_at=timezone.now() - datetime.timedelta(
        days=100))
    client.force_login(agent)
    recent = client.get(reverse("feedback:mine"))  # 90 days by default
    assert recent.context["summary"]["rating_avg"] == 5
    everything = client.get(reverse("feedback:mine"), {"days": "all"})
    assert everything.context["summary"]["rating_avg"] == 3.5
    assert client.get(reverse("feedback:mine"), {"days": "x"}).status_code == 200


def test_the_header_counts_decisions_tasks_and_ratings_in_one_query(
        employee, survey, django_assert_num_queries):
    from concierge.portal.selectors import todo_count_for

    with django_assert_num_queries(1):
        assert todo_count_for(employee) == 1
