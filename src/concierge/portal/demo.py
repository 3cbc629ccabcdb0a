"""A realistic demo company: two organisations, ~60 people, the demo catalog, a few tickets.

``load_demo`` is idempotent: people and organisations are matched by e-mail and slug, the
catalog by slug, and demo tickets are only made for people who have none yet.
"""

import datetime
import random
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import Role
from concierge.accounts.demo import load_demo_mfa
from concierge.accounts.models import CostCentre, Department, Organisation, User
from concierge.approvals.choices import Decision
from concierge.approvals.models import Vote
from concierge.approvals.services import approval_decide
from concierge.catalog.models import CatalogItem
from concierge.catalog.services import catalog_import_yaml
from concierge.catalog.wizard import default_answers, wizard_spec
from concierge.core.i18n import localize
from concierge.desk.demo import load_calendar, load_desk
from concierge.desk.services import ticket_assign
from concierge.fulfilment.models import Slot
from concierge.knowledge.demo import load_articles
from concierge.search.demo import load_search
from concierge.tickets import services as tickets
from concierge.tickets.choices import TicketStatus

DEMO_PASSWORD = "concierge-demo"
CATALOG_FILE = Path(__file__).resolve().parent.parent / "catalog" / "fixtures" / \
    "demo-catalog.yaml"

ORGANISATIONS = {
    "alpine": {"name": "Alpenblick Versicherung AG", "domain": "alpenblick.example",
               "language": "de", "city": "München"},
    "harbor": {"name": "Harbor & Finch Consulting Ltd", "domain": "harborfinch.example",
               "language": "en", "city": "London"},
}
DEPARTMENTS = {
    "alpine": [("finance", "Finanzen"), ("hr", "Personal"), ("it", "IT"), ("sales", "Vertrieb"),
               ("marketing", "Marketing"), ("operations", "Betrieb"), ("legal", "Recht"),
               ("engineering", "Softwareentwicklung")],
    "harbor": [("finance", "Finance"), ("hr", "People"), ("it", "IT"), ("sales", "Sales"),
               ("marketing", "Marketing"), ("engineering", "Engineering")],
}
FIRST = {
    "de": ["Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Lea", "Paul", "Laura", "Max",
           "Julia", "Tobias", "Katharina", "Moritz", "Clara", "Niklas", "Hannah", "Jan", "Lena",
           "Simon", "Eva", "David", "Mia", "Florian", "Sarah", "Tim", "Nina", "Philipp", "Lisa",
           "Stefan", "Ines", "Markus"],
    "en": ["James", "Olivia", "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah",
           "Emily", "Jack", "Sophia", "Leo", "Grace", "Arthur", "Ella", "Oscar", "Freya",
           "Charlie", "Lily", "Henry", "Chloe", "Thomas", "Ruby", "William", "Alice", "Samuel",
           "Priya", "Daniel", "Zara"],
}
LAST = {
    "de": ["Schmidt", "Müller", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch",
           "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
           "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier",
           "Fuchs", "Vogel", "Jung", "Keller", "Frank", "Berger", "Roth", "Lorenz"],
    "en": ["Miller", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
           "Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White",
           "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Khan",
           "Turner", "Hill", "Moore", "Cooper", "Ward"],
}
TITLES = {
    "de": ["Sachbearbeiterin", "Referent", "Teamleiterin", "Analyst", "Projektmanagerin",
           "Berater", "Assistentin", "Entwickler"],
    "en": ["Consultant", "Senior Consultant", "Analyst", "Project Manager", "Associate",
           "Office Manager", "Engineer", "Account Manager"],
}

# The IT groups named by the demo catalog (who handles what) and its fulfilment plans.
IT_GROUPS = ("service-desk", "it-procurement", "it-workplace", "it-applications")

# The accounts shown on the demo sign-in page.
DEMO_LOGINS = [
    {"email": "anna.schmidt@alpenblick.example", "role": _("Employee (German)")},
    {"email": "james.miller@harborfinch.example", "role": _("Employee (English)")},
    {"email": "markus.weber@alpenblick.example", "role": _("Manager")},
    {"email": "claudia.koch@alpenblick.example", "role": _("Cost-centre owner")},
    {"email": "sofia.agent@alpenblick.example", "role": _("IT agent")},
    {"email": "catalog@alpenblick.example", "role": _("Catalog manager")},
    {"email": "katrin.braun@alpenblick.example", "role": _("Knowledge manager")},
    {"email": "thomas.lang@alpenblick.example", "role": _("Service manager")},
    {"email": "admin@alpenblick.example", "role": _("Administrator")},
]


def _email(first: str, last: str, domain: str) -> str:
    plain = (f"{first}.{last}".lower().replace("ä", "ae").replace("ö", "oe")
             .replace("ü", "ue").replace("ß", "ss"))
    return f"{plain}@{domain}"


