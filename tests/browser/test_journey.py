"""The webcam journey end to end, at desktop and phone width, with JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, assert_no_horizontal_overflow, shot, sign_in
from tests.browser.journey import EMPLOYEE, agent_moves, request_webcam, status_label

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_webcam_journey(new_page, console, viewport):
    page = new_page(viewport)

    def visit(name):
        shot(page, name, viewport)
        assert_no_horizontal_overflow(page, name)

    page.goto("/accounts/login/")
    visit("sign-in")
    ticket_path = request_webcam(page, visit)

    agent = new_page(viewport)
    agent_moves(agent, ticket_path, ["in_progress", "resolved"])
    shot(agent, "request-agent", viewport)

    page.goto(ticket_path)
    expect(page.locator(".page-head .badge")).to_have_text(status_label("resolved"))
    expect(page.locator("ol.timeline li[aria-current=step]")).to_contain_text(
        status_label("resolved"))
    visit("request-resolved")
    console.assert_clean()
