"""The requester's verdict in a real browser: one click from the start page, the optional
questions after it, the e-mail link's confirmation page; and the API docs under our CSP.
Screenshots at 1280 and 390 px go to CONCIERGE_SHOTS_DIR."""

import pytest

from tests.browser.helpers import (
    DESKTOP,
    EMPLOYEE,
    Viewport,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_in_english")]
PHONE_390 = Viewport("phone390", 390, 844, mobile=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_rating_from_the_start_page_then_the_optional_questions(new_page, viewport, console):
    from concierge.feedback.models import Survey

    page = new_page(viewport)
    sign_in(page, EMPLOYEE)
    card = page.locator(".rate-card").first
    card.wait_for()
    shot(page, "feedback-home", viewport)
    assert not axe_violations(page), format_violations(axe_violations(page))
    card.get_by_role("button", name="4 Good").click()
    page.get_by_text("Thank you for your rating!").wait_for()
    assert_no_horizontal_overflow(page, "rating page")
    assert not axe_violations(page), format_violations(axe_violations(page))
    shot(page, "feedback-rating-page", viewport)
    page.locator("label", has_text="Very easy").click()
    page.get_by_label("Anything you would like to tell us?").fill("Fast, thank you.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you, that helps us get better.").wait_for()
    survey = Survey.objects.filter(requester__email=EMPLOYEE, rating=4).get()
    assert (survey.effort, survey.comment) == (5, "Fast, thank you.")
    console.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_the_email_link_confirms_before_it_saves(new_page, viewport, console):
    from django.urls import reverse

    from concierge.feedback.models import Survey
    from concierge.feedback.services import survey_token

    survey = Survey.objects.filter(requester__email=EMPLOYEE, status="pending").first()
    page = new_page(viewport)  # not signed in, like someone clicking in their mail client
    page.goto(reverse("feedback:email", args=[survey_token(survey, 2)]))
    page.get_by_role("heading", name=survey.ticket.title).wait_for()
    assert page.locator("input[name=rating][value='2']").is_checked()
    assert_no_horizontal_overflow(page, "e-mail confirmation")
    assert not axe_violations(page), format_violations(axe_violations(page))
    shot(page, "feedback-email-confirm", viewport)
    survey.refresh_from_db()
    assert survey.status == "pending"
    page.locator("label", has_text="Easy").first.click()
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_text("Thank you for your rating!").wait_for()
    shot(page, "feedback-email-done", viewport)
    survey.refresh_from_db()
    assert (survey.rating, survey.channel) == (2, "email")
    console.assert_clean()


def test_the_api_docs_load_from_our_own_files(new_page, console):
    page = new_page(DESKTOP)
    sign_in(page, EMPLOYEE)
    page.goto("/api/docs/")
    page.get_by_text("/api/v1/tickets/", exact=True).first.wait_for()
    shot(page, "api-docs", DESKTOP)
    console.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_an_agent_sees_their_results_from_the_desk(new_page, viewport, console):
    from tests.browser.helpers import AGENT

    page = new_page(viewport)
    sign_in(page, AGENT)
    page.goto("/desk/")
    page.get_by_role("link", name="My results").click()
    page.get_by_role("heading", name="My results").wait_for()
    assert page.locator(".stat-grid dd").first.inner_text().startswith("5")
    assert_no_horizontal_overflow(page, "my results")
    assert not axe_violations(page), format_violations(axe_violations(page))
    shot(page, "feedback-my-results", viewport)
    console.assert_clean()
