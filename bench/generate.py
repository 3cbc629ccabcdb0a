"""The bench data set: a large, plausible portal for `make bench` to measure pages against.

What it makes (fixed random seed, so every run makes the same data):

- 10,000 people in two organisations, with departments, cost centres, managers and agents;
- 500 catalog items in 10 categories, each with a small declarative form (two steps, a
  condition, profile defaults), some limited to an organisation, a department or a role;
- 200,000 tickets over two years with their activity (submitted, status changes), a third of
  them with 1-3 comments;
- one "bench employee" with ~200 tickets of their own (and a few ordered for them), so that
  "My requests" and a ticket's page look like those of a long-standing employee.

Rows are written with ``bulk_create`` in batches. The data set is cached: when the database
already holds exactly these counts it is reused; otherwise it is flushed and made anew. When its
tables no longer match the models (a migration was edited after it was applied), the script
exits with STALE_SCHEMA and leaves it to bench/run.py to make the database anew. It only
ever runs on a bench database (a SQLite file under a ``bench`` folder, or a PostgreSQL database
whose name contains ``bench``), never on the dev or production one.

Run it with the bench environment (bench/run.py does)::

    CONCIERGE_DATA_DIR=var/bench .venv/bin/python bench/generate.py

Progress goes to stderr; stdout gets one JSON object describing the data set (the bench
employee's credentials, the item and ticket whose pages are measured, the counts).
"""

import datetime
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import django

if __name__ == "__main__":  # as a script: set Django up before the models are imported
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    django.setup()

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from concierge.accounts.choices import Role
from concierge.accounts.models import CostCentre, Department, Organisation, User
from concierge.catalog.formspec import parse_form
from concierge.catalog.models import CatalogItem, Category
from concierge.catalog.wizard import answer_display
from concierge.sla.engine import Schedule, add_business_seconds
from concierge.tickets.choices import OPEN_STATUSES, Priority, TicketStatus
from concierge.tickets.models import Activity, Comment, Ticket

PEOPLE = 10_000
ITEMS_PER_CATEGORY = 50
TICKETS = 200_000
EMPLOYEE_TICKETS = 200
EMPLOYEE_RECEIVED = 8  # ordered for the employee by their manager
COMMENTED_SHARE = 1 / 3
AGENTS_PER_ORGANISATION = 30
HISTORY_DAYS = 730
BATCH = 2_000
CHUNK = 10_000  # tickets written (with their comments and activity) per transaction
SEED = 20_240_601
STALE_SCHEMA = 3  # exit code: the tables differ from the models, the database must be made anew

EMPLOYEE_EMAIL = "bench.employee@alpenblick.example"
AGENT_EMAIL = "bench.agent@alpenblick.example"  # works the desk: in every IT group
PASSWORD = "bench-password-1"  # every bench person's; the employee and the agent sign in
# Agents must sign in with a second factor: the bench agent's authenticator app (TOTP) secret.
AGENT_TOTP_SECRET = "KRUGS4ZANFZSAYJAMJSW4Y3IEBQWOZLO"
IT_GROUPS = ["service-desk", "it-workplace", "it-procurement"]
# The service levels of the demo (desk/demo.py): Mon-Fri 08:00-18:00 in Berlin; priority ->
# first response and resolution in business minutes. The bench has no holidays.
SLA_SCHEDULE = Schedule("Europe/Berlin", {day: ((480, 1080),) for day in range(5)})
SLA_TARGETS = {Priority.CRITICAL: (30, 240), Priority.HIGH: (60, 480),
               Priority.MEDIUM: (240, 1800), Priority.LOW: (480, 3000)}
SLA_WARN = 0.8

ORGANISATIONS = [  # slug, name, e-mail domain, share of the people
    ("alpine", "Alpenblick Versicherung AG", "alpenblick.example", 0.6),
    ("harbor", "Harbor & Finch Consulting Ltd", "harborfinch.example", 0.4),
]
DEPARTMENTS = [("finance", "Finance"), ("hr", "Human resources"), ("it", "IT"),
               ("sales", "Sales"), ("marketing", "Marketing"), ("operations", "Operations"),
               ("legal", "Legal"), ("engineering", "Engineering")]
