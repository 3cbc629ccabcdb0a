"""The agents' desk in a real browser: a ticket worked with the keyboard only, the pages at
desktop and phone width (screenshots, axe, no sideways scrolling)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    AGENT,
    DESKTOP,
    Viewport,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    shot,
    sign_in,
    wait_until_settled,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_in_english")]
PHONE_390 = Viewport("phone390", 390, 844, mobile=True)
TITLE = "Cannot open the finance share"


def test_agent_works_a_ticket_with_the_keyboard_only(new_page, console):
    from concierge.tickets.models import Ticket

    page = new_page(DESKTOP)
    sign_in(page, AGENT)
    page.goto(f"/desk/?queue=unassigned&q={TITLE}")
    expect(page.locator("[data-ticket-row]")).to_have_count(1)

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    expect(page.locator("[data-ticket-row].is-selected")).to_have_count(1)
    page.keyboard.press("o")
    page.wait_for_url("**/desk/tickets/INC-*/")
    expect(page.locator("h1")).to_have_text(TITLE)

    page.keyboard.press("a")  # claim
    expect(page.locator(".messages")).to_contain_text("Assigned to Sofia Agent")

    page.keyboard.press("n")  # internal note
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.type("Share permissions were reset by the nightly job.")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("internal note was added")

    page.keyboard.press("r")  # public reply
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.type("Fixed: you can open the share again.")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("reply was sent")

    page.keyboard.press("s")  # status
    expect(page.locator("#status-select")).to_be_focused()
    page.keyboard.press("ArrowDown")  # waiting for the requester -> resolved
    expect(page.locator("#status-select")).to_have_value("resolved")
    page.keyboard.press("Tab")
    expect(page.locator("#status-button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status-select")).to_have_count(1)
    expect(page.locator(".messages .alert--success")).to_be_visible()
    expect(page.locator("#status-select option")).to_have_count(2)  # resolved: closed, reopen

    ticket = Ticket.objects.get(title=TITLE)
    assert ticket.status == "resolved" and ticket.assignee.email == AGENT
    comments = list(ticket.comments.order_by("pk").values_list("is_public", flat=True))
    assert comments == [False, True]
    assert ticket.first_response_at is not None
    console.assert_clean()


def test_shortcuts_never_fire_while_typing(new_page):
    page = new_page(DESKTOP)
    sign_in(page, AGENT)
    page.goto("/desk/?queue=all")
    page.keyboard.press("/")
    expect(page.locator("#desk-q")).to_be_focused()
    page.keyboard.type("jjo?")
    expect(page.locator("#desk-q")).to_have_value("jjo?")
    expect(page.locator("#shortcuts")).to_be_hidden()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_desk_pages_look_right_and_are_accessible(new_page, viewport, console):
    page = new_page(viewport)
    sign_in(page, AGENT)
    found = {}
    for name, path in [("desk-list", "/desk/?queue=all"), ("desk-mine", "/desk/")]:
        page.goto(path)
        wait_until_settled(page)
        assert_no_horizontal_overflow(page, f"{name} at {viewport.name}")
        shot(page, name, viewport)
        if violations := axe_violations(page):
            found[name] = violations
    page.goto("/desk/?queue=all")
    page.locator("[data-ticket-row] a", has_text=TITLE).click()
    page.wait_for_url("**/desk/tickets/INC-*/")
    wait_until_settled(page)
    page.get_by_role("link", name="Show who did what, and when").click()
    page.locator("#desk-history li").first.wait_for()
    wait_until_settled(page)
    assert_no_horizontal_overflow(page, f"ticket at {viewport.name}")
    shot(page, "desk-ticket", viewport)
    if violations := axe_violations(page):
        found["desk-ticket"] = violations
    page.keyboard.press("?") if not viewport.mobile else None
    assert not found, "\n".join(f"== {k}\n{format_violations(v)}" for k, v in found.items())
    console.assert_clean()


def test_new_tickets_appear_without_a_reload(new_page):
    from concierge.accounts.models import User
    from concierge.tickets.models import Ticket

    page = new_page(DESKTOP)
    sign_in(page, AGENT)
    page.goto("/desk/?queue=all")
    expect(page.locator("#desk-results")).to_be_visible()
    requester = User.objects.get(email="anna.schmidt@alpenblick.example")
    Ticket.objects.create(kind="incident", title="Brand-new outage", requester=requester,
                          requested_for=requester, organisation=requester.organisation)
    # What the 20-second timer does while the tab is visible.
    page.evaluate("() => htmx.trigger(document.querySelector('[data-desk-poll]'), 'desk:poll')")
    expect(page.locator("[data-ticket-row]", has_text="Brand-new outage")).to_have_count(1)
    assert page.url.endswith("/desk/?queue=all")
