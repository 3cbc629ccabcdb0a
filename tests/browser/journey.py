"""The webcam journey, shared by the journey, accessibility and no-JavaScript tests.

Anna (demo employee, German profile) signs in, finds the webcam through the catalog search,
chooses the Pro model (with htmx "why?" appears at once, without JavaScript after "Continue"),
answers, goes back a step, checks and sends. ``visit(name)`` is called on every page so a test
can look at it (screenshots, axe, ...). Selectors avoid interface wording where they can, so
translations do not break them; expected texts come from the catalog and the models.
"""

import re
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlparse

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from concierge.catalog.models import CatalogItem
from concierge.core.i18n import localize
from concierge.core.templatetags.concierge import money
from concierge.tickets.choices import TicketStatus
from tests.browser.helpers import (
    AGENT,
    EMPLOYEE,
    MANAGER,
    TICKET_NUMBER,
    sign_in,
    wait_until_settled,
)

REASON = "I run the onboarding training for new colleagues twice a week."
LANGUAGE = "de"  # Anna's profile language: catalog texts are shown in German
ITEM_URL = "/services/webcam/"


def webcam_texts() -> dict:
    """What the review must show, in Anna's language, taken from the catalog itself."""
    item = CatalogItem.objects.get(slug="webcam")
    questions = {q["key"]: q for step in item.form["steps"] for q in step["questions"]}
    pro = next(c for c in questions["model"]["choices"] if c["value"] == "pro")
    # The Pro model may add to the item's price (``price_once`` on the choice).
    price = Decimal(item.price_once) + Decimal(str(pro.get("price_once", 0)))
    with translation.override(LANGUAGE):
        return {"pro": localize(pro["label"]), "price": money(price),
                "reason_label": localize(questions["reason"]["label"])}


def status_label(status: str) -> str:
    with translation.override(LANGUAGE):
        return str(TicketStatus(status).label)


def noop(name: str) -> None:
    pass


def continue_button(page):
    return page.locator("button[name=action][value=next]")


def search_catalog(page, *, js: bool = True):
    """On the services page: type "Webcam" (htmx filters while typing; without JS, Enter)."""
    search = page.locator("#catalog-q")
    search.fill("Webcam")
    if not js:
        search.press("Enter")
    expect(page.locator("#results .category-block")).to_have_count(0)  # results, not overview
    expect(page).to_have_url(re.compile(r"[?&]q=Webcam"))
    card = page.locator(f"#results a.service-card[href='{ITEM_URL}']")
    expect(card).to_be_visible()
    return card


def request_webcam(page, visit: Callable[[str], None] = noop, *, js: bool = True) -> str:
    """From signing in to the sent request; returns the ticket page's path."""
    texts = webcam_texts()
    sign_in(page, EMPLOYEE)
    visit("home")

    # The "Services" link of whichever navigation shows (header, or the phone's tab bar).
    page.locator(f"a[href='{reverse('catalog:index')}']:visible").first.click()
    page.wait_for_url(re.compile(r"/services/$"))
    visit("catalog")
    card = search_catalog(page, js=js)
    visit("catalog-search")
    card.click()

    page.wait_for_url(re.compile(re.escape(ITEM_URL) + "$"))
    expect(page.locator("h1")).to_have_text("Webcam")
    visit("item")
    page.locator(f"main a[href='{reverse('tickets:wizard-start', args=['webcam'])}']").click()

    # Step 1: for whom, which model, and (for Pro only) why.
    page.wait_for_url(re.compile(r"/step/details/$"))
    reason = page.locator("textarea[name=reason]")
    expect(page.locator("input[name=model][value=standard]")).to_be_checked()
    expect(reason).to_have_count(0)
    visit("step-details")
    if js:
        page.evaluate("() => { window.stillTheSamePage = true; }")
    page.locator("label", has=page.locator("input[name=model][value=pro]")).click()
    if js:
        expect(reason).to_be_visible()  # htmx redrew the step's questions...
        wait_until_settled(page)
        assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
    else:
        expect(reason).to_have_count(0)
        continue_button(page).click()  # ...without JavaScript the server asks on this page
        page.wait_for_url(re.compile(r"/step/details/$"))
        expect(reason).to_be_visible()
        expect(page.locator("input[name=model][value=pro]")).to_be_checked()
        # Not an error: the person could not have answered a question they never saw.
        expect(page.locator("#field-reason")).not_to_have_class(re.compile(r"has-error"))
    reason.fill(REASON)
    visit("step-details-pro")
    continue_button(page).click()

    # Step 2: delivery, prefilled from the profile.
    page.wait_for_url(re.compile(r"/step/delivery/$"))
    expect(page.locator("textarea[name=delivery_address]")).not_to_have_value("")
    visit("step-delivery")

    # Back one step: the answers are still there.
    page.locator("button[name=action][value=back]").click()
    page.wait_for_url(re.compile(r"/step/details/$"))
    expect(page.locator("input[name=model][value=pro]")).to_be_checked()
    expect(reason).to_have_value(REASON)
    continue_button(page).click()
    page.wait_for_url(re.compile(r"/step/delivery/$"))
    continue_button(page).click()

    # Review: the answers and the price.
    page.wait_for_url(re.compile(r"/review/$"))
    review = page.locator("main .card").first
    for text in (texts["pro"], texts["reason_label"], REASON, texts["price"]):
        expect(review).to_contain_text(text)
    visit("review")
    page.locator(f"form[action='{reverse('tickets:wizard-review', args=['webcam'])}'] "
                 "button[type=submit]").click()

    # The request's page: its number and the status timeline.
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    return check_sent_request(page, visit)


