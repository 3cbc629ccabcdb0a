"""Browser tests: one headless Debian Chromium per session, a fresh context per persona/width.

The site runs on pytest-django's ``live_server`` with the demo company loaded. Chromium comes
from the system (``apt-get install chromium``), never from ``playwright install``. Without it the
tests are skipped, except on CI (``CI=true``) where a missing browser is a failure.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from tests.browser.helpers import DESKTOP, Console, Viewport


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server runs one request at a time. On SQLite its threads share the test's one
    in-memory connection, and two requests at once (the header's instant search still running
    while the results page loads) would use it together: "bad parameter or other API misuse"."""

    lock = threading.Lock()

    def get_app(self):
        app = super().get_app()

        def one_at_a_time(environ, start_response):
            with self.lock:
                return app(environ, start_response)

        return one_at_a_time


LiveServerThread.server_class = OneRequestAtATime

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, so Django would refuse the
    # tests' own (synchronous, hence safe) ORM calls while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(transactional_db, browser):
    """The demo company (people, catalog, a few tickets), fresh for every test."""
    from concierge.portal.demo import load_demo

    load_demo()


@pytest.fixture
def demo_in_english(demo):
    """For tests that read English labels: every demo person uses the portal in English (the
    German pages are walked by the journey and order-to-receipt tests)."""
    from concierge.accounts.models import User

    User.objects.update(language="en")


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def new_page(browser, live_server, demo, console) -> Iterator:
    """``new_page(viewport, js=True)``: a page in a fresh context (its own cookies)."""
    contexts = []

    def make(viewport: Viewport = DESKTOP, *, js: bool = True, **options):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=js,
                                      locale="en-GB", timezone_id="Europe/Berlin",
                                      **viewport.context_options(), **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
