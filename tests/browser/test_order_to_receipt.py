"""From order to receipt: the ultralight laptop, with two approvals and the fulfilment plan.

Anna orders the laptop at her desk; Markus (her manager) approves on his phone from the link in
the approval e-mail, without signing in; Claudia (cost-centre owner, the price is above 1000)
approves under "To-dos"; Sofia (IT) works the queue: she orders the device, the supplier e-mail
goes out by itself, she sets the laptop up; Anna, on her phone, picks a handover time and
confirms she has it. The request's page shows where it stands after every step. Every page is
screenshotted to /tmp/shots/ (``order-*``), phone pages must not scroll sideways, and no page may
log a console error or load anything that fails.
"""

import re
import time
from urllib.parse import urlparse

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from playwright.sync_api import expect

from concierge.approvals.choices import Channel, Decision
from concierge.approvals.models import Vote
from concierge.approvals.services import TOKEN_SALT
from concierge.catalog.models import CatalogItem
from concierge.core.i18n import localize
from concierge.fulfilment.choices import TaskStatus
from concierge.fulfilment.models import Slot
from concierge.fulfilment.plan import parse_plan
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Ticket
from tests.browser.helpers import (
    AGENT,
    DESKTOP,
    EMPLOYEE,
    MANAGER,
    PHONE,
    TICKET_NUMBER,
    assert_no_horizontal_overflow,
    shot,
    sign_in,
    wait_until_settled,
)

pytestmark = pytest.mark.browser

OWNER = "claudia.koch@alpenblick.example"  # owns Anna's cost centre: approves above 1000
SUPPLIER = "orders@supplier.example"
SLUG = "laptop-ultralight"
DECIDE_LINK = re.compile(r"/approvals/decide/[^/\s]+/")


# --- small helpers ----------------------------------------------------------------------------

def visit(page, name: str, viewport) -> None:
    """Screenshot; at phone width the page must not scroll sideways."""
    wait_until_settled(page)
    shot(page, f"order-{name}", viewport)
    if viewport is PHONE:
        assert_no_horizontal_overflow(page, name)


def language(page) -> str:
    return page.locator("html").get_attribute("lang") or "en"


def status_label(page, status: str) -> str:
    with translation.override(language(page)):
        return str(TicketStatus(status).label)


def task_title(page, key: str) -> str:
    """A fulfilment task's title from the catalog, in the page's language."""
    item = CatalogItem.objects.get(slug=SLUG)
    title = next(t["title"] for t in item.fulfilment["tasks"] if t["key"] == key)
    return localize(title, language(page))


