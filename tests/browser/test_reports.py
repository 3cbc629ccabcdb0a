"""The reports in a real browser, at desktop and phone width: the service manager opens them
from the header's menu, changes the period with the form (it works without JavaScript too), and
axe finds no serious problem. Screenshots go to CONCIERGE_SHOTS_DIR."""

import pytest

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_in_english")]
SERVICE_MANAGER = "thomas.lang@alpenblick.example"
ADMIN = "admin@alpenblick.example"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_the_service_manager_reads_the_reports(new_page, viewport, console):
    page = new_page(viewport)
    sign_in(page, SERVICE_MANAGER)
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Reports", level=1).wait_for()
    assert "Alpenblick" in page.locator(".page-head").inner_text()
    for name in ("Volume", "Self-help", "Satisfaction", "Service levels", "Costs"):
        page.get_by_role("heading", name=name, level=2).wait_for()
    assert page.get_by_role("table", name="Tickets submitted and resolved per week").is_visible()
    assert_no_horizontal_overflow(page, "reports")
    assert not axe_violations(page), format_violations(axe_violations(page))
    shot(page, "reports", viewport)
    page.locator("label", has_text="Last 90 days").click()
    page.get_by_label("Category").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/?period=90*")
    page.get_by_role("heading", name="Volume", level=2).wait_for()
    assert not axe_violations(page), format_violations(axe_violations(page))
    console.assert_clean()


def test_bad_dates_are_explained_without_javascript(new_page, console):
    page = new_page(DESKTOP)
    sign_in(page, SERVICE_MANAGER)
    nojs = new_page(DESKTOP, js=False, storage_state=page.context.storage_state())
    nojs.goto("/reports/")
    nojs.locator("label", has_text="Choose the days").click()
    nojs.get_by_label("From").fill("2026-03-10")
    nojs.get_by_label("To").fill("2026-03-01")
    with nojs.expect_response(lambda r: "/reports/?" in r.url) as response:
        nojs.get_by_role("button", name="Show").click()
    assert response.value.status == 400
    nojs.get_by_text("The last day cannot be before the first.").wait_for()
    shot(nojs, "reports-bad-dates", DESKTOP)
    page.goto(nojs.url)  # axe needs JavaScript: the same answer in the other page
    page.get_by_text("The last day cannot be before the first.").wait_for()
    assert not axe_violations(page), format_violations(axe_violations(page))
    # The 400 is the answer we asked for; nothing else may complain.
    console.errors[:] = [e for e in console.errors if "400" not in e]
    console.assert_clean()


def test_the_administrator_sees_every_organisation_and_downloads_a_csv(new_page, console):
    page = new_page(DESKTOP, accept_downloads=True)
    sign_in(page, ADMIN)
    page.goto("/reports/?period=90")
    page.get_by_text("All organisations", exact=False).first.wait_for()
    page.get_by_role("table", name="Per organisation").wait_for()
    with page.expect_download() as download:
        page.locator("#costs").get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("concierge-costs-")
    shot(page, "reports-admin", DESKTOP)
    assert not axe_violations(page), format_violations(axe_violations(page))
    console.assert_clean()