def _person(email, *, name, org, language, password, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, password=password, display_name=name, organisation=org,
                    language=language, **extra)
        user.save()
    return user


@transaction.atomic
def load_people() -> dict[str, User]:
    rng = random.Random(42)  # the same company every time
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    named: dict[str, User] = {}
    for slug, info in ORGANISATIONS.items():
        org, _created = Organisation.objects.get_or_create(slug=slug,
                                                           defaults={"name": info["name"]})
        language = info["language"]
        departments = {
            code: Department.objects.get_or_create(organisation=org, code=code,
                                                   defaults={"name": name})[0]
            for code, name in DEPARTMENTS[slug]
        }
        head = _person(_email("Markus" if slug == "alpine" else "Olivia",
                              "Weber" if slug == "alpine" else "Bennett", info["domain"]),
                       name="Markus Weber" if slug == "alpine" else "Olivia Bennett",
                       org=org, language=language, password=password,
                       job_title="Abteilungsleiter Finanzen" if slug == "alpine"
                       else "Head of Finance", department=departments["finance"],
                       location=f"{info['city']}, HQ", phone="+49 89 1234 100" if
                       slug == "alpine" else "+44 20 7946 0100")
        first_code = 410000 if slug == "alpine" else 460000
        # Controlling owns the cost centres and approves larger amounts.
        controller = _person(
            _email("Claudia" if slug == "alpine" else "Rachel",
                   "Koch" if slug == "alpine" else "Green", info["domain"]),
            name="Claudia Koch" if slug == "alpine" else "Rachel Green", org=org,
            language=language, password=password, manager=head,
            job_title="Leiterin Controlling" if slug == "alpine" else "Financial Controller",
            department=departments["finance"], location=f"{info['city']}, HQ")
        named[controller.email] = controller
        cost_centres = {
            code: CostCentre.objects.get_or_create(
                organisation=org, code=str(first_code + index * 100),
                defaults={"name": name, "owner": controller})[0]
            for index, (code, name) in enumerate(DEPARTMENTS[slug])
        }
        managers = {}
        firsts, lasts = FIRST[language][:], LAST[language][:]
        rng.shuffle(firsts)
        rng.shuffle(lasts)
        count = 32 if slug == "alpine" else 26
        for index in range(count):
            first, last = firsts[index % len(firsts)], lasts[index % len(lasts)]
            if slug == "alpine" and index == 0:
                first, last = "Anna", "Schmidt"
            if slug == "harbor" and index == 0:
                first, last = "James", "Miller"
            code, _dept_name = DEPARTMENTS[slug][index % len(DEPARTMENTS[slug])]
            manager = managers.get(code, head)
            user = _person(
                _email(first, last, info["domain"]), name=f"{first} {last}", org=org,
                language=language, password=password, department=departments[code],
                cost_centre=cost_centres[code], manager=manager if manager.pk else None,
                job_title=rng.choice(TITLES[language]),
                location=f"{info['city']}, {rng.choice(['HQ', 'Floor 3', 'Floor 5', 'Remote'])}",
                phone=f"+{49 if slug == 'alpine' else 44} {rng.randint(100, 999)} "
                      f"{rng.randint(1000000, 9999999)}",
            )
            managers.setdefault(code, user)
            named[user.email] = user
        named[head.email] = head
    alpine = Organisation.objects.get(slug="alpine")
    it = Department.objects.get(organisation=alpine, code="it")
    for email, name, role, staff in [
        ("sofia.agent@alpenblick.example", "Sofia Agent", Role.AGENT, False),
        ("catalog@alpenblick.example", "Carla Katalog", Role.CATALOG_MANAGER, True),
        ("katrin.braun@alpenblick.example", "Katrin Braun", Role.KNOWLEDGE_MANAGER, False),
        ("thomas.lang@alpenblick.example", "Thomas Lang", Role.SERVICE_MANAGER, False),
        ("admin@alpenblick.example", "Adrian Admin", Role.ADMIN, True),
    ]:
        user = _person(email, name=name, org=alpine, language="de", password=password,
                       department=it, is_staff=staff, is_superuser=role == Role.ADMIN,
                       job_title="IT")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        named[email] = user
    # The IT groups that handle tickets (the demo catalog routes to them, so they exist before
    # it is imported); Sofia works in procurement and the workplace team, desk.demo adds her to
    # the service desk.
    for name in IT_GROUPS:
        group = Group.objects.get_or_create(name=name)[0]
        if name in ("it-procurement", "it-workplace"):
            named["sofia.agent@alpenblick.example"].groups.add(group)
    return named


