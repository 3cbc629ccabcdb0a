"""The webcam journey end to end with JavaScript, at desktop and at phone width.

Anna orders a Pro webcam (see journey.py), the agent moves the request to "In progress" and
"Resolved", Anna sees the new status. Every page is screenshotted to /tmp/shots/, must not
scroll sideways, and no page may log a console error (CSP violations show up there) or load
anything that fails.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, assert_no_horizontal_overflow, shot
from tests.browser.journey import (
    agent_moves,
    manager_approves,
    request_webcam,
    status_label,
    ticket_number,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_webcam_journey(new_page, console, viewport):
    page = new_page(viewport)

    def visit(name, on=page):
        shot(on, name, viewport)
        assert_no_horizontal_overflow(on, name)

    page.goto("/accounts/login/")
    visit("sign-in")
    ticket_path = request_webcam(page, visit)

    # Her manager approves it from "To-dos"; the agent then works the request.
    manager = new_page(viewport)
    manager_approves(manager, ticket_number(page, ticket_path), lambda name: visit(name, manager))
    agent = new_page(viewport)
    agent_moves(agent, ticket_path, ["resolved"])
    visit("request-agent", agent)

    # Anna sees where it stands.
    page.goto(ticket_path)
    resolved = status_label("resolved")
    expect(page.locator(".page-head .badge")).to_have_text(resolved)
    expect(page.locator("ol.timeline li[aria-current=step]")).to_contain_text(resolved)
    expect(page.locator("ol.timeline li.is-done")).to_have_count(3)
    visit("request-resolved")

    console.assert_clean()