LOCATIONS = ["Munich, HQ", "Munich, Floor 3", "Hamburg, Harbour Office", "Berlin, Mitte",
             "London, Finch House", "Vienna, Ring", "Zurich, Bahnhofstrasse", "Home office"]
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Isabel",
               "Jonas", "Katharina", "Leon", "Mia", "Noah", "Olivia", "Paul", "Quentin", "Rosa",
               "Samuel", "Tanja", "Uwe", "Valerie", "William", "Xenia", "Yusuf", "Zoe", "James",
               "Charlotte", "Oliver", "Amelia", "Harry", "Sophie", "Lukas", "Lea", "Maximilian",
               "Marie", "Elias", "Lina", "Finn", "Ella"]
LAST_NAMES = ["Schmidt", "Müller", "Weber", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch",
              "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krüger",
              "Hartmann", "Lange", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson",
              "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White",
              "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Fischer", "Meyer"]
VARIANTS = ["Standard", "Pro", "Compact", "Plus", "Lite", "Max", "Travel", "Office", "Studio",
            "Eco"]
COMMENTS = [
    "Thanks, we have ordered it. Delivery usually takes three working days.",
    "Could you tell us since when this has been happening?",
    "It started yesterday morning, right after the update.",
    "We need your manager's approval first; we have asked them for you.",
    "The technician will come by your desk tomorrow between 9 and 11.",
    "Great, it works again. Thank you!",
    "Is the old device still with you? We will collect it when we deliver the new one.",
    "Könnten Sie uns bitte Ihre Raumnummer nennen?",
    "Access has been granted; please sign out and in again to see the folder.",
    "Still waiting for the supplier, we expect the parts next week.",
]


# --- the catalog ------------------------------------------------------------------------------

def _t(en: str, de: str) -> dict:
    return {"en": en, "de": de}


def _choices(*pairs: tuple[str, str, str]) -> list[dict]:
    return [{"value": value, "label": _t(en, de)} for value, en, de in pairs]


def order_form() -> dict:
    """Like the tests' webcam form: a model (a reason for the pricier one), then delivery."""
    return {"steps": [
        {"key": "choice", "title": _t("Your choice", "Ihre Auswahl"), "questions": [
            {"key": "model", "type": "choice", "required": True, "default": "standard",
             "label": _t("Which model?", "Welches Modell?"),
             "choices": _choices(("standard", "Standard", "Standard"),
                                 ("pro", "Pro", "Pro"))},
            {"key": "reason", "type": "textarea", "required": True,
             "label": _t("Why do you need the Pro model?", "Wozu brauchen Sie das Pro-Modell?"),
             "show_when": {"question": "model", "equals": "pro"}},
        ]},
        {"key": "delivery", "title": _t("Delivery", "Lieferung"), "questions": [
            {"key": "address", "type": "text", "required": True, "default_from": "location",
             "label": _t("Delivery address", "Lieferadresse")},
            {"key": "quantity", "type": "number", "min": 1, "max": 3, "default": 1,
             "label": _t("How many?", "Wie viele?")},
        ]},
    ]}


def access_form() -> dict:
    """What to access and how much; admin rights need a reason; then by when."""
    return {"steps": [
        {"key": "access", "title": _t("Access", "Zugang"), "questions": [
            {"key": "system", "type": "text", "required": True, "max_length": 120,
             "label": _t("Folder or application", "Ordner oder Anwendung")},
            {"key": "level", "type": "choice", "required": True, "default": "read",
             "label": _t("Which rights?", "Welche Rechte?"),
             "choices": _choices(("read", "Read", "Lesen"), ("write", "Read and write",
                                                            "Lesen und schreiben"),
                                 ("admin", "Administrator", "Administrator"))},
            {"key": "justification", "type": "textarea", "required": True,
             "label": _t("Why do you need administrator rights?",
                         "Wozu brauchen Sie Administratorrechte?"),
             "show_when": {"question": "level", "equals": "admin"}},
        ]},
        {"key": "when", "title": _t("Timing", "Zeitpunkt"), "questions": [
            {"key": "needed_by", "type": "date", "min_days_ahead": 0, "max_days_ahead": 90,
             "label": _t("Needed by", "Benötigt bis")},
            {"key": "note", "type": "textarea", "max_length": 500,
             "label": _t("Anything else?", "Noch etwas?")},
        ]},
    ]}


