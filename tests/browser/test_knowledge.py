"""The knowledge base in a real browser, at desktop and phone width.

Anna (German profile) opens Help from the navigation, a topic and an article, answers "Was this
helpful?" (htmx swaps the answer in); Katrin (knowledge manager) edits an article with the live
preview and looks at its history. Every page is screenshotted to /tmp/shots/, must not scroll
sideways, has no serious axe violations, and no page logs a console error (CSP violations
included).
"""

import pytest
from playwright.sync_api import expect

from concierge.knowledge.models import Article
from tests.browser.helpers import (
    DESKTOP,
    EMPLOYEE,
    Viewport,
    assert_no_horizontal_overflow,
    axe_violations,
    format_violations,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser

PHONE_390 = Viewport("phone390", 390, 844, mobile=True)
KNOWLEDGE_MANAGER = "katrin.braun@alpenblick.example"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=lambda v: v.name)
def test_reading_and_writing_help_articles(new_page, console, viewport):
    found = {}

    def visit(page, name):
        shot(page, f"kb-{name}", viewport)
        assert_no_horizontal_overflow(page, name)
        if violations := axe_violations(page):
            found[f"{name} ({page.url})"] = violations

    article = Article.objects.get(slug="reset-forgotten-password", language="de")
    page = new_page(viewport)
    sign_in(page, EMPLOYEE)
    page.locator(".tab-bar a[href='/help/']" if viewport.mobile
                 else ".main-nav a[href='/help/']").click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".kb-topic").first).to_be_visible()
    visit(page, "home")

    page.locator(f".kb-topic[href='{article.category.get_absolute_url()}']").click()
    expect(page.locator("h1")).to_have_text(article.category.name["de"])
    visit(page, "category")

    page.goto(f"{article.get_absolute_url()}?q=passwort+vergessen")
    expect(page.locator("h1")).to_have_text(article.title)
    expect(page.locator(".kb-help a")).to_have_attribute(
        "href", "/requests/new/cannot-sign-in/?describe=passwort+vergessen")
    visit(page, "article")

    page.locator(".kb-feedback button[value=no]").click()
    expect(page.locator(".kb-feedback [role=status]")).to_be_visible()
    page.locator(".kb-feedback textarea").fill("Der Link kam nicht an.")
    page.locator(".kb-feedback button[type=submit]").click()
    expect(page.locator(".kb-feedback textarea")).to_have_count(0)
    visit(page, "article-feedback")
    article.refresh_from_db()
    assert article.helpful_no >= 1 and article.feedback.get().comment == "Der Link kam nicht an."

    manager = new_page(viewport)
    sign_in(manager, KNOWLEDGE_MANAGER)
    manager.goto("/help/manage/")
    visit(manager, "manage")
    manager.goto(f"/help/manage/{article.pk}/")
    manager.locator("textarea[name=body]").fill("## Neu\n\n**Fett** geschrieben.")
    expect(manager.locator("#preview .kb-prose")).to_have_text("Neu Fett geschrieben.")
    expect(manager.locator("#preview .kb-prose strong")).to_have_text("Fett")
    visit(manager, "edit")
    manager.locator("input[name=note]").fill("Kürzer")
    manager.locator(".form-actions button[type=submit]").click()
    manager.goto(f"/help/manage/{article.pk}/history/")
    expect(manager.locator(".kb-diff__line--added").first).to_be_visible()
    visit(manager, "history")

    console.assert_clean()
    assert not found, f"axe found serious or critical problems at {viewport.name} width:\n" + \
        "\n".join(f"\n== {where}\n{format_violations(v)}" for where, v in found.items())


def test_feedback_and_preview_work_without_javascript(new_page, console):
    article = Article.objects.get(slug="reset-forgotten-password", language="de")
    page = new_page(DESKTOP, js=False)
    sign_in(page, EMPLOYEE)
    page.goto(article.get_absolute_url())
    page.locator(".kb-feedback summary").click()
    page.locator(".kb-feedback textarea").fill("Zu lang.")
    page.locator(".kb-feedback button[value=yes]").click()
    expect(page.locator(".kb-feedback [role=status]")).to_be_visible()
    assert article.feedback.get().comment == "Zu lang."

    manager = new_page(DESKTOP, js=False)
    sign_in(manager, KNOWLEDGE_MANAGER)
    manager.goto(f"/help/manage/{article.pk}/")
    manager.locator("textarea[name=body]").fill("*Kursiv*")
    manager.locator("button[name=preview]").click()
    expect(manager.locator("#preview em")).to_have_text("Kursiv")
    article.refresh_from_db()
    assert article.body != "*Kursiv*"  # a preview saves nothing
    console.assert_clean()
