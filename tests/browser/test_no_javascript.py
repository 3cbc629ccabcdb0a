"""Without JavaScript the whole webcam request still works (progressive enhancement)."""

import pytest

from tests.browser.helpers import DESKTOP, shot
from tests.browser.journey import request_webcam

pytestmark = pytest.mark.browser


def test_webcam_request_without_javascript(new_page):
    page = new_page(DESKTOP, js=False)

    def visit(name):
        # page.evaluate still works (through DevTools), but the page's own scripts never ran.
        assert page.evaluate("() => typeof window.htmx") == "undefined"
        shot(page, f"nojs-{name}", DESKTOP)

    request_webcam(page, visit, js=False)
