"""The desk's query counts on the 200,000-ticket data set, and SLA computations per second.

Runs inside the bench environment (``bench/run.py`` calls it once per database, with the bench
database configured) and prints one JSON object. The agent's queue page must run the same
number of queries whether its queue holds every open ticket or a single one, and so must the
agent's ticket view whatever the ticket: the bench stops with an error when they differ.
"""

import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLA_ROUNDS = 50_000


class QueryCountError(Exception):
    pass


def main() -> dict:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    import django

    django.setup()
    return {"queries": query_counts(), "sla": sla_throughput()}


def _count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise QueryCountError(f"{path} answered {response.status_code}")
    return len(queries)


def query_counts() -> dict:
    from django.test import Client
    from generate import AGENT_EMAIL

    from concierge.accounts.models import User
    from concierge.tickets.choices import OPEN_STATUSES
    from concierge.tickets.models import Ticket

    agent = User.objects.get(email=AGENT_EMAIL)
    client = Client(HTTP_HOST="127.0.0.1")  # the bench allows only this host
    client.force_login(agent)
    scope = Ticket.objects.filter(organisation_id=agent.organisation_id)
    busiest = scope.filter(status__in=OPEN_STATUSES).order_by("-created_at").first()
    # An old ticket with a message or two (as the busy one has), in the agent's organisation.
    quiet = scope.filter(comments__isnull=False).order_by("created_at").first()
    _count(client, "/desk/?queue=all")  # the first request of a session writes it
    counts = {
        "queue_all": _count(client, "/desk/?queue=all"),
        "queue_all_page_50": _count(client, "/desk/?queue=all&page=50"),
        "queue_one_ticket": _count(client, f"/desk/?queue=all&status=any&q={quiet.number}"),
        "queue_breached_by_due": _count(client, "/desk/?queue=all&sla=breached&sort=due"),
        "ticket_recent": _count(client, f"/desk/tickets/{busiest.number}/"),
        "ticket_old": _count(client, f"/desk/tickets/{quiet.number}/"),
        "tickets_in_scope": scope.count(),
    }
    lists = {counts[k] for k in ("queue_all", "queue_all_page_50", "queue_one_ticket",
                                 "queue_breached_by_due")}
    if len(lists) != 1 or counts["ticket_recent"] != counts["ticket_old"]:
        raise QueryCountError(f"query counts differ with the number of tickets: {counts}")
    return counts


def sla_throughput() -> dict:
    from concierge.desk.demo import GERMAN_HOLIDAYS, TARGETS
    from concierge.sla.engine import Schedule, add_business_seconds, business_seconds

    schedule = Schedule("Europe/Berlin", {day: ((480, 1080),) for day in range(5)},
                        frozenset(datetime.date.fromisoformat(d) for d in GERMAN_HOLIDAYS))
    rng = random.Random(7)
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    starts = [base + datetime.timedelta(seconds=rng.randrange(0, 720 * 86400))
              for _ in range(SLA_ROUNDS)]
    minutes = [rng.choice([m for pair in TARGETS.values() for m in pair])
               for _ in range(SLA_ROUNDS)]
    started = time.perf_counter()
    deadlines = [add_business_seconds(schedule, start, m * 60)
                 for start, m in zip(starts, minutes, strict=True)]
    deadline_s = time.perf_counter() - started
    started = time.perf_counter()
    for start, due in zip(starts, deadlines, strict=True):
        business_seconds(schedule, start, due + datetime.timedelta(days=2))
    measure_s = time.perf_counter() - started
    return {"deadlines_per_s": round(SLA_ROUNDS / deadline_s),
            "business_time_per_s": round(SLA_ROUNDS / measure_s),
            "computations": SLA_ROUNDS}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        print(json.dumps(main()))
    except QueryCountError as exc:
        print(f"desk bench: {exc}", file=sys.stderr)
        sys.exit(1)
