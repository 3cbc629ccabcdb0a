from decimal import Decimal

import pytest

from concierge.catalog.formspec import FormSpecError, parse_form
from concierge.catalog.pricing import price_for
from concierge.core.testing import CatalogItemFactory

FORM = {"steps": [{"key": "s", "title": "S", "questions": [
    {"key": "model", "type": "choice", "label": "Model", "choices": [
        {"value": "standard", "label": "Standard"},
        {"value": "pro", "label": "Pro", "price_once": "110.00"}]},
    {"key": "extras", "type": "multichoice", "label": "Extras", "choices": [
        {"value": "bag", "label": "Bag", "price_once": 30},
        {"value": "cloud", "label": "Cloud", "price_monthly": "5.00"}]},
    {"key": "pencil", "type": "yesno", "label": "Pencil?", "price_once": 99,
     "show_when": {"question": "model", "equals": "pro"}},
]}]}


@pytest.mark.django_db
@pytest.mark.parametrize(("answers", "once", "monthly"), [
    ({"model": "standard"}, "100.00", "0.00"),
    ({"model": "pro", "extras": ["bag", "cloud"]}, "240.00", "5.00"),
    ({"model": "pro", "pencil": True}, "309.00", "0.00"),
    # The pencil question is hidden for the standard model: its answer does not count.
    ({"model": "standard", "pencil": True}, "100.00", "0.00"),
])
def test_the_price_adds_what_the_chosen_options_cost(answers, once, monthly):
    item = CatalogItemFactory(price_once=100, price_monthly=0, form=FORM)
    price = price_for(item, item.form_spec, answers)
    assert (price.once, price.monthly) == (Decimal(once), Decimal(monthly))


def test_a_surcharge_must_be_a_number():
    bad = {"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "m", "type": "choice", "label": "M", "choices": [
            {"value": "a", "label": "A", "price_once": "lots"}]}]}]}
    with pytest.raises(FormSpecError, match="price_once"):
        parse_form(bad)


@pytest.mark.django_db
def test_the_wizard_shows_surcharges_and_the_total(employee_client):
    from django.urls import reverse

    CatalogItemFactory(slug="cam", price_once=79, form=FORM)
    page = employee_client.get(reverse("tickets:wizard-step", args=["cam", "s"]))
    assert "Pro (+€110.00)" in page.content.decode()
    employee_client.post(reverse("tickets:wizard-step", args=["cam", "s"]), {
        "model": "pro", "pencil": "yes", "shown": ["model", "extras", "pencil"],
        "action": "next"})
    review = employee_client.get(reverse("tickets:wizard-review", args=["cam"])).content.decode()
    assert "€288.00" in review
    employee_client.post(reverse("tickets:wizard-review", args=["cam"]))
    from concierge.tickets.models import Ticket

    assert Ticket.objects.get().price_once == Decimal("288.00")


@pytest.mark.django_db
def test_cards_say_from_when_options_change_the_price(employee_client):
    from django.urls import reverse

    item = CatalogItemFactory(slug="cam", price_once=79, form=FORM)
    assert item.price_varies
    plain = CatalogItemFactory(slug="plain", price_once=0, form={})
    assert not plain.price_varies
    page = employee_client.get(reverse("catalog:index")).content.decode()
    assert "from" in page and "Free" in page


@pytest.mark.django_db
@pytest.mark.parametrize("restriction", ["organisation", "department", "role", "open"])
def test_who_may_order_an_item(employee, stranger, restriction):
    from django.contrib.auth.models import Group
    from django.http import Http404

    from concierge.accounts.choices import Role
    from concierge.catalog.selectors import item_get_for, item_list_for

    item = CatalogItemFactory(slug="restricted")
    if restriction == "organisation":
        item.audience_organisations.add(employee.organisation)
    elif restriction == "department":
        item.audience_departments.add(employee.department)
    elif restriction == "role":
        group = Group.objects.get_or_create(name=Role.AGENT)[0]
        item.audience_roles.add(group)
        employee.groups.add(group)
        employee = type(employee).objects.get(pk=employee.pk)  # fresh cached roles
    assert item_get_for(employee, "restricted") == item
    assert item in item_list_for(employee)
    if restriction == "open":
        assert item_get_for(stranger, "restricted") == item
        return
    with pytest.raises(Http404):
        item_get_for(stranger, "restricted")
    assert item not in item_list_for(stranger)
