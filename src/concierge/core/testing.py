"""Factories and personas for tests (a pytest plugin, loaded by the root conftest.py).

Personas, like healthchecks' alice/bob/charlie: ``employee`` orders things, ``manager`` is their
manager, ``agent`` works tickets, ``outsider`` is a colleague in the same organisation who must
see nothing of the employee's, ``stranger`` is in another organisation, ``admin`` configures.
"""

import copy

import factory
import pytest
from django.contrib.auth.models import Group

from concierge.accounts.choices import Role
from concierge.accounts.models import CostCentre, Department, Organisation, User
from concierge.catalog.models import CatalogItem, Category
from concierge.tickets.choices import TicketKind
from concierge.tickets.models import Ticket

WEBCAM_FORM = {
    "steps": [
        {"key": "choice", "title": {"en": "Your webcam", "de": "Ihre Webcam"}, "questions": [
            {"key": "model", "type": "choice", "required": True, "default": "standard",
             "label": {"en": "Which model?", "de": "Welches Modell?"},
             "choices": [
                 {"value": "standard", "label": {"en": "Standard", "de": "Standard"}},
                 {"value": "pro", "label": {"en": "Pro 4K", "de": "Pro 4K"}},
             ]},
            {"key": "reason", "type": "textarea", "required": True,
             "label": {"en": "Why do you need the Pro model?",
                       "de": "Wozu brauchen Sie das Pro-Modell?"},
             "show_when": {"question": "model", "equals": "pro"}},
        ]},
        {"key": "delivery", "title": {"en": "Delivery", "de": "Lieferung"}, "questions": [
            {"key": "address", "type": "text", "required": True, "default_from": "location",
             "label": {"en": "Delivery address", "de": "Lieferadresse"}},
            {"key": "quantity", "type": "number", "min": 1, "max": 3, "default": 1,
             "label": {"en": "How many?", "de": "Wie viele?"}},
        ]},
    ]
}


def enrol_mfa(user, secret: str | None = None):
    """Give ``user`` an authenticator app (TOTP) with ``secret``; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    location = "Munich, HQ"
    phone = "+49 89 1234"
    language = "en"
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=role)[0])

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Agents and admins have a second factor (the portal insists); ``mfa=False``: not yet."""
        from concierge.accounts.mfa import mfa_required_for

        if create and extracted is not False and mfa_required_for(self):
            enrol_mfa(self)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: {"en": f"Category {n}", "de": f"Kategorie {n}"})
    illustration = "devices"


class CatalogItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    slug = factory.Sequence(lambda n: f"item-{n}")
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: {"en": f"Item {n}", "de": f"Artikel {n}"})
    summary = {"en": "Something useful", "de": "Etwas Nützliches"}
    description = {"en": "It **helps**.", "de": "Es **hilft**."}
    price_once = 79
    delivery_days = 3
    form = factory.LazyFunction(lambda: copy.deepcopy(WEBCAM_FORM))


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    kind = TicketKind.REQUEST
    title = factory.Sequence(lambda n: f"Request {n}")
    requester = factory.SubFactory(UserFactory)
    requested_for = factory.SelfAttribute("requester")
    organisation = factory.SelfAttribute("requester.organisation")
    item_name = {"en": "Webcam", "de": "Webcam"}


@pytest.fixture
def org(db):
    return OrganisationFactory(slug="acme", name="Acme")


@pytest.fixture
def manager(org):
    return UserFactory(email="manager@acme.example", display_name="Mia Manager", organisation=org)


@pytest.fixture
def employee(org, manager):
    department = DepartmentFactory(organisation=org, code="finance", name="Finance")
    cost_centre = CostCentre.objects.create(organisation=org, code="410200", name="Finance",
                                            owner=manager)
    return UserFactory(email="emma@acme.example", display_name="Emma Employee",
                       organisation=org, manager=manager, department=department,
                       cost_centre=cost_centre, location="Munich, Floor 3")


@pytest.fixture
def outsider(org):
    return UserFactory(email="otto@acme.example", display_name="Otto Outsider", organisation=org)


@pytest.fixture
def stranger(db):
    return UserFactory(email="sam@elsewhere.example", display_name="Sam Stranger",
                       organisation=OrganisationFactory(slug="elsewhere"))


@pytest.fixture
def agent(org):
    return UserFactory(email="agent@acme.example", display_name="Alex Agent", organisation=org,
                       roles=[Role.AGENT])


@pytest.fixture
def admin_user(org):
    return UserFactory(email="admin@acme.example", display_name="Ada Admin", organisation=org,
                       is_staff=True, is_superuser=True)


@pytest.fixture
def webcam(db):
    return CatalogItemFactory(slug="webcam", name={"en": "Webcam", "de": "Webcam"},
                              category=CategoryFactory(slug="accessories"))


@pytest.fixture
def employee_client(client, employee):
    client.force_login(employee)
    return client