def check_sent_request(page, visit: Callable[[str], None] = noop) -> str:
    """On the new request's page: number, timeline at "Waiting for approval" (the Pro model
    needs the manager's yes), the answers and the price; then it is listed in "My requests"."""
    texts = webcam_texts()
    number = page.locator(".page-head .number")
    for text in (texts["pro"], REASON):
        expect(page.locator("main dl.answers")).to_contain_text(text)
    expect(page.locator("main .side-facts")).to_contain_text(texts["price"])
    expect(number).to_contain_text(TICKET_NUMBER)
    # Submitted, waiting for approval, in progress, resolved, closed.
    expect(page.locator("ol.timeline li")).to_have_count(5)
    current = page.locator("ol.timeline li[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(status_label(TicketStatus.WAITING_APPROVAL))
    visit("request")
    ticket_path = urlparse(page.url).path
    ticket_number = TICKET_NUMBER.search(number.inner_text()).group()

    page.goto(reverse("tickets:list"))
    expect(page.locator(f"main .ticket-row a[href='{ticket_path}']")).to_be_visible()
    expect(page.locator("main .ticket-list").last).to_contain_text(ticket_number)
    visit("my-requests")
    return ticket_path


def ticket_number(page, ticket_path: str) -> str:
    page.goto(ticket_path)
    return TICKET_NUMBER.search(page.locator(".page-head .number").inner_text()).group()


def manager_approves(page, ticket_number: str, visit: Callable[[str], None] = noop) -> None:
    """The manager finds the request under To-dos, opens it and approves it."""
    sign_in(page, MANAGER)
    page.goto(reverse("approvals:list"))
    row = page.locator("main .ticket-row", has_text=ticket_number)
    visit("approvals")
    row.locator("a.ticket-row__title").click()
    page.wait_for_url(re.compile(r"/approvals/\d+/$"))
    visit("approval")
    page.locator("button[name=decision][value=approved]").click()
    page.wait_for_url(re.compile(r"/approvals/$"))
    expect(page.locator("main .ticket-row", has_text=ticket_number)).to_have_count(0)


def agent_moves(page, ticket_path: str, statuses: list[str]) -> None:
    """The agent changes the status through the ticket page's "For the IT team" form."""
    sign_in(page, AGENT)
    page.goto(ticket_path)
    for status in statuses:
        form = page.locator(f"form[action='{ticket_path}status/']")
        form.locator("select[name=status]").select_option(status)
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(re.escape(ticket_path) + "$"))
        expect(page.locator(".page-head .badge")).to_have_text(status_label(status))
