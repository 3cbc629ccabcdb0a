"""Helpers for the browser tests: viewports, signing in, screenshots, console and axe checks."""

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

PASSWORD = "concierge-demo"
EMPLOYEE = "anna.schmidt@alpenblick.example"
AGENT = "sofia.agent@alpenblick.example"
MANAGER = "markus.weber@alpenblick.example"  # Anna's manager: approves her Pro webcam
SHOTS = Path(os.environ.get("CONCIERGE_SHOTS_DIR", "/tmp/shots"))
TICKET_NUMBER = re.compile(r"REQ-\d{6}")


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool = False

    def context_options(self) -> dict:
        options = {"viewport": {"width": self.width, "height": self.height}}
        if self.mobile:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        return options


DESKTOP = Viewport("desktop", 1280, 800)
PHONE = Viewport("phone", 360, 740, mobile=True)


CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
  `at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} sample=${JSON.stringify(e.sample)} ` +
  `on ${e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : e.target}`));
"""


@dataclass
class Console:
    """What the pages said on the console: errors (CSP violations among them) must not happen."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        # Chromium logs CSP violations tersely; this adds what was blocked and where.
        page.add_init_script(CSP_REPORTER)
        page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"{page.url}: console.error: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: uncaught: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{page.url}: HTTP {r.status} for {r.url}"))

    def assert_clean(self) -> None:
        assert not self.errors, "Console errors:\n" + "\n".join(self.errors)


def is_home(url: str) -> bool:
    return urlparse(url).path == "/"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Through the real sign-in page, like a person would; agents and admins then type the
    code of the demo company's shared authenticator app."""
    from concierge.accounts.demo import demo_totp_code

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(lambda url: is_home(url) or is_mfa_code_page(url))
    if is_mfa_code_page(page.url):
        page.locator("input[name=code]").fill(demo_totp_code())
        page.locator("main form[action='/accounts/2fa/authenticate/'] "
                     "button[type=submit]").click()
        page.wait_for_url(is_home)


def is_mfa_code_page(url: str) -> bool:
    return urlparse(url).path == "/accounts/2fa/authenticate/"


def shot(page, name: str, viewport: Viewport) -> None:
    """A full-page screenshot for people to look at (outside the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")  # so the sticky header sits on top
    # caret="initial": hiding the caret leaves style="" on every input, which htmx then copies
    # while settling a swap, and the CSP (rightly) blocks that.
    page.screenshot(path=str(SHOTS / f"{viewport.name}-{name}.png"), full_page=True,
                    caret="initial")


def assert_no_horizontal_overflow(page, where: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where}: the page scrolls sideways by {overflow}px"


# --- axe-core ---------------------------------------------------------------------------------

@cache
def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


SETTLED = """() => !document.querySelector(
  ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
  && document.getAnimations().every((a) => a.playState !== "running")"""


def wait_until_settled(page) -> None:
    """Until htmx has finished swapping and no CSS transition runs (fades change colours)."""
    page.wait_for_function(SETTLED)


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the current page.

    ``page.evaluate`` runs through the DevTools protocol, so the site's strict CSP does not
    block the injected script.
    """
    wait_until_settled(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in impacts]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)