def incident_form() -> dict:
    """What is broken and how badly, then how to reach the person."""
    levels = (("low", "Low", "Niedrig"), ("medium", "Medium", "Mittel"),
              ("high", "High", "Hoch"))
    return {"steps": [
        {"key": "problem", "title": _t("The problem", "Das Problem"), "questions": [
            {"key": "summary", "type": "text", "required": True, "max_length": 120,
             "label": _t("What is not working?", "Was funktioniert nicht?")},
            {"key": "details", "type": "textarea",
             "label": _t("What happens exactly?", "Was passiert genau?")},
            {"key": "impact", "type": "choice", "default": "medium", "choices": _choices(*levels),
             "label": _t("How many people are affected?", "Wie viele sind betroffen?")},
            {"key": "urgency", "type": "choice", "default": "medium",
             "choices": _choices(*levels), "label": _t("How urgent is it?", "Wie dringend?")},
        ]},
        {"key": "contact", "title": _t("Reaching you", "Erreichbarkeit"), "questions": [
            {"key": "phone", "type": "text", "default_from": "phone",
             "label": _t("Phone", "Telefon")},
            {"key": "location", "type": "text", "default_from": "location",
             "label": _t("Where are you?", "Wo sind Sie?")},
        ]},
    ]}


def person_form() -> dict:
    """Who the change is about and from when; equipment for newcomers."""
    return {"steps": [
        {"key": "person", "title": _t("The person", "Die Person"), "questions": [
            {"key": "full_name", "type": "text", "required": True,
             "label": _t("Full name", "Vollständiger Name")},
            {"key": "starts_on", "type": "date", "required": True,
             "label": _t("From", "Ab")},
            {"key": "department", "type": "text", "default_from": "department",
             "label": _t("Department", "Abteilung")},
        ]},
        {"key": "equipment", "title": _t("Equipment", "Ausstattung"), "questions": [
            {"key": "needs_laptop", "type": "yesno", "default": True,
             "label": _t("Needs a laptop?", "Braucht einen Laptop?")},
            {"key": "laptop_model", "type": "choice", "default": "standard",
             "label": _t("Which laptop?", "Welcher Laptop?"),
             "choices": _choices(("standard", "Standard", "Standard"),
                                 ("developer", "Developer", "Entwickler")),
             "show_when": {"question": "needs_laptop", "equals": True}},
        ]},
    ]}


