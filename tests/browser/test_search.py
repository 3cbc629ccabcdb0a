"""The one search box and the suggestions beside a request form, in a real browser.

Anna types into the header's search box: grouped results appear as she types, the arrow keys
move through them (ARIA combobox: aria-activedescendant, aria-selected), Escape closes them,
Enter opens the chosen one, and Enter without a choice opens the full results page. In the
"Something is broken" form, matching help appears beside (desktop) or below (phone) the short
description. Screenshots at 1280 and 390 px go to /tmp/shots/.
"""

import re

import pytest
from playwright.sync_api import expect

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

pytestmark = pytest.mark.browser

PHONE_390 = Viewport("phone390", 390, 844, mobile=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_search_box_with_the_keyboard(new_page, console, viewport):
    page = new_page(viewport)
    sign_in(page, EMPLOYEE)
    box = page.locator("#header-q")
    popup = page.locator("#header-q-results")
    box.click()
    box.press_sequentially("passwort vergesen", delay=30)
    expect(popup).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(popup.locator("[role=option]").first).to_be_visible()
    expect(popup.locator("mark").first).to_be_visible()
    shot(page, "search-dropdown", viewport)
    if violations := axe_violations(page):
        pytest.fail(format_violations(violations))

    options = popup.locator("[role=option]")
    box.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    box.press("Escape")
    expect(popup).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")  # opens again on the first result
    expect(popup).to_be_visible()
    target = options.nth(0).get_attribute("href")
    box.press("Enter")
    page.wait_for_url(lambda url: "/search/go/" not in url and "/search/" not in url)
    assert target.startswith("/search/go/")

    box = page.locator("#header-q")
    box.fill("")
    box.press_sequentially("vpn", delay=30)
    expect(page.locator("#header-q-results")).to_be_visible()
    box.press("Enter")  # nothing chosen: the full results page
    page.wait_for_url(re.compile(r"/search/\?q=vpn(&|$)"))
    expect(page.locator(".search-hit").first).to_be_visible()
    assert_no_horizontal_overflow(page, "results")
    shot(page, "search-results", viewport)
    if violations := axe_violations(page):
        pytest.fail(format_violations(violations))
    console.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_help_appears_beside_the_request_form(new_page, console, viewport):
    page = new_page(viewport)
    sign_in(page, EMPLOYEE)
    page.goto("/requests/new/something-broken/?describe=Laptop+startet+nicht")
    panel = page.locator("#deflect")
    expect(panel.locator(".deflect__link").first).to_be_visible()
    assert_no_horizontal_overflow(page, "form")
    shot(page, "search-deflection", viewport)
    if violations := axe_violations(page):
        pytest.fail(format_violations(violations))
    console.assert_clean()


def test_results_page_without_javascript(new_page):
    page = new_page(DESKTOP, js=False)
    sign_in(page, EMPLOYEE)
    page.locator("#header-q").fill("drucker")
    page.locator("#header-q").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=drucker(&|$)"))
    expect(page.locator(".search-hit").first).to_be_visible()
    page.locator(".search-facet__option").first.click()
    expect(page.locator(".search-facet__option.is-selected")).to_have_count(1)


def test_knowledge_manager_sees_search_analytics(new_page, console):
    page = new_page(DESKTOP)
    sign_in(page, EMPLOYEE)
    for text in ("drucker", "fax gerät kaputt", "vpn"):
        page.goto(f"/search/?q={text}")
    page.context.clear_cookies()
    sign_in(page, "katrin.braun@alpenblick.example")
    page.goto("/search/analytics/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".search-table").first).to_be_visible()
    shot(page, "search-analytics", DESKTOP)
    if violations := axe_violations(page):
        pytest.fail(format_violations(violations))
    console.assert_clean()