def load_catalog() -> None:
    catalog_import_yaml(CATALOG_FILE.read_text(encoding="utf-8"))


def _auto_answers(item: CatalogItem, user: User) -> dict:
    """Plausible answers for a demo ticket: defaults, first choices, short texts."""
    spec = wizard_spec(item)
    answers = default_answers(spec, user)
    for question in spec.questions:
        if question.key in answers or not question.required:
            continue
        match question.type:
            case "choice":
                answers[question.key] = question.choices[0].value
            case "multichoice":
                answers[question.key] = [question.choices[0].value]
            case "yesno":
                answers[question.key] = False
            case "number":
                answers[question.key] = question.options.get("min", 1)
            case "text" | "textarea":
                answers[question.key] = "Demo" if question.key != "summary" else localize(
                    item.name, user.language)
    return answers


def _approve_all(ticket) -> None:
    """Demo tickets that are further along have been approved by everyone asked."""
    while vote := Vote.objects.filter(approval__ticket=ticket,
                                      decision=Decision.PENDING).first():
        approval_decide(vote=vote, actor=vote.approver, decision=Decision.APPROVED)


@transaction.atomic
def load_tickets(people: dict[str, User]) -> int:
    agent = people["sofia.agent@alpenblick.example"]
    plan = [
        ("webcam", TicketStatus.IN_PROGRESS), ("headset", TicketStatus.SUBMITTED),
        ("laptop", TicketStatus.RESOLVED), ("monitor", TicketStatus.CLOSED),
        ("broken", TicketStatus.WAITING_FOR_YOU), ("tablet", TicketStatus.WAITING_APPROVAL),
    ]
    made = 0
    for email in ["anna.schmidt@alpenblick.example", "james.miller@harborfinch.example"]:
        user = people[email]
        if user.tickets_requested.exists():
            continue
        items = list(CatalogItem.objects.filter(active=True).order_by("position"))
        for word, status in plan:
            item = next((i for i in items if word in i.slug and i.slug != "webcam")
                        if word != "webcam" else (i for i in items if i.slug == "webcam"), None)
            if item is None:
                continue
            try:
                ticket = tickets.ticket_submit(requester=user, item=item,
                                               answers=_auto_answers(item, user))
            except tickets.AnswersInvalid:
                continue
            if status != TicketStatus.WAITING_APPROVAL:
                _approve_all(ticket)
                ticket.refresh_from_db()
            if status not in (TicketStatus.SUBMITTED, TicketStatus.WAITING_APPROVAL):
                # Sofia took it from her group's queue (which puts it in progress).
                ticket = ticket_assign(ticket=ticket, actor=agent, assignee=agent)
            steps = {
                TicketStatus.SUBMITTED: [],
                TicketStatus.WAITING_APPROVAL: [],
                TicketStatus.IN_PROGRESS: [TicketStatus.IN_PROGRESS],
                TicketStatus.WAITING_FOR_YOU: [TicketStatus.IN_PROGRESS,
                                               TicketStatus.WAITING_FOR_YOU],
                TicketStatus.RESOLVED: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED],
                TicketStatus.CLOSED: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
                                      TicketStatus.CLOSED],
            }[status]
            for step in steps:
                if ticket.status != step:
                    ticket = tickets.ticket_change_status(ticket=ticket, actor=agent,
                                                          status=step)
            if status == TicketStatus.WAITING_FOR_YOU:
                tickets.comment_add(ticket=ticket, author=agent, body=(
                    "Könnten Sie uns bitte sagen, seit wann das Problem besteht?"
                    if user.language == "de" else
                    "Could you tell us since when this has been happening?"))
            made += 1
    return made


def load_slots(days: int = 10) -> None:
    """Handover appointments of the workplace team: two a day on the next working days."""
    group = Group.objects.get_or_create(name="it-workplace")[0]
    day = timezone.localdate()
    zone = timezone.get_current_timezone()
    for _day in range(days):
        day += datetime.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        for hour in (10, 14):
            start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
            Slot.objects.get_or_create(group=group, starts_at=start, defaults={
                "ends_at": start + datetime.timedelta(minutes=30),
                "location": "IT-Service, EG / ground floor"})


def load_demo() -> dict:
    people = load_people()
    load_demo_mfa(people)
    load_catalog()
    load_slots()
    load_calendar()  # service levels apply to the demo tickets from the start
    made = load_tickets(people)
    load_desk(people)
    articles = load_articles(owner=people["katrin.braun@alpenblick.example"],
                             reviewer=people["admin@alpenblick.example"])
    load_search()

    from concierge.feedback.demo import load_feedback

    load_feedback()
    return {"people": User.objects.count(), "items": CatalogItem.objects.count(),
            "tickets": made, "articles": articles}
