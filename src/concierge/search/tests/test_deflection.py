"""Suggestions beside request forms and the chain: shown -> opened -> solved -> abandoned or
submitted anyway; ``?describe=`` prefills the form."""

import copy

import pytest
from django.urls import reverse

from concierge.core.testing import CatalogItemFactory
from concierge.search.choices import Outcome
from concierge.search.models import Deflection
from concierge.search.services import index_rebuild
from concierge.search.tests.factories import article
from concierge.tickets.models import Draft, Ticket

pytestmark = pytest.mark.django_db

BROKEN_FORM = {"steps": [
    {"key": "what", "title": {"en": "What is wrong?", "de": "Was ist los?"}, "questions": [
        {"key": "device", "type": "choice", "required": True, "default": "laptop",
         "label": {"en": "Which device?", "de": "Welches Gerät?"},
         "choices": [{"value": "laptop", "label": {"en": "Laptop", "de": "Laptop"}},
                     {"value": "printer", "label": {"en": "Printer", "de": "Drucker"}}]},
        {"key": "summary", "type": "text", "required": True, "max_length": 40,
         "label": {"en": "In a few words", "de": "In wenigen Worten"}},
    ]},
]}


@pytest.fixture
def broken(db):
    item = CatalogItemFactory(slug="something-broken", kind="incident",
                              name={"en": "Something is broken", "de": "Etwas ist kaputt"},
                              form=copy.deepcopy(BROKEN_FORM))
    article(slug="laptop-wont-start", title="Laptop won't start",
            summary="Hold the power button for 15 seconds, then plug in the charger.")
    index_rebuild()
    return item


def step_url(item):
    return reverse("tickets:wizard-step", args=[item.slug, "what"])


def test_the_form_has_a_suggestion_panel_for_its_short_description(employee_client, broken):
    html = employee_client.get(step_url(broken)).content.decode()
    assert 'data-deflect-for="id_summary"' in html
    assert reverse("search:suggest", args=[broken.slug]) in html


def test_forms_without_a_short_text_question_have_no_panel(employee_client, webcam):
    html = employee_client.get(reverse("tickets:wizard-step", args=["webcam", "choice"]))
    assert "data-deflect-for" not in html.content.decode()


def test_describe_prefills_the_first_short_text_question(employee_client, employee, broken):
    response = employee_client.get(reverse("tickets:wizard-start", args=[broken.slug]),
                                   {"describe": "My laptop will not start since this morning!"})
    assert response.status_code == 302
    draft = Draft.objects.get(user=employee, item=broken)
    assert draft.answers["summary"] == "My laptop will not start since this morn"  # 40
    html = employee_client.get(response.url).content.decode()
    assert 'value="My laptop will not start since this morn"' in html


def test_describe_does_not_overwrite_an_answer(employee_client, employee, broken):
    employee_client.get(reverse("tickets:wizard-start", args=[broken.slug]), {"describe": "one"})
    employee_client.get(reverse("tickets:wizard-start", args=[broken.slug]), {"describe": "two"})
    assert Draft.objects.get(user=employee, item=broken).answers["summary"] == "one"


def _suggest(client, item, text):
    return client.get(reverse("search:suggest", args=[item.slug]), {"q": text},
                      headers={"HX-Request": "true"})


def test_suggestions_show_matching_articles(employee_client, employee, broken):
    html = _suggest(employee_client, broken, "laptop does not start").content.decode()
    assert "<mark>Laptop</mark>" in html and "<mark>start</mark>" in html
    deflection = Deflection.objects.get(user=employee, item=broken)
    assert deflection.shown == ["article:laptop-wont-start"]
    assert deflection.outcome == Outcome.PENDING


def test_nothing_is_recorded_when_nothing_is_shown(employee_client, broken):
    assert _suggest(employee_client, broken, "zz").content.decode().strip() == ""
    _suggest(employee_client, broken, "qwxyz vvvv")
    assert not Deflection.objects.exists()


