"""A locked-out employee on a phone unlocks the account and sets a new password from the
sign-in page: at most 4 screens and under a minute, every screen without serious axe problems.

Runs against a real slapd (skipped without it, like the directory's unit tests).
"""

import re
import time
from urllib.parse import urlparse

import pytest

from concierge.directory import slapd, sms
from tests.browser.helpers import (
    DESKTOP,
    Viewport,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    is_home,
    shot,
)

pytestmark = pytest.mark.browser
PHONE_390 = Viewport("phone-390", 390, 844, mobile=True)
ANNA = next(person for person in slapd.PEOPLE if person.uid == "anna.schmidt")


@pytest.fixture
def directory_site(settings, tmp_path, demo):
    if not slapd.available():
        pytest.skip("slapd is not installed (apt-get install slapd ldap-utils; CI does)")
    with slapd.running_slapd(tmp_path / "slapd") as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.DIRECTORY_ORGANISATIONS = [("alpine", slapd.PEOPLE_DN)]
        settings.SMS_BACKEND = "concierge.directory.sms.LocmemSender"
        settings.AUTHENTICATION_BACKENDS = ["concierge.directory.backends.DirectoryBackend",
                                            *settings.AUTHENTICATION_BACKENDS]
        sms.outbox.clear()
        server.lock_out(ANNA)
        yield server


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP], ids=lambda v: v.name)
def test_locked_out_employee_resets_in_four_screens_under_a_minute(
        directory_site, new_page, console, viewport):
    from concierge.directory.client import Directory

    assert Directory().find_user(ANNA.uid).locked
    page = new_page(viewport)
    page.goto("/accounts/login/")
    screens: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and screens.append(
        urlparse(frame.url).path))
    problems: dict[str, list] = {}
    checking = 0.0

    def check(name: str) -> None:
        nonlocal checking
        started = time.monotonic()
        violations = axe_violations(page)
        if violations:
            problems[name] = violations
        assert_no_horizontal_overflow(page, name)
        shot(page, f"directory-{name}", viewport)
        checking += time.monotonic() - started

    started = time.monotonic()
    page.get_by_role("link", name="Forgot your password or locked out?").click()
    check("1-name")
    page.get_by_label("Your work e-mail address or user name").fill(ANNA.mail)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/password/code/$"))
    check("2-code")
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text)[1]
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Check the code").click()
    page.wait_for_url(re.compile(r"/password/choose/$"))
    check("3-choose")
    assert page.get_by_text("Locked", exact=True).is_visible()
    page.locator("input[name=password1]").fill("Sunny-meadow-2026!")
    page.locator("input[name=password2]").fill("Sunny-meadow-2026!")
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url(re.compile(r"/password/done/$"))
    check("4-done")
    elapsed = time.monotonic() - started - checking

    assert screens == ["/password/", "/password/code/", "/password/choose/", "/password/done/"]
    assert len(screens) <= 4
    assert elapsed < 60, f"the reset took {elapsed:.1f} s"
    print(f"\n{viewport.name}: reset in {len(screens)} screens, {elapsed:.2f} s wall time")
    assert not problems, "axe found serious or critical problems:\n" + "\n".join(
        f"\n== {name}\n{format_violations(v)}" for name, v in problems.items())

    # and the new password works at once, through the ordinary sign-in page
    page.get_by_role("link", name="Sign in").last.click()
    page.locator("input[name=login]").fill(ANNA.mail)
    page.locator("input[name=password]").fill("Sunny-meadow-2026!")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(is_home)
    console.assert_clean()


def test_profile_password_pages_and_an_agents_undo(directory_site, new_page, console):
    """Signed in through the directory: change the password, confirm a mobile number; an agent
    sees a request's directory changes and undoes one. axe and screenshots on each page."""
    from concierge.accounts.models import User
    from concierge.core.testing import CatalogItemFactory, TicketFactory
    from concierge.directory.client import Directory
    from concierge.fulfilment.services import fulfilment_start
    from tests.browser.helpers import AGENT, PHONE, sign_in

    Directory().unlock(Directory().find_user(ANNA.uid).dn)
    problems: dict[str, list] = {}

    def check(page, name, viewport):
        violations = axe_violations(page)
        if violations:
            problems[name] = violations
        assert_no_horizontal_overflow(page, name)
        shot(page, f"directory-{name}", viewport)

    page = new_page(PHONE)
    sign_in(page, ANNA.mail, ANNA.password)
    page.goto("/profile/")
    page.locator('main a[href="/password/change/"]').click()
    check(page, "change", PHONE)
    page.locator("input[name=old_password]").fill(ANNA.password)
    page.locator("input[name=password1]").fill("weak")
    page.locator("input[name=password2]").fill("weak")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".alert--error").is_visible()
    check(page, "change-refused", PHONE)
    page.locator("input[name=old_password]").fill(ANNA.password)
    page.locator("input[name=password1]").fill("Lake-view-2026!")
    page.locator("input[name=password2]").fill("Lake-view-2026!")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/profile/$"))
    assert Directory().authenticate(ANNA.uid, "Lake-view-2026!") is not None

    page.locator('main a[href="/password/contact/"]').click()
    page.locator("input[name=mobile]").fill("+49 170 7654321")
    page.locator("form:has(input[name=mobile]) button").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text)[1]
    page.locator("input[name=code]").fill(code)
    page.locator("form:has(input[name=code]) button").click()
    assert page.locator(".contact-factor .badge--green").first.is_visible()
    check(page, "contact", PHONE)
    assert User.objects.get(email=ANNA.mail).mobile_verified_at is not None

    anna = User.objects.get(email=ANNA.mail)
    item = CatalogItemFactory(fulfilment={"tasks": [
        {"key": "grant", "title": {"en": "Access to Jira"}, "action": "directory.add_to_group",
         "params": {"group": "jira-users"}}]})
    ticket = TicketFactory(requester=anna, item=item, organisation=anna.organisation)
    fulfilment_start(ticket=ticket)
    from concierge.fulfilment.services import task_run_action

    task_run_action(task_id=ticket.tasks.get().pk)
    agent = new_page(DESKTOP)
    sign_in(agent, AGENT)
    agent.goto(ticket.get_absolute_url())
    check(agent, "changes", DESKTOP)
    agent.locator('form[action$="/undo/"] button').click()
    assert agent.locator(".directory-changes .badge--grey").first.is_visible()
    check(agent, "changes-undone", DESKTOP)
    assert Directory().find_user(ANNA.uid).dn.lower() not in Directory().group_members(
        "jira-users")
    assert not problems, "axe found serious or critical problems:\n" + "\n".join(
        f"\n== {name}\n{format_violations(v)}" for name, v in problems.items())
    # the refused password answers 422 on purpose; nothing else may fail
    console.errors = [e for e in console.errors
                      if "/password/change/" not in e or "422" not in e]
    console.assert_clean()