# slug, English and German name, illustration, form, kind, [(item name en, de, illustration)]
CATEGORIES = [
    ("broken", "Something is broken", "Etwas funktioniert nicht", "broken", incident_form,
     "incident", [("Laptop problem", "Laptop-Problem", "broken"),
                  ("Phone problem", "Telefon-Problem", "phone-broken"),
                  ("Printer problem", "Drucker-Problem", "printer"),
                  ("Network problem", "Netzwerk-Problem", "wifi"),
                  ("Program problem", "Programm-Problem", "software")]),
    ("devices", "Computers & phones", "Computer & Telefone", "devices", order_form, "request",
     [("Laptop", "Laptop", "laptop"), ("Workstation", "Workstation", "workstation"),
      ("Smartphone", "Smartphone", "phone"), ("Tablet", "Tablet", "tablet"),
      ("SIM card", "SIM-Karte", "sim-card")]),
    ("accessories", "Accessories", "Zubehör", "accessories", order_form, "request",
     [("Webcam", "Webcam", "webcam"), ("Headset", "Headset", "headset"),
      ("Monitor", "Bildschirm", "monitor"), ("Keyboard", "Tastatur", "keyboard"),
      ("Mouse", "Maus", "mouse")]),
    ("docking", "Docking & cables", "Docking & Kabel", "docking-station", order_form, "request",
     [("Docking station", "Dockingstation", "docking-station"),
      ("USB-C adapter", "USB-C-Adapter", "adapter"), ("Speaker", "Lautsprecher", "speaker"),
      ("Laptop bag", "Laptoptasche", "bag"), ("Privacy filter", "Blickschutzfilter",
                                              "privacy-filter")]),
    ("software", "Software & licences", "Software & Lizenzen", "software", access_form,
     "request", [("Software install", "Software-Installation", "software"),
                 ("Licence", "Lizenz", "licence"),
                 ("Cloud storage", "Cloud-Speicher", "cloud-storage"),
                 ("Design suite", "Design-Paket", "software"),
                 ("Statistics package", "Statistikpaket", "licence")]),
    ("access", "Access & permissions", "Zugänge & Berechtigungen", "access", access_form,
     "request", [("Folder access", "Ordnerzugriff", "folder-access"),
                 ("Application access", "Anwendungszugriff", "app-access"),
                 ("Admin rights", "Administratorrechte", "admin-rights"),
                 ("Printer access", "Druckerzugang", "printer"),
                 ("Password reset", "Passwort zurücksetzen", "password")]),
    ("accounts", "People & accounts", "Personen & Konten", "people", person_form, "request",
     [("New colleague", "Neue Kollegin / neuer Kollege", "new-user"),
      ("Leaver", "Austritt", "leaver"), ("Name change", "Namensänderung", "name-change"),
      ("Team change", "Teamwechsel", "people"), ("External staff", "Externe", "new-user")]),
    ("communication", "E-mail & connections", "E-Mail & Verbindungen", "mailbox", access_form,
     "request", [("Shared mailbox", "Funktionspostfach", "mailbox"),
                 ("Distribution list", "Verteilerliste", "distribution-list"),
                 ("VPN access", "VPN-Zugang", "vpn"), ("Guest Wi-Fi", "Gäste-WLAN", "wifi"),
                 ("Phone line", "Telefonanschluss", "phone")]),
    ("printing", "Printing & scanning", "Drucken & Scannen", "printer", order_form, "request",
     [("Desk printer", "Arbeitsplatzdrucker", "printer"), ("Toner", "Toner", "printer"),
      ("Scanner", "Scanner", "printer"), ("Label printer", "Etikettendrucker", "printer"),
      ("Plotter", "Plotter", "printer")]),
    ("help", "Help & training", "Hilfe & Schulung", "help", person_form, "request",
     [("Training course", "Schulung", "help"), ("Desk visit", "Besuch am Platz", "help"),
      ("Onboarding session", "Einführung", "people"),
      ("Security training", "Sicherheitsschulung", "password"),
      ("Meeting room set-up", "Besprechungsraum einrichten", "speaker")]),
]


def sample_answers(item: CatalogItem) -> dict:
    """Plausible answers to the item's form: defaults, first choices, short texts."""
    answers = {}
    for question in item.form_spec.questions:
        match question.type:
            case "choice":
                answers[question.key] = question.default or question.choices[0].value
            case "yesno":
                answers[question.key] = bool(question.default)
            case "number":
                answers[question.key] = question.default or 1
            case "date":
                answers[question.key] = "2025-03-03"
            case "text" | "textarea":
                answers[question.key] = "Munich, Floor 3" if question.default_from else \
                    f"{item.name['en']}: as discussed with my manager"
    return answers


def answers_snapshot(item: CatalogItem) -> list[dict]:
    """The ``Ticket.answers`` a submitted form leaves (see tickets.services.ticket_submit)."""
    spec = item.form_spec
    answers = sample_answers(item)
    step_of = {q.key: step.key for step in spec.steps for q in step.questions}
    return [{"key": q.key, "type": q.type, "label": q.label, "value": answers.get(q.key),
             "display": answer_display(q, answers.get(q.key)), "step": step_of[q.key]}
            for q in spec.visible_questions(answers)]


# --- writing ----------------------------------------------------------------------------------

def log(message: str) -> None:
    print(f"[generate] {message}", file=sys.stderr, flush=True)


