"""REST API v1 per role: requesters see their own tickets with public messages only, agents
the desk's tickets with internal notes; tokens, errors as JSON, throttling, the schema."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.api.models import AccessToken
from concierge.api.services import token_create
from concierge.core.testing import CatalogItemFactory, TicketFactory
from concierge.tickets.choices import TicketStatus
from concierge.tickets.models import Comment
from concierge.tickets.services import comment_add


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    _token, secret = token_create(user=user, name="test")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


@pytest.fixture
def ticket(employee, agent):
    ticket = TicketFactory(requester=employee, title="Laptop is slow",
                           status=TicketStatus.IN_PROGRESS)
    comment_add(ticket=ticket, author=agent, body="Public answer")
    comment_add(ticket=ticket, author=agent, body="Internal: requester is VIP", is_public=False)
    return ticket


def test_without_credentials_the_api_answers_401_in_json(api, db):
    response = api.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()


def test_a_bad_or_deleted_token_is_refused(api, employee):
    api.credentials(HTTP_AUTHORIZATION="Bearer cnc_nonsense")
    assert api.get("/api/v1/tickets/").status_code == 401
    token, secret = token_create(user=employee, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/tickets/").status_code == 200
    token.delete()
    response = api.get("/api/v1/tickets/")
    assert response.status_code == 401 and "not valid" in response.json()["detail"]


def test_only_a_digest_of_the_token_is_kept(employee):
    token, secret = token_create(user=employee, name="script")
    assert secret.startswith("cnc_") and secret not in token.digest
    assert not AccessToken.objects.filter(digest=secret).exists()


def test_my_tickets_list_and_detail_show_public_messages_only(api, employee, ticket):
    as_user(api, employee)
    listing = api.get("/api/v1/tickets/", {"state": "all"}).json()
    assert [t["number"] for t in listing["results"]] == [ticket.number]
    detail = api.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert [c["body"] for c in detail["comments"]] == ["Public answer"]
    assert "is_public" not in detail["comments"][0]
    assert "VIP" not in str(detail)


def test_internal_notes_stay_hidden_from_the_requester_even_when_they_are_an_agent(
        api, agent, org):
    own = TicketFactory(requester=agent, status=TicketStatus.IN_PROGRESS)
    comment_add(ticket=own, author=agent, body="a note", is_public=False)
    as_user(api, agent)
    assert api.get(f"/api/v1/tickets/{own.pk}/").json()["comments"] == []


def test_someone_elses_ticket_is_a_404(api, ticket, outsider, stranger, agent):
    for person in (outsider, stranger, agent):
        as_user(APIClient(), person)
        client = as_user(APIClient(), person)
        assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
        response = client.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "hi"},
                               format="json")
        assert response.status_code == 404
    assert ticket.comments.count() == 2


def test_adding_a_comment(api, employee, ticket):
    as_user(api, employee)
    response = api.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": " Thanks! "},
                        format="json")
    assert response.status_code == 201
    assert response.json()["body"] == "Thanks!"
    assert ticket.comments.filter(author=employee, is_public=True).count() == 1


def test_bad_input_is_a_400_with_a_clear_message(api, employee, ticket):
    as_user(api, employee)
    response = api.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": ""}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    response = api.get("/api/v1/tickets/", {"state": "sometimes"})
    assert response.status_code == 400 and "state" in response.json()
    ticket.status = TicketStatus.CLOSED
    ticket.save()
    response = api.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "hello"},
                        format="json")
    assert response.status_code == 400
    assert "closed" in response.json()["detail"]
    assert api.post(f"/api/v1/tickets/{ticket.pk}/comments/", "{not json",
                    content_type="application/json").status_code == 400
    assert api.get("/api/v1/tickets/abc/").status_code == 404


def test_an_unknown_endpoint_is_a_json_404(api, db):
    response = api.get("/api/v1/nothing/here/")
    assert response.status_code == 404 and "no such endpoint" in response.json()["detail"]


def test_read_only_endpoints_refuse_writes(api, employee, ticket):
    as_user(api, employee)
    assert api.delete(f"/api/v1/tickets/{ticket.pk}/").status_code == 405
    assert api.post("/api/v1/catalog/items/", {}, format="json").status_code == 405


def test_the_catalog_lists_what_i_may_order(api, employee, webcam, stranger):
    hidden = CatalogItemFactory(slug="secret", active=False)
    as_user(api, employee)
    slugs = [item["slug"] for item in api.get("/api/v1/catalog/items/").json()["results"]]
    assert "webcam" in slugs and "secret" not in slugs
    item = api.get("/api/v1/catalog/items/webcam/").json()
    assert item["name"] == "Webcam" and item["url"].endswith("/services/webcam/")
    assert api.get(f"/api/v1/catalog/items/{hidden.slug}/").status_code == 404


def test_texts_follow_the_requested_language(api, employee, webcam):
    as_user(api, employee)
    webcam.name = {"en": "Webcam", "de": "Kamera"}
    webcam.save()
    item = api.get("/api/v1/catalog/items/webcam/", HTTP_ACCEPT_LANGUAGE="de").json()
    assert item["name"] == "Kamera"


def test_agents_see_the_desks_tickets_with_internal_notes(api, agent, ticket):
    as_user(api, agent)
    listing = api.get("/api/v1/desk/tickets/").json()
    assert ticket.number in [t["number"] for t in listing["results"]]
    detail = api.get(f"/api/v1/desk/tickets/{ticket.number}/").json()
    notes = {c["body"]: c["is_public"] for c in detail["comments"]}
    assert notes == {"Public answer": True, "Internal: requester is VIP": False}


def test_agents_filter_by_their_groups(api, agent, ticket, employee):
    group = Group.objects.create(name="Network")
    agent.groups.add(group)
    routed = TicketFactory(requester=employee, group=group, status=TicketStatus.IN_PROGRESS)
    as_user(api, agent)
    listing = api.get("/api/v1/desk/tickets/", {"queue": f"group-{group.pk}"}).json()
    assert [t["number"] for t in listing["results"]] == [routed.number]
    assert api.get("/api/v1/desk/tickets/", {"queue": "everything"}).status_code == 400


def test_requesters_and_strangers_get_no_desk(api, employee, stranger, agent, ticket):
    for person in (employee, stranger):
        client = as_user(APIClient(), person)
        response = client.get("/api/v1/desk/tickets/")
        assert response.status_code == 403 and "IT team" in response.json()["detail"]
        assert client.get(f"/api/v1/desk/tickets/{ticket.number}/").status_code == 403


def test_an_agent_of_another_organisation_gets_404(api, ticket):
    from concierge.accounts.choices import Role
    from concierge.core.testing import OrganisationFactory, UserFactory

    other = UserFactory(organisation=OrganisationFactory(slug="far"), roles=[Role.AGENT])
    as_user(api, other)
    assert api.get(f"/api/v1/desk/tickets/{ticket.number}/").status_code == 404
    assert ticket.number not in str(api.get("/api/v1/desk/tickets/").json())


def test_session_auth_works_and_needs_csrf_for_writes(employee, ticket):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(employee)
    assert client.get("/api/v1/tickets/").status_code == 200
    response = client.post(f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "x"},
                           format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_throttling_answers_429(api, employee, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/hour"}
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = rates
    try:
        as_user(api, employee)
        codes = [api.get("/api/v1/tickets/").status_code for _ in range(4)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]


def test_list_query_counts_do_not_grow(api, employee, agent, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            t = TicketFactory(requester=employee, status=TicketStatus.IN_PROGRESS)
            Comment.objects.create(ticket=t, author=agent, body="x")

    add(1)
    as_user(api, employee)
    agent_api = as_user(APIClient(), agent)
    api.get("/api/v1/tickets/")
    agent_api.get("/api/v1/desk/tickets/")
    with django_assert_max_num_queries(8) as mine:
        api.get("/api/v1/tickets/")
    with django_assert_max_num_queries(10) as desk:
        agent_api.get("/api/v1/desk/tickets/")
    add(10)
    with django_assert_max_num_queries(len(mine.captured_queries)):
        api.get("/api/v1/tickets/")
    with django_assert_max_num_queries(len(desk.captured_queries)):
        agent_api.get("/api/v1/desk/tickets/")


def test_the_detail_query_count_does_not_grow_with_messages(api, employee, ticket, agent,
                                                          django_assert_max_num_queries):
    as_user(api, employee)
    api.get(f"/api/v1/tickets/{ticket.pk}/")
    with django_assert_max_num_queries(10) as first:
        api.get(f"/api/v1/tickets/{ticket.pk}/")
    for n in range(10):
        comment_add(ticket=ticket, author=agent, body=f"more {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        api.get(f"/api/v1/tickets/{ticket.pk}/")


def test_the_schema_and_the_docs_are_served_without_a_cdn(client, employee):
    client.force_login(employee)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/tickets/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "<script>" not in docs
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_people_make_and_delete_their_tokens_on_the_profile(employee_client, employee,
                                                           outsider):
    page = employee_client.post(reverse("api:tokens"), {"name": "Inventory script"})
    assert page.status_code == 200
    token = AccessToken.objects.get(user=employee)
    assert token.prefix in page.content.decode() and "cnc_" in page.content.decode()
    assert employee_client.post(reverse("api:tokens"), {"name": " "}).status_code == 422
    other = token_create(user=outsider, name="theirs")[0]
    assert employee_client.post(reverse("api:token-delete", args=[other.pk])).status_code == 404
    assert employee_client.get(reverse("api:token-delete", args=[token.pk])).status_code == 405
    employee_client.post(reverse("api:token-delete", args=[token.pk]))
    assert not AccessToken.objects.filter(user=employee).exists()
    assert AccessToken.objects.filter(pk=other.pk).exists()