def test_the_whole_chain_to_a_confirmed_deflection(employee_client, employee, broken):
    employee_client.get(reverse("tickets:wizard-start", args=[broken.slug]),
                        {"describe": "laptop dead"})
    _suggest(employee_client, broken, "laptop dead")
    deflection = Deflection.objects.get()
    opened = employee_client.get(reverse("search:deflection-open",
                                         args=[deflection.pk, "article", "laptop-wont-start"]))
    assert opened.url.startswith("/help/laptop-wont-start/?from=deflection&d=")
    page = employee_client.get(opened.url).content.decode()
    assert "This solved it" in page
    solved = employee_client.post(reverse("search:deflection-solved", args=[deflection.pk]))
    assert solved.status_code == 302
    deflection.refresh_from_db()
    assert deflection.opened_key == "laptop-wont-start" and deflection.opened_at
    assert deflection.solved_at and deflection.outcome == Outcome.ABANDONED
    assert deflection.deflected
    assert not Draft.objects.filter(user=employee, item=broken).exists()


def test_submitted_anyway_links_the_ticket(employee_client, employee, broken):
    _suggest(employee_client, broken, "laptop dead")
    employee_client.post(step_url(broken), {"device": "laptop", "summary": "Laptop dead",
                                            "action": "next", "shown": ["device", "summary"]})
    employee_client.post(reverse("tickets:wizard-review", args=[broken.slug]))
    ticket = Ticket.objects.get()
    deflection = Deflection.objects.get()
    assert (deflection.outcome, deflection.ticket) == (Outcome.SUBMITTED, ticket)
    assert not deflection.deflected


def test_discarding_the_draft_closes_it_as_abandoned(employee_client, broken):
    _suggest(employee_client, broken, "laptop dead")
    employee_client.post(reverse("tickets:wizard-discard", args=[broken.slug]))
    assert Deflection.objects.get().outcome == Outcome.ABANDONED


def test_someone_elses_deflection_is_a_404(client, employee_client, outsider, broken):
    _suggest(employee_client, broken, "laptop dead")
    deflection = Deflection.objects.get()
    client.force_login(outsider)
    assert client.post(reverse("search:deflection-solved", args=[deflection.pk])) \
        .status_code == 404
    assert client.get(reverse("search:deflection-open", args=[
        deflection.pk, "article", "laptop-wont-start"])).status_code == 404


def test_only_suggested_results_can_be_opened(employee_client, broken):
    _suggest(employee_client, broken, "laptop dead")
    deflection = Deflection.objects.get()
    response = employee_client.get(reverse("search:deflection-open",
                                           args=[deflection.pk, "article", "other"]))
    assert response.status_code == 404


def test_the_solved_button_ignores_a_bad_id(employee_client, broken):
    response = employee_client.get("/help/laptop-wont-start/?from=deflection&d=x%22")
    assert response.status_code == 200
    assert "This solved it" not in response.content.decode()


def test_suggestions_for_a_hidden_item_are_a_404(client, stranger, broken):
    broken.audience_organisations.add(stranger.organisation)
    client.force_login(stranger)
    assert _suggest(client, broken, "laptop").status_code == 200
    from concierge.core.testing import UserFactory

    other = UserFactory()
    client.force_login(other)
    assert _suggest(client, broken, "laptop").status_code == 404


def test_analytics_count_the_deflection(client, employee_client, broken):
    from concierge.accounts.choices import Role
    from concierge.core.testing import UserFactory

    _suggest(employee_client, broken, "laptop dead")
    deflection = Deflection.objects.get()
    employee_client.get(reverse("search:deflection-open",
                                args=[deflection.pk, "article", "laptop-wont-start"]))
    employee_client.post(reverse("search:deflection-solved", args=[deflection.pk]))
    client.force_login(UserFactory(roles=[Role.KNOWLEDGE_MANAGER]))
    week = client.get(reverse("search:analytics")).context["weeks"][0]
    assert (week["shown"], week["opened"], week["solved"], week["deflected"]) == (1, 1, 1, 1)
    assert week["rate"] == 1.0
