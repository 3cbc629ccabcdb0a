"""axe-core on every page of the webcam journey, at desktop and phone width.

Violations with impact "serious" or "critical" fail the test; all pages are checked first so
one run shows every problem.
"""

import pytest

from tests.browser.helpers import DESKTOP, PHONE, axe_violations, format_violations
from tests.browser.journey import agent_moves, manager_approves, request_webcam, ticket_number

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_journey_pages_have_no_serious_axe_violations(new_page, viewport):
    page = new_page(viewport)
    found: dict[str, list[dict]] = {}
    checked = []

    def check(name, on=page):
        checked.append(name)
        violations = axe_violations(on)
        if violations:
            found[f"{name} ({on.url})"] = violations

    page.goto("/accounts/login/")
    check("sign-in")
    ticket_path = request_webcam(page, check)
    manager = new_page(viewport)
    manager_approves(manager, ticket_number(page, ticket_path), lambda name: check(name, manager))
    agent = new_page(viewport)
    agent_moves(agent, ticket_path, ["resolved"])
    check("request-as-agent", agent)

    assert len(checked) >= 12, checked
    assert not found, f"axe found serious or critical problems at {viewport.name} width:\n" + \
        "\n".join(f"\n== {where}\n{format_violations(v)}" for where, v in found.items())