@contextmanager
def explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` keep the generated dates instead of stamping every row with now."""
    fields = [f for model in model_classes for f in model._meta.concrete_fields
              if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def is_bench_database() -> bool:
    name = str(settings.DATABASES["default"]["NAME"])
    if connection.vendor == "sqlite":
        return "bench" in Path(name).parent.name
    return "bench" in name


# Columns a migration adds with SQL of its own (PostgreSQL's search vector).
COLUMNS_OUTSIDE_MODELS = {"search_entry": {"tsv"}}


def stale_tables() -> list[str]:
    """Tables whose columns differ from the models' (say, after an edited migration)."""
    stale = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if not model._meta.managed or model._meta.proxy:
                continue
            if table not in tables:
                stale.append(table)
                continue
            columns = {column.name for column in
                       connection.introspection.get_table_description(cursor, table)}
            columns -= COLUMNS_OUTSIDE_MODELS.get(table, set())
            if columns != {field.column for field in model._meta.local_concrete_fields}:
                stale.append(table)
    return stale


def existing_counts() -> dict[str, int]:
    return {"people": User.objects.count(), "items": CatalogItem.objects.count(),
            "tickets": Ticket.objects.count(),
            "employee_tickets": Ticket.objects.filter(requester__email=EMPLOYEE_EMAIL).count()}


def expected_counts() -> dict[str, int]:
    return {"people": PEOPLE, "items": len(CATEGORIES) * ITEMS_PER_CATEGORY,
            "tickets": TICKETS, "employee_tickets": EMPLOYEE_TICKETS}


class Generator:
    def __init__(self, seed: int = SEED):
        self.random = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)

    # people

    def make_people(self) -> None:
        password = make_password(PASSWORD)
        agents = Group.objects.get_or_create(name=Role.AGENT)[0]
        made = 0
        for slug, name, domain, share in ORGANISATIONS:
            org = Organisation.objects.create(slug=slug, name=name)
            departments = Department.objects.bulk_create(
                Department(organisation=org, code=code, name=label) for code, label in DEPARTMENTS)
            centres = CostCentre.objects.bulk_create(
                CostCentre(organisation=org, code=f"4{index:02d}100", name=d.name)
                for index, d in enumerate(departments))
            count = round(PEOPLE * share) - (2 if slug == "alpine" else 0)
            members = [self._person(org, domain, departments, centres, password, n)
                       for n in range(count)]
            if slug == "alpine":
                members.append(User(
                    email=AGENT_EMAIL, display_name="Arne Agent", organisation=org,
                    department=departments[2], cost_centre=centres[2], location="Munich, HQ",
                    phone="+49 89 1234 999", job_title="Service desk", language="en",
                    password=password, date_joined=self.now - datetime.timedelta(days=900)))
                members.insert(0, User(
                    email=EMPLOYEE_EMAIL, display_name="Bea Bench", organisation=org,
                    department=departments[0], cost_centre=centres[0], location="Munich, Floor 3",
                    phone="+49 89 1234 567", job_title="Accountant", language="en",
                    password=password, date_joined=self.now - datetime.timedelta(days=2000)))
            members = User.objects.bulk_create(members, batch_size=BATCH)
            # In every 25 people, the second manages the others; managers own the cost centres.
            managers = members[1::25]
            manager_pks = {manager.pk for manager in managers}
            for index, person in enumerate(members):
                if person.pk not in manager_pks:
                    person.manager = managers[index // 25 % len(managers)]
            User.objects.bulk_update(members, ["manager"], batch_size=BATCH)
            for centre, owner in zip(centres, managers, strict=False):
                centre.owner = owner
            CostCentre.objects.bulk_update(centres, ["owner"])
            User.groups.through.objects.bulk_create(
                User.groups.through(user_id=p.pk, group_id=agents.pk)
                for p in members[-AGENTS_PER_ORGANISATION:])
            # Agents work in one IT group each; the bench agent (the last) in all of them.
            groups = [Group.objects.get_or_create(name=name)[0] for name in IT_GROUPS]
            User.groups.through.objects.bulk_create(
                [User.groups.through(user_id=p.pk, group_id=groups[i % len(groups)].pk)
                 for i, p in enumerate(members[-AGENTS_PER_ORGANISATION:-1])]
                + [User.groups.through(user_id=members[-1].pk, group_id=g.pk) for g in groups
                   if slug == "alpine"])
            made += len(members)
        log(f"{made:,} people")

    def _person(self, org, domain, departments, centres, password, n) -> User:
        first, last = self.random.choice(FIRST_NAMES), self.random.choice(LAST_NAMES)
        index = self.random.randrange(len(departments))
        return User(
            email=f"{slugify(first)}.{slugify(last)}.{n}@{domain}",
            display_name=f"{first} {last}", organisation=org, department=departments[index],
            cost_centre=centres[index], location=self.random.choice(LOCATIONS),
            phone=f"+49 89 {self.random.randrange(1000, 9999)}", password=password,
            language="de" if self.random.random() < 0.3 else "en",
            date_joined=self.now - datetime.timedelta(days=self.random.randrange(30, 3000)))

    # catalog

    def make_catalog(self) -> None:
        organisations = list(Organisation.objects.order_by("pk"))
        departments = list(Department.objects.order_by("pk"))
        agents = Group.objects.get(name=Role.AGENT)
        for position, (slug, en, de, picture, form, kind, bases) in enumerate(CATEGORIES):
            spec = form()
            parse_form(spec)  # a form the wizard could not run would make the bench meaningless
            category = Category.objects.create(
                slug=slug, name=_t(en, de), illustration=picture, position=(position + 1) * 10,
                description=_t(f"Everything about {en.lower()}.", f"Alles zu {de}."))
            for n in range(ITEMS_PER_CATEGORY):
                base_en, base_de, illustration = bases[n % len(bases)]
                variant = VARIANTS[n // len(bases)]
                item = CatalogItem(
                    slug=slugify(f"{base_en} {variant}"), category=category, kind=kind,
                    name=_t(f"{base_en} {variant}", f"{base_de} {variant}"),
                    summary=_t(f"{base_en} ({variant.lower()}), ready to use",
                               f"{base_de} ({variant}), startklar"),
                    description=_t(f"**{base_en} {variant}**: what you get, how long it takes "
                                   "and what it costs.",
                                   f"**{base_de} {variant}**: was Sie bekommen und wann."),
                    keywords={"en": [base_en.lower(), variant.lower()], "de": [base_de.lower()]},
                    illustration=illustration, form=spec, position=n,
                    price_once=Decimal(self.random.choice([0, 0, 29, 79, 149, 899])),
                    price_monthly=Decimal(self.random.choice([0, 0, 0, 5, 12])),
                    delivery_days=self.random.choice([1, 2, 3, 5, 10]),
                    order_for_others=n % 5 == 0, active=n % 25 != 24)
                item.save()  # save() derives the search text
                if n % 10 == 7:
                    item.audience_organisations.add(organisations[n // 10 % 2])
                elif n % 20 == 9:
                    item.audience_departments.add(departments[n % len(departments)])
                elif n % 50 == 13:
                    item.audience_roles.add(agents)
        log(f"{CatalogItem.objects.count():,} catalog items in {len(CATEGORIES)} categories")

    # tickets

    def make_tickets(self) -> None:
        people = list(User.objects.order_by("pk").values_list(
            "pk", "organisation_id", "manager_id", "email"))
        employee = next(p for p in people if p[3] == EMPLOYEE_EMAIL)
        agents_by_org: dict[int, list[int]] = {}
        for user_id, org_id in User.objects.filter(groups__name=Role.AGENT).values_list(
                "pk", "organisation_id"):
            agents_by_org.setdefault(org_id, []).append(user_id)
        self.group_ids = list(Group.objects.filter(name__in=IT_GROUPS).values_list("pk",
                                                                                  flat=True))
        items = list(CatalogItem.objects.filter(active=True, audience_roles=None))
        snapshots = {item.pk: answers_snapshot(item) for item in items}
        # The employee's tickets and those made for them, among everyone else's.
        own = set(self.random.sample(range(TICKETS), EMPLOYEE_TICKETS + EMPLOYEE_RECEIVED))
        received = set(self.random.sample(sorted(own), EMPLOYEE_RECEIVED))
        others = [p for p in people if p[0] != employee[0]]
        by_pk = {p[0]: p for p in people}
        start = self.now - datetime.timedelta(days=HISTORY_DAYS)
        step = HISTORY_DAYS * 86_400 / TICKETS
        made = comments = activities = 0
        with explicit_timestamps(Ticket, Comment, Activity):
            for first in range(0, TICKETS, CHUNK):
                rows: list[tuple[Ticket, list[tuple[str, datetime.datetime, dict]]]] = []
                for n in range(first, min(first + CHUNK, TICKETS)):
                    requester = employee if n in own else self.random.choice(others)
                    requested_for = requester
                    if n in received:
                        requester = by_pk[employee[2]]  # the employee's manager
                    created = start + datetime.timedelta(
                        seconds=n * step + self.random.uniform(0, step))
                    item = self.random.choice(items)
                    rows.append(self._ticket(requester, requested_for, item, snapshots[item.pk],
                                             created, agents_by_org[requester[1]]))
                with transaction.atomic():
                    tickets = Ticket.objects.bulk_create([t for t, _ in rows], batch_size=BATCH)
                    made += len(tickets)
                    new_comments, new_activities = [], []
                    for ticket, events in rows:
                        for action, at, data in events:
                            if action == "comment":
                                new_comments.append(Comment(
                                    ticket=ticket, author_id=data["author"], body=data["body"],
                                    created_at=at))
                            else:
                                new_activities.append(Activity(
                                    ticket=ticket, actor_id=data.pop("actor"), action=action,
                                    data=data, created_at=at))
                    Comment.objects.bulk_create(new_comments, batch_size=BATCH)
                    new_activities.extend(
                        Activity(ticket_id=c.ticket_id, actor_id=c.author_id,
                                 action="tickets.comment.added", data={"comment": c.pk},
                                 created_at=c.created_at) for c in new_comments)
                    Activity.objects.bulk_create(new_activities, batch_size=BATCH)
                comments += len(new_comments)
                activities += len(new_activities)
                log(f"{made:,} tickets, {comments:,} comments, {activities:,} activities")

    def _ticket(self, requester, requested_for, item, snapshot, created, agents):
        """A ticket and what happened to it: (action, when, data) in order."""
        age = self.now - created
        status = self._status(age)
        agent = self.random.choice(agents)
        path = {
            TicketStatus.SUBMITTED: [],
            TicketStatus.WAITING_APPROVAL: [TicketStatus.WAITING_APPROVAL],
            TicketStatus.IN_PROGRESS: [TicketStatus.IN_PROGRESS],
            TicketStatus.WAITING_FOR_YOU: [TicketStatus.IN_PROGRESS, TicketStatus.WAITING_FOR_YOU],
            TicketStatus.RESOLVED: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED],
            TicketStatus.CLOSED: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
                                  TicketStatus.CLOSED],
            TicketStatus.CANCELLED: [TicketStatus.CANCELLED],
        }[status]
        span = min(age, datetime.timedelta(days=14))
        events = [("tickets.ticket.submitted", created, {"actor": requester[0]})]
        old = TicketStatus.SUBMITTED
        for index, new in enumerate(path, start=1):
            at = created + span * index / (len(path) + 1)
            actor = requester[0] if new == TicketStatus.CANCELLED else agent
            events.append(("tickets.ticket.status_changed", at,
                           {"actor": actor, "old": old, "new": new}))
            old = new
        if self.random.random() < COMMENTED_SHARE:
            for index in range(self.random.randint(1, 3)):
                at = created + span * (index + 0.5) / 4
                author = agent if index % 2 == 0 else requester[0]
                events.append(("comment", at, {"author": author,
                                               "body": self.random.choice(COMMENTS)}))
        events.sort(key=lambda event: event[1])
        incident = item.is_incident
        priority = self.random.choice(list(Priority)) if incident else Priority.MEDIUM
        ticket = Ticket(
            kind=item.kind, title=item.name["en"], status=status, priority=priority,
            requester_id=requester[0], requested_for_id=requested_for[0],
            organisation_id=requester[1], item=item, item_name=item.name, answers=snapshot,
            price_once=item.price_once, price_monthly=item.price_monthly,
            delivery_days=item.delivery_days, created_at=created, updated_at=events[-1][1],
            due_at=created + datetime.timedelta(days=item.delivery_days * 7 // 5 + 1),
            resolved_at=next((at for a, at, d in events if d.get("new") == "resolved"), None),
            closed_at=next((at for a, at, d in events if d.get("new") == "closed"), None),
            group_id=self.random.choice(self.group_ids),
            assignee_id=agent if status != TicketStatus.SUBMITTED else None,
        )
        self._sla(ticket, events, agent)
        return ticket, events

    def _sla(self, ticket: Ticket, events, agent: int) -> None:
        """Deadlines as sla.services would have set them; paused while waiting or resolved."""
        response, resolution = SLA_TARGETS[ticket.priority]
        start = ticket.created_at
        ticket.response_due_at = add_business_seconds(SLA_SCHEDULE, start, response * 60)
        ticket.resolution_due_at = add_business_seconds(SLA_SCHEDULE, start, resolution * 60)
        ticket.response_warn_at = add_business_seconds(SLA_SCHEDULE, start,
                                                       int(response * 60 * SLA_WARN))
        ticket.resolution_warn_at = add_business_seconds(SLA_SCHEDULE, start,
                                                         int(resolution * 60 * SLA_WARN))
        ticket.first_response_at = next(
            (at for action, at, data in events if data.get("author") == agent
             or (action == "tickets.ticket.status_changed" and data.get("actor") == agent)),
            None)
        if ticket.status in (TicketStatus.WAITING_APPROVAL, TicketStatus.WAITING_FOR_YOU,
                             TicketStatus.RESOLVED):
            ticket.sla_paused_at = events[-1][1]

    def _status(self, age: datetime.timedelta) -> str:
        """Recent tickets are mostly open, old ones mostly done; a few stay open for long."""
        open_share = 0.8 if age < datetime.timedelta(days=14) else 0.04
        if self.random.random() < open_share:
            return self.random.choices(OPEN_STATUSES, weights=[4, 1, 4, 1])[0]
        return self.random.choices([TicketStatus.RESOLVED, TicketStatus.CLOSED,
                                    TicketStatus.CANCELLED], weights=[2, 12, 1])[0]


# --- the data set -----------------------------------------------------------------------------

def generate() -> None:
    started = time.monotonic()
    generator = Generator()
    with transaction.atomic():
        generator.make_people()
        generator.make_catalog()
    generator.make_tickets()
    if connection.vendor == "postgresql":
        # Autovacuum would do this soon after a bulk load; a SQLite install never gathers
        # statistics (the app runs no ANALYZE), so the bench leaves it without, like production.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    log(f"made in {time.monotonic() - started:.0f} s")


def describe() -> dict:
    """What bench/run.py needs to know about the data set."""
    employee = User.objects.get(email=EMPLOYEE_EMAIL)
    item = CatalogItem.objects.get(slug="webcam-standard")
    ticket = (Ticket.objects.filter(requester=employee, status__in=OPEN_STATUSES)
              .annotate(n=models.Count("comments")).filter(n__gte=2).order_by("-created_at")
              .first())
    if ticket is None:  # the seed decides; any of the employee's tickets with messages will do
        ticket = Ticket.objects.filter(requester=employee, comments__isnull=False) \
            .order_by("-created_at").first()
    return {
        "database": connection.vendor,
        "counts": existing_counts() | {"comments": Comment.objects.count(),
                                       "activities": Activity.objects.count(),
                                       "categories": Category.objects.count()},
        "employee": {"email": EMPLOYEE_EMAIL, "password": PASSWORD,
                     "tickets": Ticket.objects.filter(
                         models.Q(requester=employee) | models.Q(requested_for=employee)).count()},
        "item": {"slug": item.slug, "first_step": item.form["steps"][0]["key"]},
        "ticket": {"pk": ticket.pk, "number": ticket.number,
                   "comments": ticket.comments.count()},
        "agent": {"email": AGENT_EMAIL, "password": PASSWORD, "totp_secret": AGENT_TOTP_SECRET},
    }


def enrol_agent() -> None:
    """The bench agent has an authenticator app, as every agent must (data sets made before
    MFA was required get it here)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    agent = User.objects.get(email=AGENT_EMAIL)
    if not Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(agent, AGENT_TOTP_SECRET)


def main() -> int:
    if not is_bench_database():
        log(f"refusing to touch {settings.DATABASES['default']['NAME']}: not a bench database "
            "(run bench/run.py, or set CONCIERGE_DATA_DIR to a 'bench' folder)")
        return 2
    stale = stale_tables()
    if stale:
        log(f"the tables {', '.join(stale)} differ from the models: the database must be made anew")
        return STALE_SCHEMA
    if existing_counts() == expected_counts():
        log("the bench data set is already there: reusing it")
    else:
        if User.objects.exists():
            log("the database holds another data set: flushing it")
            call_command("flush", interactive=False, verbosity=0)
        generate()
    enrol_agent()
    print(json.dumps(describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
