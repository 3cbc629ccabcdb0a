"""The webcam request with the keyboard only: Tab, Shift+Tab, Enter, Space, arrows and typing.

No clicks: after the first page load every step is a key press. Each control reached must
show a visible focus indicator.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, EMPLOYEE, PASSWORD, is_home
from tests.browser.journey import REASON, check_sent_request, webcam_texts

pytestmark = pytest.mark.browser

FOCUS_STYLE = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
}"""


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``, as a person would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_STYLE), f"{selector} has no visible focus on {page.url}"
            return
    focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{key} x{limit} never reached {selector} on {page.url}; "
                         f"focus is on {focused}")


def test_webcam_request_with_keyboard_only(new_page, console):
    page = new_page(DESKTOP)
    texts = webcam_texts()
    page.goto("/accounts/login/")

    tab_to(page, "input[name=login]")
    page.keyboard.type(EMPLOYEE)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(is_home)

    # The first Tab on a page reaches "Skip to content".
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    # The header search box: Enter without choosing a suggestion opens the results page.
    tab_to(page, "#header-q")
    page.keyboard.type("Webcam")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=Webcam"))
    tab_to(page, "a.search-hit__title[href*='/item/webcam/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/services/webcam/$"))
    tab_to(page, "main a[href='/requests/new/webcam/']")
    page.keyboard.press("Enter")

    # Step 1: Tab reaches the radio groups; an arrow key picks Pro and htmx adds the question.
    page.wait_for_url(re.compile(r"/step/details/$"))
    tab_to(page, "input[name=model]:checked")
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=model][value=pro]")).to_be_checked()
    expect(page.locator("textarea[name=reason]")).to_be_visible()
    # The redrawn questions keep the focus where it was.
    expect(page.locator("input[name=model][value=pro]")).to_be_focused()
    tab_to(page, "textarea[name=reason]")
    page.keyboard.type(REASON)
    tab_to(page, "button[name=action][value=next]")
    page.keyboard.press("Enter")

    # Step 2, then back with Space on "Back" (reached with Shift+Tab from "Save for later").
    page.wait_for_url(re.compile(r"/step/delivery/$"))
    tab_to(page, "button[name=action][value=save]")
    tab_to(page, "button[name=action][value=back]", backwards=True)
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/step/details/$"))
    expect(page.locator("textarea[name=reason]")).to_have_value(REASON)
    tab_to(page, "button[name=action][value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/step/delivery/$"))
    tab_to(page, "button[name=action][value=next]")
    page.keyboard.press("Enter")

    # Check and send.
    page.wait_for_url(re.compile(r"/review/$"))
    expect(page.locator("main")).to_contain_text(texts["pro"])
    tab_to(page, "form[action$='/review/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    check_sent_request(page)
    console.assert_clean()
