""""Download my data" from the profile, in a real browser, at desktop and phone width."""

import json
from pathlib import Path

import pytest

from tests.browser.helpers import (
    DESKTOP,
    EMPLOYEE,
    PHONE,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_in_english")]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_the_profile_downloads_the_persons_data(new_page, viewport, console):
    page = new_page(viewport)
    sign_in(page, EMPLOYEE)
    page.goto("/profile/")
    link = page.get_by_role("link", name="Download my data (JSON)")
    assert_no_horizontal_overflow(page, "profile")
    assert not axe_violations(page), format_violations(axe_violations(page))
    with page.expect_download() as download:
        link.click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == EMPLOYEE
    assert data["tickets"] and all(t["requested_by"] or t["requested_for"]
                                   for t in data["tickets"])
    console.assert_clean()
