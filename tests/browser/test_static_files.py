"""The portal's own stylesheet, script and icons are served (they once were all 404)."""

import pytest

pytestmark = pytest.mark.browser


def test_site_css_js_and_icons_are_served(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url)
    try:
        for path in ["/static/css/app.css", "/static/js/app.js", "/static/img/icons.svg"]:
            response = context.request.get(path)
            assert response.status == 200, f"{path}: HTTP {response.status}"
    finally:
        context.close()
