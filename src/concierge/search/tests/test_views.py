"""The search box, the results page, click tracking, the query log and the analytics."""

import pytest
from django.urls import reverse

from concierge.accounts.choices import Role
from concierge.core.testing import CatalogItemFactory, TicketFactory, UserFactory
from concierge.search.models import Entry, Query
from concierge.search.services import index_rebuild
from concierge.search.tests.factories import article

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(db):
    article(slug="reset-password", title="Reset your forgotten password",
            summary="Choose a new password from the sign-in page.")
    article(slug="reset-password", language="de", title="Passwort zurücksetzen",
            summary="Neues Passwort auf der Anmeldeseite.")
    article(slug="desk-only", title="Password resets for agents", audience="agents")
    CatalogItemFactory(slug="password-safe", name={"en": "Password safe", "de": "Passwort-Safe"},
                       summary={"en": "A vault for <team> passwords", "de": "Ein Tresor"})
    index_rebuild()


def test_every_page_has_the_search_box(employee_client):
    html = employee_client.get(reverse("portal:home")).content.decode()
    assert 'role="combobox"' in html
    assert f'action="{reverse("search:page")}"' in html
    assert f'hx-get="{reverse("search:instant")}"' in html


def test_instant_results_are_grouped_and_highlighted(employee_client, employee, indexed):
    TicketFactory(requester=employee, title="Password reset did not work")
    response = employee_client.get(reverse("search:instant"), {"q": "password"},
                                   headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    services, articles, requests = (html.index("search-group-services"),
                                    html.index("search-group-articles"),
                                    html.index("search-group-requests"))
    assert services < articles < requests
    assert "Reset your forgotten <mark>password</mark>" in html
    assert "&lt;team&gt;" in html and "<team>" not in html
    assert "agents" not in html  # the agents-only article stays hidden
    assert html.count('role="option"') == 4  # item, article, request, "all results"


def test_instant_results_need_two_letters(employee_client, indexed):
    response = employee_client.get(reverse("search:instant"), {"q": "p"})
    assert response.content == b""


def test_instant_results_keep_a_constant_number_of_queries(
        employee_client, employee, indexed, django_assert_max_num_queries):
    employee_client.get(reverse("search:instant"), {"q": "warm"})
    with django_assert_max_num_queries(17):
        employee_client.get(reverse("search:instant"), {"q": "password reset"})


def test_results_page_works_without_javascript(employee_client, indexed):
    response = employee_client.get(reverse("search:page"), {"q": "password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 results" in html
    assert 'href="?kind=item&amp;q=password"' in html or "kind=item" in html
    only_items = employee_client.get(reverse("search:page"), {"q": "password", "kind": "item"})
    assert "1 result" in only_items.content.decode()
    assert "/item/password-safe/" in only_items.content.decode()


def test_results_page_paginates(employee_client):
    for n in range(13):
        article(slug=f"vpn-{n}", title=f"VPN tip number {n}")
    index_rebuild()
    first = employee_client.get(reverse("search:page"), {"q": "vpn tip"}).content.decode()
    assert "13 results" in first and "Page 1 of 2" in first
    second = employee_client.get(reverse("search:page"), {"q": "vpn tip", "page": 2})
    assert second.content.decode().count('class="search-hit"') == 3


@pytest.mark.parametrize("text", ['"', "NEAR(", "*", "' OR 1=1 --", "x" * 3000, "ä" * 50])
def test_odd_input_answers_200(employee_client, indexed, text):
    assert employee_client.get(reverse("search:instant"), {"q": text}).status_code == 200
    assert employee_client.get(reverse("search:page"), {"q": text}).status_code == 200


def test_unknown_facets_are_ignored(employee_client, indexed):
    response = employee_client.get(reverse("search:page"), {"q": "password", "kind": "<x>",
                                                            "lang": "fr", "page": "zz"})
    assert response.status_code == 200


def _token(response) -> str:
    import re

    return re.search(r'name="prev" id="header-q-prev" value="([^"]+)"',
                     response.content.decode())[1]


def test_a_click_is_recorded_and_leads_to_the_result(employee_client, indexed):
    first = employee_client.get(reverse("search:instant"), {"q": "passw"})
    second = employee_client.get(reverse("search:instant"), {"q": "password",
                                                             "prev": _token(first)})
    query = Query.objects.get()  # typing on updates one row
    assert (query.text, query.result_count) == ("password", 2)
    response = employee_client.get(reverse("search:go", args=["article", "reset-password"]),
                                   {"t": _token(second), "rank": 1, "q": "password"})
    assert response.url == "/help/reset-password/?q=password"
    query.refresh_from_db()
    assert (query.clicked_kind, query.clicked_key, query.clicked_rank) == (
        "article", "reset-password", 1)


def test_a_forged_token_records_nothing(employee_client, indexed):
    employee_client.get(reverse("search:instant"), {"q": "password"})
    query = Query.objects.get()
    response = employee_client.get(reverse("search:go", args=["item", "password-safe"]),
                                   {"t": f"{query.pk}:forged"})
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.clicked_kind == ""


def test_searching_writes_no_session(employee_client, indexed):
    employee_client.get(reverse("search:instant"), {"q": "password"})
    response = employee_client.get(reverse("search:instant"), {"q": "vpn"})
    assert "sessionid" not in response.cookies


def test_go_rejects_unknown_kinds(employee_client):
    assert employee_client.get(reverse("search:go", args=["user", "x"])).status_code == 404


def test_a_new_search_is_a_new_row(employee_client, indexed):
    first = employee_client.get(reverse("search:instant"), {"q": "password"})
    employee_client.get(reverse("search:instant"), {"q": "vpn", "prev": _token(first)})
    assert list(Query.objects.order_by("pk").values_list("text", flat=True)) == [
        "password", "vpn"]


def test_the_results_page_logs_a_search_once(employee_client):
    for n in range(13):
        article(slug=f"vpn-{n}", title=f"VPN tip number {n}")
    index_rebuild()
    first = employee_client.get(reverse("search:page"), {"q": "vpn tip"})
    token = first.context["token"]
    employee_client.get(reverse("search:page"), {"q": "vpn tip", "page": 2, "prev": token})
    employee_client.get(reverse("search:page"), {"q": "vpn tip", "lang": "en", "prev": token})
    assert Query.objects.count() == 1


def test_query_log_keeps_no_user(employee_client, indexed):
    employee_client.get(reverse("search:instant"), {"q": "password"})
    assert {f.name for f in Query._meta.get_fields()}.isdisjoint({"user", "session", "ip"})


def test_search_needs_sign_in(client):
    response = client.get(reverse("search:page"), {"q": "x"})
    assert response.status_code == 302


def test_saving_an_article_updates_the_index_after_commit(
        employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = article(slug="teams-audio", title="No sound in Teams calls")
    assert Entry.objects.filter(key="teams-audio").exists()
    with django_capture_on_commit_callbacks(execute=True):
        a.title = "Echo in Teams calls"
        a.save()
    assert Entry.objects.get(key="teams-audio").title == "Echo in Teams calls"
    with django_capture_on_commit_callbacks(execute=True):
        a.delete()
    assert not Entry.objects.filter(key="teams-audio").exists()


def test_saving_without_commit_leaves_the_index_alone(employee):
    article(slug="late", title="Not yet indexed")
    assert not Entry.objects.filter(key="late").exists()


# --- analytics --------------------------------------------------------------------------------

@pytest.fixture
def knowledge_manager(org):
    return UserFactory(organisation=org, roles=[Role.KNOWLEDGE_MANAGER])


def test_analytics_only_for_knowledge_managers(client, employee, knowledge_manager):
    client.force_login(employee)
    assert client.get(reverse("search:analytics")).status_code == 404
    client.force_login(knowledge_manager)
    assert client.get(reverse("search:analytics")).status_code == 200


def test_analytics_numbers(client, knowledge_manager, django_assert_max_num_queries):
    Query.objects.create(text="VPN", language="en", result_count=3, clicked_kind="article",
                         clicked_key="vpn")
    Query.objects.create(text="vpn", language="en", result_count=3)
    Query.objects.create(text="fax machine", language="en", result_count=0)
    article(slug="bad", title="Unclear article", helpful_yes=1, helpful_no=9)
    article(slug="loved", title="Loved article", helpful_yes=200, helpful_no=12)
    article(slug="few", title="Barely rated", helpful_yes=0, helpful_no=2)
    client.force_login(knowledge_manager)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("search:analytics"))
    context = response.context
    assert context["searches"] == 3
    assert context["ctr"] == pytest.approx(1 / 3)
    assert context["top"][0]["t"] == "vpn" and context["top"][0]["n"] == 2
    assert context["top"][0]["ctr"] == 0.5
    assert [row["t"] for row in context["no_result"]] == ["fax machine"]
    assert [a.slug for a in context["unhelpful"]] == ["bad", "loved"]  # by share; 3+ only


def test_instant_results_say_nothing_found_only_when_nothing_was(employee_client, indexed):
    found = employee_client.get(reverse("search:instant"), {"q": "password"}).content.decode()
    assert "Nothing found" not in found and "2 results" in found
    empty = employee_client.get(reverse("search:instant"), {"q": "qqqq zzzz"}).content.decode()
    assert "Nothing found" in empty
