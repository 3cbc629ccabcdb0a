"""The webcam journey, shared by the journey, accessibility and console tests.

Anna (demo employee, German profile) signs in, finds the webcam through the catalog search,
chooses the Pro model (htmx shows "why?" at once), answers, goes back a step, checks and sends.
``visit(name)`` is called on every page of the journey so a test can look at it (screenshots,
axe, ...). Selectors avoid interface wording where they can, so translations do not break them.
"""

import re
from urllib.parse import urlparse
from collections.abc import Callable

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from concierge.catalog.models import CatalogItem
from concierge.core.i18n import localize
from concierge.tickets.choices import TicketStatus
from tests.browser.helpers import AGENT, EMPLOYEE, TICKET_NUMBER, sign_in

REASON = "I run the onboarding training for new colleagues twice a week."
LANGUAGE = "de"  # Anna's profile language: catalog texts are shown in German


def webcam_texts() -> dict:
    """What the review must show, in Anna's language, from the catalog itself."""
    item = CatalogItem.objects.get(slug="webcam")
    questions = {q["key"]: q for step in item.form["steps"] for q in step["questions"]}
    pro = next(c for c in questions["model"]["choices"] if c["value"] == "pro")
    with translation.override(LANGUAGE):
        from concierge.core.templatetags.concierge import money

        return {"pro": localize(pro["label"]), "price": money(item.price_once),
                "reason_label": localize(questions["reason"]["label"])}


def status_label(status: str) -> str:
    with translation.override(LANGUAGE):
        return str(TicketStatus(status).label)


def noop(name: str) -> None:
    pass


def open_services(page) -> None:
    """The "Services" link in whichever navigation is visible (header or phone tab bar)."""
    page.locator(f"a[href='{reverse('catalog:index')}']:visible").first.click()
    page.wait_for_url(re.compile(r"/services/$"))


def request_webcam(page, visit: Callable[[str], None] = noop, *, js: bool = True) -> str:
    """From signing in to the sent request; returns the ticket page's path."""
    texts = webcam_texts()
    sign_in(page, EMPLOYEE)
    visit("home")

    open_services(page)
    visit("catalog")
    search = page.locator("#catalog-q")
    search.fill("Webcam")
    if not js:
        search.press("Enter")
    # With htmx the results replace the category overview while one types.
    expect(page.locator("#results .category-block")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]q=Webcam"))
    card = page.locator(f"#results a.service-card[href='{reverse('catalog:item', args=['webcam'])}']")
    expect(card).to_be_visible()
    visit("catalog-search")
    card.click()

    page.wait_for_url(re.compile(r"/services/webcam/$"))
    expect(page.locator("h1")).to_have_text("Webcam")
    visit("item")
    page.locator(f"main a[href='{reverse('tickets:wizard-start', args=['webcam'])}']").click()

    # Step 1: for whom, which model, and (for Pro) why.
    page.wait_for_url(re.compile(r"/step/details/$"))
    reason = page.locator("textarea[name=reason]")
    expect(page.locator("input[name=model][value=standard]")).to_be_checked()
    expect(reason).to_have_count(0)
    visit("step-details")
    page.locator("label", has=page.locator("input[name=model][value=pro]")).click()
    expect(reason).to_be_visible()  # no reload: htmx redrew the step's questions
    expect(page).to_have_url(re.compile(r"/step/details/$"))
    reason.fill(REASON)
    visit("step-details-pro")
    continue_button(page).click()

    # Step 2: delivery, prefilled from the profile.
    page.wait_for_url(re.compile(r"/step/delivery/$"))
    address = page.locator("textarea[name=delivery_address]")
    expect(address).not_to_have_value("")
    visit("step-delivery")

    # Back one step: the answers are still there.
    page.locator("button[name=action][value=back]").click()
    page.wait_for_url(re.compile(r"/step/details/$"))
    expect(page.locator("input[name=model][value=pro]")).to_be_checked()
    expect(page.locator("textarea[name=reason]")).to_have_value(REASON)
    continue_button(page).click()
    page.wait_for_url(re.compile(r"/step/delivery/$"))
    continue_button(page).click()

    # Review: the answers and the price.
    page.wait_for_url(re.compile(r"/review/$"))
    answers = page.locator("main .card").first
    expect(answers).to_contain_text(texts["pro"])
    expect(answers).to_contain_text(texts["reason_label"])
    expect(answers).to_contain_text(REASON)
    expect(answers).to_contain_text(texts["price"])
    visit("review")
    page.locator(f"form[action='{reverse('tickets:wizard-review', args=['webcam'])}'] "
                 "button[type=submit]").click()

    # The request's page: number and timeline.
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    number = page.locator(".page-head .number")
    expect(number).to_contain_text(TICKET_NUMBER)
    expect(page.locator("ol.timeline li[aria-current=step]")).to_have_count(1)
    expect(page.locator("ol.timeline li[aria-current=step]")).to_contain_text(
        status_label(TicketStatus.SUBMITTED))
    visit("request")
    ticket_path = urlparse(page.url).path
    ticket_number = TICKET_NUMBER.search(number.inner_text()).group()

    page.goto(reverse("tickets:list"))
    expect(page.locator("main .ticket-list").first).to_contain_text(ticket_number)
    visit("my-requests")
    return ticket_path


def continue_button(page):
    return page.locator("button[name=action][value=next]")


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
