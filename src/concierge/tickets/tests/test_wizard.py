"""The request wizard: one step per page, conditions, drafts, review and submit."""

import re

import pytest
from django.urls import reverse

from concierge.core.testing import CatalogItemFactory, OrganisationFactory
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Draft, Ticket


def step_url(slug, step):
    return reverse("tickets:wizard-step", args=[slug, step])


def review_url(slug):
    return reverse("tickets:wizard-review", args=[slug])


def test_starting_a_request_opens_the_first_step_with_profile_defaults(employee_client, webcam):
    response = employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    assert response.status_code == 302
    assert response.url == step_url("webcam", "choice")
    draft = Draft.objects.get(item=webcam)
    assert draft.answers == {"model": "standard", "address": "Munich, Floor 3", "quantity": 1}


def test_the_step_page_shows_only_relevant_questions(employee_client, webcam):
    response = employee_client.get(step_url("webcam", "choice"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Which model?" in content
    assert "Why do you need the Pro model?" not in content
    assert "Step 1 of 3" in content


def test_choosing_pro_reveals_the_follow_up_question_via_htmx(employee_client, webcam):
    response = employee_client.post(
        reverse("tickets:wizard-fields", args=["webcam", "choice"]), {"model": "pro"},
        headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Why do you need the Pro model?" in content
    assert "<html" not in content  # only the fields partial


def test_without_javascript_new_questions_are_asked_on_the_same_step(employee_client, webcam):
    response = employee_client.post(step_url("webcam", "choice"),
                                     {"model": "pro", "shown": ["model"], "action": "next"})
    assert response.status_code == 302 and response.url == step_url("webcam", "choice")
    page = employee_client.get(response.url).content.decode()
    assert "Why do you need the Pro model?" in page


def test_a_missing_required_answer_is_shown_at_the_field_and_nothing_is_lost(
        employee_client, webcam):
    response = employee_client.post(step_url("webcam", "choice"), {
        "model": "pro", "reason": "", "shown": ["model", "reason"], "action": "next"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in content
    assert re.search(r'value="pro"[^>]*checked', content)


def test_invalid_numbers_get_a_clear_message(employee_client, webcam):
    employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    response = employee_client.post(step_url("webcam", "delivery"), {
        "address": "Munich", "quantity": "7", "shown": ["address", "quantity"],
        "action": "next"})
    assert response.status_code == 200
    assert "less than or equal to 3" in response.content.decode()
    response = employee_client.post(step_url("webcam", "delivery"), {
        "address": "Munich", "quantity": "many", "shown": ["address", "quantity"],
        "action": "next"})
    assert "Enter a number." in response.content.decode()


def test_back_keeps_the_answers_of_the_step_one_leaves(employee_client, webcam):
    employee_client.post(step_url("webcam", "choice"), {
        "model": "pro", "reason": "Customer demos", "shown": ["model", "reason"],
        "action": "next"})
    response = employee_client.post(step_url("webcam", "delivery"), {
        "address": "Room 4.12", "quantity": "2", "action": "back"})
    assert response.url == step_url("webcam", "choice")
    draft = Draft.objects.get(item=webcam)
    assert draft.answers["address"] == "Room 4.12"
    assert draft.answers["quantity"] == 2
    assert draft.answers["reason"] == "Customer demos"


def test_the_whole_journey_creates_a_request_with_a_snapshot(
        employee_client, employee, webcam, mailoutbox, django_capture_on_commit_callbacks):
    employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    employee_client.post(step_url("webcam", "choice"), {
        "model": "pro", "reason": "Customer demos", "shown": ["model", "reason"],
        "action": "next"})
    response = employee_client.post(step_url("webcam", "delivery"), {
        "address": "Room 4.12", "quantity": "1", "shown": ["address", "quantity"],
        "action": "next"})
    assert response.url == review_url("webcam")
    review = employee_client.get(review_url("webcam")).content.decode()
    assert "Customer demos" in review and "Pro 4K" in review and "€79.00" in review

    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(review_url("webcam"))
    ticket = Ticket.objects.get()
    assert response.url == ticket.get_absolute_url()
    assert ticket.number == f"REQ-{ticket.pk:06d}"
    assert ticket.status == TicketStatus.SUBMITTED
    assert ticket.requester == employee == ticket.requested_for
    assert str(ticket.price_once) == "79.00"
    assert [a["key"] for a in ticket.answers] == ["model", "reason", "address", "quantity"]
    model = ticket.answers[0]
    assert model["label"] == {"en": "Which model?", "de": "Welches Modell?"}
    assert model["display"] == {"en": "Pro 4K", "de": "Pro 4K"}
    assert not Draft.objects.exists()
    assert ticket.activities.get().action == "tickets.ticket.submitted"
    assert len(mailoutbox) == 1 and ticket.number in mailoutbox[0].subject


def test_later_form_edits_do_not_change_submitted_answers(employee_client, webcam):
    employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    employee_client.post(review_url("webcam"))
    ticket = Ticket.objects.get()
    webcam.form["steps"][0]["questions"][0]["label"] = {"en": "Pick one"}
    webcam.save()
    page = employee_client.get(ticket.get_absolute_url()).content.decode()
    assert "Which model?" in page and "Pick one" not in page


def test_hidden_answers_are_not_submitted(employee_client, webcam):
    employee_client.post(step_url("webcam", "choice"), {
        "model": "pro", "reason": "Demos", "shown": ["model", "reason"], "action": "next"})
    employee_client.post(step_url("webcam", "choice"), {
        "model": "standard", "shown": ["model"], "action": "next"})
    employee_client.post(review_url("webcam"))
    assert "reason" not in [a["key"] for a in Ticket.objects.get().answers]


def test_submit_revalidates_answers_against_the_current_form(employee_client, webcam):
    employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    # The form gained a required question after the draft was started.
    webcam.form["steps"][1]["questions"].append(
        {"key": "room", "type": "text", "required": True, "label": {"en": "Room"}})
    webcam.save()
    response = employee_client.post(review_url("webcam"))
    assert response.status_code == 302 and response.url == step_url("webcam", "delivery")
    assert not Ticket.objects.exists()


def test_save_for_later_keeps_the_draft_and_lists_it(employee_client, webcam):
    response = employee_client.post(step_url("webcam", "choice"),
                                     {"model": "pro", "action": "save"})
    assert response.url == reverse("tickets:list")
    assert Draft.objects.get().answers["model"] == "pro"
    assert "Webcam" in employee_client.get(reverse("tickets:list")).content.decode()


def test_discarding_a_draft_deletes_it(employee_client, webcam):
    employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    employee_client.post(reverse("tickets:wizard-discard", args=["webcam"]))
    assert not Draft.objects.exists()


def test_ordering_for_a_colleague(employee_client, employee, outsider, webcam):
    webcam.order_for_others = True
    webcam.save()
    employee_client.get(reverse("tickets:wizard-start", args=["webcam"]))
    response = employee_client.post(step_url("webcam", "choice"), {
        "for_whom": "someone_else", "requested_for": "nobody@nowhere.example",
        "model": "standard", "shown": ["for_whom", "requested_for", "model"], "action": "next"})
    assert "could not find a colleague" in response.content.decode()
    employee_client.post(step_url("webcam", "choice"), {
        "for_whom": "someone_else", "requested_for": outsider.email, "model": "standard",
        "shown": ["for_whom", "requested_for", "model"], "action": "next"})
    employee_client.post(review_url("webcam"))
    ticket = Ticket.objects.get()
    assert ticket.requester == employee and ticket.requested_for == outsider


def test_colleagues_of_another_organisation_cannot_be_picked(employee_client, stranger, webcam):
    webcam.order_for_others = True
    webcam.save()
    response = employee_client.post(step_url("webcam", "choice"), {
        "for_whom": "someone_else", "requested_for": stranger.email, "model": "standard",
        "shown": ["for_whom", "requested_for", "model"], "action": "next"})
    assert "could not find a colleague" in response.content.decode()


def test_an_item_for_another_organisation_is_a_404(employee_client, db):
    item = CatalogItemFactory(slug="secret")
    item.audience_organisations.add(OrganisationFactory(slug="other"))
    assert employee_client.get(reverse("tickets:wizard-start", args=["secret"])).status_code == 404
    assert employee_client.get(reverse("catalog:item", args=["secret"])).status_code == 404


def test_an_unknown_step_redirects_to_the_first(employee_client, webcam):
    response = employee_client.get(step_url("webcam", "nope"))
    assert response.url == step_url("webcam", "choice")


@pytest.mark.parametrize("name", ["tickets:wizard-fields", "tickets:wizard-review"])
def test_wrong_methods_are_refused(employee_client, webcam, name):
    args = ["webcam", "choice"] if name.endswith("fields") else ["webcam"]
    method = employee_client.get if name.endswith("fields") else employee_client.put
    assert method(reverse(name, args=args)).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, webcam):
    response = client.get(reverse("tickets:wizard-start", args=["webcam"]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_incident_gets_its_priority_from_impact_and_urgency(employee_client, db):
    item = CatalogItemFactory(slug="broken", kind="incident", form={"steps": [
        {"key": "what", "title": "What", "questions": [
            {"key": "summary", "type": "text", "required": True, "label": "Summary"},
            {"key": "impact", "type": "choice", "label": "Impact", "required": True,
             "choices": [{"value": v, "label": v} for v in ("low", "medium", "high")]},
            {"key": "urgency", "type": "choice", "label": "Urgency", "required": True,
             "choices": [{"value": v, "label": v} for v in ("low", "medium", "high")]},
        ]}]})
    employee_client.post(step_url(item.slug, "what"), {
        "summary": "Laptop does not start", "impact": "high", "urgency": "high",
        "shown": ["summary", "impact", "urgency"], "action": "next"})
    employee_client.post(review_url(item.slug))
    ticket = Ticket.objects.get()
    assert ticket.number.startswith("INC-")
    assert ticket.title == "Laptop does not start"
    assert ticket.priority == "1"
