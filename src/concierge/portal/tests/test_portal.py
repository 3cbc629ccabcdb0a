import pytest
from django.core.management import call_command
from django.urls import reverse

from concierge.core.testing import CatalogItemFactory, TicketFactory


def test_home_shows_greeting_open_requests_and_popular_services(employee_client, employee,
                                                                 webcam):
    TicketFactory(requester=employee, title="My headset")
    content = employee_client.get(reverse("portal:home")).content.decode()
    assert "Hello Emma" in content and "My headset" in content and "Webcam" in content


def test_home_requires_sign_in(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_catalog_lists_categories_and_searches(employee_client, webcam):
    CatalogItemFactory(slug="headset", name={"en": "Headset", "de": "Headset"},
                       category=webcam.category, keywords={"de": ["Kopfhörer"]})
    page = employee_client.get(reverse("catalog:index")).content.decode()
    assert "Webcam" in page and "Headset" in page
    page = employee_client.get(reverse("catalog:index"), {"q": "kopfhörer"}).content.decode()
    assert "Headset" in page and "Webcam" not in page
    page = employee_client.get(reverse("catalog:index"), {"q": "zzz"}).content.decode()
    assert "No service matches" in page


def test_catalog_search_via_htmx_returns_results_only(employee_client, webcam):
    response = employee_client.get(reverse("catalog:index"), {"q": "web"},
                                   headers={"HX-Request": "true"})
    assert b"<html" not in response.content and b"Webcam" in response.content


def test_item_page_shows_value(employee_client, webcam):
    content = employee_client.get(webcam.get_absolute_url()).content.decode()
    assert "€79.00" in content and "3 working days" in content
    assert "<strong>helps</strong>" in content


def test_item_page_shows_what_one_already_asked_for(employee_client, employee, webcam):
    ticket = TicketFactory(requester=employee, item=webcam)
    content = employee_client.get(webcam.get_absolute_url()).content.decode()
    assert "You already asked for this" in content and ticket.number in content


def test_category_page_and_unknown_category(employee_client, webcam):
    assert employee_client.get(webcam.category.get_absolute_url()).status_code == 200
    assert employee_client.get(reverse("catalog:category", args=["nope"])).status_code == 404


def test_catalog_query_count_does_not_grow_with_items(employee_client, webcam,
                                                      django_assert_max_num_queries):
    employee_client.get(reverse("catalog:index"))
    for index in range(20):
        CatalogItemFactory(category=webcam.category, slug=f"extra-{index}")
    # Every page also counts the header's to-dos and unread notifications.
    with django_assert_max_num_queries(10):
        employee_client.get(reverse("catalog:index"))


def test_healthz_and_floor(client, db):
    assert client.get(reverse("portal:healthz")).json() == {"status": "ok"}
    assert client.get(reverse("portal:floor")).content == b"ok"


def test_pages_send_a_strict_content_security_policy(employee_client, webcam):
    response = employee_client.get(reverse("portal:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_pages_get_a_friendly_404(employee_client):
    response = employee_client.get("/no/such/page/")
    assert response.status_code == 404 and "could not find" in response.content.decode()


def test_the_demo_data_loads_twice_without_changes(db):
    from concierge.accounts.models import User
    from concierge.catalog.models import CatalogItem
    from concierge.tickets.models import Ticket

    call_command("load_demo")
    counts = (User.objects.count(), CatalogItem.objects.count(), Ticket.objects.count())
    stamps = list(CatalogItem.objects.values_list("updated_at", flat=True))
    call_command("load_demo")
    assert (User.objects.count(), CatalogItem.objects.count(), Ticket.objects.count()) == counts
    assert list(CatalogItem.objects.values_list("updated_at", flat=True)) == stamps
    assert counts[0] >= 60 and counts[1] >= 40 and counts[2] > 0
    # Every demo ticket is in a group's queue; those under way are Sofia's; James's requests
    # (another organisation) reach her through her groups.
    assert not Ticket.objects.filter(group__isnull=True).exists()
    sofia = User.objects.get(email="sofia.agent@alpenblick.example")
    under_way = Ticket.objects.filter(requester__email__in=[
        "anna.schmidt@alpenblick.example", "james.miller@harborfinch.example"]).exclude(
        status__in=["submitted", "waiting_approval"])
    assert under_way.exists() and not under_way.exclude(assignee=sofia).exists()
    assert not under_way.filter(resolution_due_at__isnull=True).exists()  # service levels
    james = Ticket.objects.filter(requester__email="james.miller@harborfinch.example",
                                  kind="request")
    assert james.exists() and not james.exclude(group_id__in=sofia.group_ids).exists()


@pytest.mark.django_db
def test_deploy_checks_pass_with_production_settings(monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[4]
    env = {"CONCIERGE_HTTPS": "true", "CONCIERGE_SECRET_KEY": "k" * 20 + "x-Y_z" * 10,
           "CONCIERGE_ALLOWED_HOSTS": "concierge.example.com", "PATH": "/usr/bin:/bin",
           "EMAIL_HOST": "smtp.example.com",
           "CONCIERGE_DATA_DIR": str(root / "var")}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                             "--fail-level", "WARNING"], cwd=root, env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_catalog_managers_edit_forms_with_a_live_preview(client, admin_user, webcam):
    client.force_login(admin_user)
    page = client.get(reverse("admin:catalog_catalogitem_change", args=[webcam.pk]))
    assert page.status_code == 200 and b"form_yaml" in page.content
    preview = client.post(reverse("admin:catalog_catalogitem_preview"), {
        "form_yaml": "steps:\n- key: a\n  title: A\n  questions:\n  - {key: q, type: yesno, "
                     "label: Ready?}\n"})
    assert b"Ready?" in preview.content
    broken = client.post(reverse("admin:catalog_catalogitem_preview"),
                         {"form_yaml": "steps: [ {key: a"})
    assert b"not valid YAML" in broken.content


def test_the_admin_refuses_an_invalid_form_with_the_reason(client, admin_user, webcam):
    client.force_login(admin_user)
    url = reverse("admin:catalog_catalogitem_change", args=[webcam.pk])
    data = {
        "slug": "webcam", "category": webcam.category.pk, "kind": "request", "active": "on",
        "position": 1, "name_en": "Webcam", "name_de": "Webcam", "summary_en": "Cam",
        "summary_de": "", "description_en": "", "description_de": "", "illustration": "webcam",
        "video_url": "", "keywords": "{}", "price_once": "79", "price_monthly": "0",
        "delivery_days": 3,
        "form_yaml": "steps:\n- key: a\n  title: A\n  questions:\n  - {key: q, type: colour, "
                     "label: X}\n",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and b"must be one of" in response.content
    data["form_yaml"] = ("steps:\n- key: a\n  title: A\n  questions:\n"
                         "  - {key: q, type: yesno, label: X}\n")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    webcam.refresh_from_db()
    assert webcam.form["steps"][0]["questions"][0]["type"] == "yesno"


def test_employees_cannot_use_the_admin(employee_client):
    response = employee_client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_catalog_managers_may_edit_the_catalog_but_not_people(client, org, webcam):
    from concierge.accounts.choices import Role
    from concierge.core.testing import UserFactory

    manager = UserFactory(organisation=org, is_staff=True, roles=[Role.CATALOG_MANAGER])
    client.force_login(manager)
    assert client.get(reverse("admin:catalog_catalogitem_change",
                              args=[webcam.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:tickets_ticket_changelist")).status_code == 403


def test_agents_may_view_tickets_in_the_admin_but_not_the_catalog(client, org, agent):
    agent.is_staff = True
    agent.save()
    client.force_login(agent)
    assert client.get(reverse("admin:tickets_ticket_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_catalogitem_changelist")).status_code == 403


def test_the_admin_checks_approval_and_fulfilment_yaml(client, admin_user, webcam):
    client.force_login(admin_user)
    url = reverse("admin:catalog_catalogitem_change", args=[webcam.pk])
    data = {
        "slug": "webcam", "category": webcam.category.pk, "kind": "request", "active": "on",
        "position": 1, "name_en": "Webcam", "name_de": "Webcam", "summary_en": "Cam",
        "summary_de": "", "description_en": "", "description_de": "", "illustration": "webcam",
        "video_url": "", "keywords": "{}", "price_once": "79", "price_monthly": "0",
        "delivery_days": 3, "form_yaml": "",
        "approval_yaml": "stages:\n- {key: a, title: A, approvers: the boss}\n",
        "fulfilment_yaml": "tasks:\n- {key: a, title: A, action: teleport}\n",
    }
    response = client.post(url, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "approval.stages[0].approvers" in content
    assert "fulfilment.tasks[0].action" in content
    data["approval_yaml"] = "stages:\n- {key: a, title: A, approvers: manager}\n"
    data["fulfilment_yaml"] = "tasks:\n- {key: a, title: A, group: it-workplace}\n"
    assert client.post(url, data).status_code == 302
    webcam.refresh_from_db()
    assert webcam.approval["stages"][0]["approvers"] == "manager"
    assert webcam.fulfilment["tasks"][0]["group"] == "it-workplace"


def test_the_stylesheet_closes_every_block():
    """A merge that drops one "}" silently moves every later rule into a media query."""
    import re
    from pathlib import Path

    import concierge

    css = (Path(concierge.__file__).parent / "static" / "css" / "app.css").read_text()
    depth = 0
    for number, line in enumerate(css.splitlines(), 1):
        if line.startswith("/* ---"):
            assert depth == 0, f"app.css line {number}: a section starts inside an open block"
        code = re.sub(r"/\*.*?\*/", "", line)
        depth += code.count("{") - code.count("}")
        assert depth >= 0, f"app.css line {number}: a '}}' too many"
    assert depth == 0, "app.css: a block is not closed"