def expect_status(page, ticket_path: str, status: str) -> None:
    """On the request's page (loaded afresh): the badge and the timeline's current step show
    ``status``."""
    page.goto(ticket_path)
    label = status_label(page, status)
    expect(page.locator(".page-head .badge")).to_have_text(label)
    current = page.locator("ol.timeline li[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(label)


def mail_to(address: str, number: str, *, timeout: float = 5.0):
    """The one e-mail to ``address`` about request ``number`` in Django's test outbox.

    Tasks run at once in tests (ImmediateBackend), but only when the transaction commits, so
    give the live server's thread a moment rather than assuming it has already happened.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.outbox
                 if any(address in to for to in m.to) and number in m.subject + m.body]
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    outbox = [(m.to, m.subject) for m in mail.outbox]
    assert len(found) == 1, f"expected one e-mail to {address} about {number}, got {outbox}"
    return found[0]


def approve_link(message) -> str:
    """The path of the "approve" link in the e-mail's text (the other one rejects)."""
    paths = DECIDE_LINK.findall(message.body)
    assert len(set(paths)) == 2, f"expected an approve and a reject link in:\n{message.body}"
    decisions = {signing.loads(p.split("/")[-2], salt=TOKEN_SALT)["decision"]: p for p in paths}
    assert set(decisions) == {Decision.APPROVED, Decision.REJECTED}
    return decisions[Decision.APPROVED]


def choose(page, name: str, value: str) -> None:
    """Click a radio button's label (htmx may redraw the step's questions afterwards)."""
    page.locator("label", has=page.locator(f"input[name={name}][value={value}]")).click()
    wait_until_settled(page)
    expect(page.locator(f"input[name={name}][value={value}]")).to_be_checked()


def slot_text(page, slot: Slot) -> str:
    """How a handover time should read: weekday, the locale's date, the time."""
    starts = timezone.localtime(slot.starts_at)
    with translation.override(language(page)):
        return ", ".join(date_format(starts, f) for f in ("l", "DATE_FORMAT", "H:i"))


def nav_link(page, url: str):
    """A link of whichever navigation shows (header on desktop, tab bar on the phone)."""
    return page.locator(f"a[href='{url}']:visible").first


def todo(page, title: str):
    return page.locator("main .ticket-row", has_text=title).locator("a.ticket-row__title")


# --- the journey ------------------------------------------------------------------------------

def test_ultralight_laptop_from_order_to_receipt(new_page, console):
    item = CatalogItem.objects.get(slug=SLUG)

    # 1. Anna orders the laptop at her desk; answer what is required, keep the defaults.
    anna = new_page(DESKTOP)
    sign_in(anna, EMPLOYEE)
    anna.goto(item.get_absolute_url())
    visit(anna, "01-item", DESKTOP)
    anna.locator(f"main a[href='{reverse('tickets:wizard-start', args=[SLUG])}']").first.click()
    anna.wait_for_url(re.compile(r"/step/choice/$"))
    expect(anna.locator("input[name=for_whom][value=myself]")).to_be_checked()
    expect(anna.locator("input[name=with_esim][value=yes]")).to_be_checked()
    choose(anna, "reason", "travel")
    expect(anna.locator("textarea[name=reason_other]")).to_have_count(0)  # only for "other"
    choose(anna, "keyboard_layout", "de_de")
    expect(anna.locator("input[name=reason][value=travel]")).to_be_checked()
    visit(anna, "02-step-choice", DESKTOP)
    anna.locator("button[name=action][value=next]").click()
    anna.wait_for_url(re.compile(r"/step/delivery/$"))
    expect(anna.locator("textarea[name=delivery_address]")).not_to_have_value("")  # profile
    visit(anna, "03-step-delivery", DESKTOP)
    anna.locator("button[name=action][value=next]").click()
    anna.wait_for_url(re.compile(r"/review/$"))
    visit(anna, "04-review", DESKTOP)
    anna.locator(f"form[action='{reverse('tickets:wizard-review', args=[SLUG])}'] "
                 "button[type=submit]").click()
    anna.wait_for_url(re.compile(r"/requests/\d+/$"))
    ticket_path = urlparse(anna.url).path
    number = TICKET_NUMBER.search(anna.locator(".page-head .number").inner_text()).group()
    ticket = Ticket.objects.get(pk=int(ticket_path.strip("/").split("/")[-1]))
    assert ticket.number == number and ticket.item_id == item.pk
    expect_status(anna, ticket_path, TicketStatus.WAITING_APPROVAL)
    # "How it goes": the manager, then the cost-centre owner (above 1000), then the plan's tasks.
    steps = anna.locator("main section[aria-labelledby=progress-title] .steps > li")
    expect(steps).to_have_count(2 + len(parse_plan(item.fulfilment)))
    expect(steps.nth(0)).to_have_class(re.compile(r"step--current"))
    expect(steps.nth(1)).to_have_class(re.compile(r"step--upcoming"))
    expect(anna.locator("main .progress-expected")).to_be_visible()
    visit(anna, "05-request-sent", DESKTOP)

    # 2. Markus approves on his phone from the e-mail's link, without signing in.
    link = approve_link(mail_to(MANAGER, number))
    markus = new_page(PHONE)
    markus.goto(link)
    expect(markus.locator("main h1").first).to_be_visible()
    expect(markus.locator("main")).to_contain_text(number)
    confirm = markus.locator("main form button[type=submit]")
    expect(confirm).to_have_count(1)
    visit(markus, "06-email-link-confirm", PHONE)
    vote = Vote.objects.get(approval__ticket=ticket, approver__email=MANAGER)
    assert vote.decision == Decision.PENDING, "opening the link (a GET) must not decide"
    confirm.click()
    with translation.override(language(markus)):
        thanks = gettext("Approved — thank you")
    expect(markus.locator("main h1").first).to_have_text(thanks)
    expect(confirm).to_have_count(0)
    visit(markus, "07-email-link-thanks", PHONE)
    vote.refresh_from_db()
    assert (vote.decision, vote.channel) == (Decision.APPROVED, Channel.EMAIL)
    expect_status(anna, ticket_path, TicketStatus.WAITING_APPROVAL)  # Claudia's turn now
    expect(steps.nth(0)).to_have_class(re.compile(r"step--done"))
    expect(steps.nth(1)).to_have_class(re.compile(r"step--current"))
    visit(anna, "08-request-manager-approved", DESKTOP)

    # 3. Claudia, the cost-centre owner, approves in the portal from "To-dos".
    mail_to(OWNER, number)  # she was asked by e-mail too
    claudia = new_page(DESKTOP)
    sign_in(claudia, OWNER)
    nav_link(claudia, reverse("approvals:list")).click()
    claudia.wait_for_url(re.compile(r"/approvals/$"))
    row = claudia.locator("main .ticket-row", has_text=number)
    expect(row).to_have_count(1)
    visit(claudia, "09-owner-todos", DESKTOP)
    row.locator("a.ticket-row__title").click()
    claudia.wait_for_url(re.compile(r"/approvals/\d+/$"))
    visit(claudia, "10-owner-approval", DESKTOP)
    claudia.locator("button[name=decision][value=approved]").click()
    claudia.wait_for_url(re.compile(r"/approvals/$"))
    expect(claudia.locator("main .ticket-row", has_text=number)).to_have_count(0)
    visit(claudia, "11-owner-approved", DESKTOP)
    expect_status(anna, ticket_path, TicketStatus.IN_PROGRESS)
    visit(anna, "12-request-in-progress", DESKTOP)

    # 4. Sofia (IT) works the queue: order, the supplier e-mail goes by itself, set up.
    sofia = new_page(DESKTOP)
    sign_in(sofia, AGENT)
    sofia.locator("details.user-menu summary").click()
    sofia.locator(f"details.user-menu a[href='{reverse('fulfilment:queue')}']").click()
    sofia.wait_for_url(re.compile(r"/work/$"))
    order, prepare = task_title(sofia, "order"), task_title(sofia, "prepare")

    def queue_row(title):
        return sofia.locator("main .ticket-row", has_text=number).filter(has_text=title)

    expect(queue_row(order)).to_have_count(1)
    expect(queue_row(prepare)).to_have_count(0)  # not before the device is ordered
    visit(sofia, "13-queue", DESKTOP)
    with sofia.expect_navigation():
        queue_row(order).locator("form[action$='/done/'] button").click()
    expect(queue_row(order)).to_have_count(0)
    supplier_mail = mail_to(SUPPLIER, number)
    assert supplier_mail.to == [SUPPLIER]
    assert ticket.tasks.get(key="supplier").status == TaskStatus.DONE
    expect(queue_row(prepare)).to_have_count(1)  # the supplier step is done: set up next
    visit(sofia, "14-queue-ordered", DESKTOP)
    expect_status(anna, ticket_path, TicketStatus.IN_PROGRESS)
    with sofia.expect_navigation():
        queue_row(prepare).locator("form[action$='/done/'] button").click()
    expect(queue_row(prepare)).to_have_count(0)
    visit(sofia, "15-queue-prepared", DESKTOP)

    # 5. Anna, on her phone: waiting for her; she picks a handover time, then confirms.
    phone = new_page(PHONE)
    sign_in(phone, EMPLOYEE)
    expect_status(phone, ticket_path, TicketStatus.WAITING_FOR_YOU)
    visit(phone, "16-request-waiting-for-you", PHONE)
    handover, received = task_title(phone, "handover"), task_title(phone, "received")
    nav_link(phone, reverse("approvals:list")).click()
    phone.wait_for_url(re.compile(r"/approvals/$"))
    expect(todo(phone, handover)).to_have_count(1)
    expect(todo(phone, received)).to_have_count(0)
    visit(phone, "17-todos-handover", PHONE)
    todo(phone, handover).click()
    phone.wait_for_url(re.compile(r"/work/\d+/$"))
    slots = phone.locator("main input[name=slot]")
    expect(slots.first).to_be_visible()
    slot_id = int(slots.first.get_attribute("value"))
    slot_label = phone.locator(f"main label[for='slot-{slot_id}']")
    # Each time reads as a date a person understands, e.g. "Mittwoch, 25. November 2026, 10:00".
    expect(slot_label).to_contain_text(
        slot_text(phone, Slot.objects.get(pk=slot_id)))
    visit(phone, "18-pick-slot", PHONE)
    slot_label.click()
    expect(slots.first).to_be_checked()
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(re.escape(ticket_path) + "$"))
    expect_status(phone, ticket_path, TicketStatus.WAITING_FOR_YOU)  # receipt still to come
    assert Slot.objects.get(pk=slot_id).task == ticket.tasks.get(key="handover")
    visit(phone, "19-request-slot-booked", PHONE)

    nav_link(phone, reverse("approvals:list")).click()
    phone.wait_for_url(re.compile(r"/approvals/$"))
    expect(todo(phone, handover)).to_have_count(0)
    expect(todo(phone, received)).to_have_count(1)
    todo(phone, received).click()
    phone.wait_for_url(re.compile(r"/work/\d+/$"))
    visit(phone, "20-confirm-receipt", PHONE)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(re.escape(ticket_path) + "$"))
    expect_status(phone, ticket_path, TicketStatus.RESOLVED)
    visit(phone, "21-request-resolved", PHONE)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert set(ticket.tasks.values_list("status", flat=True)) == {TaskStatus.DONE}
    console.assert_clean()
