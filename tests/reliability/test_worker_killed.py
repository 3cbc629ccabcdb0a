"""Kill the worker with SIGKILL in the middle of its work, 20 times: nothing is lost or doubled.

A real ``manage.py worker`` process runs against its own database (a SQLite file, and on CI
also a fresh PostgreSQL database) with 80 submitted requests waiting for approval, half of
them overdue for a reminder and an escalation. Each round starts the worker, waits until it
has finished at least one task, kills it at a random moment and starts the next. Afterwards
one clean batch finishes the rest, and every notification (in the portal and by e-mail) and
every escalation exists exactly once.
"""

import email
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUESTS = 80
KILLS = 20

SETUP = """
import datetime
from django.utils import timezone
from concierge.approvals.models import Approval, Vote
from concierge.core.testing import CatalogItemFactory, OrganisationFactory, UserFactory
from concierge.tickets.services import ticket_submit

org = OrganisationFactory(slug="acme", name="Acme")
item = CatalogItemFactory(slug="webcam", approval={"stages": [
    {"key": "m", "title": "Manager", "approvers": "manager"}]})
director = UserFactory(organisation=org, email="director@acme.example")
earlier = timezone.now() - datetime.timedelta(hours=100)
for number in range(%(requests)d):
    boss = UserFactory(organisation=org, manager=director, email=f"boss{number}@acme.example")
    employee = UserFactory(organisation=org, manager=boss, email=f"emp{number}@acme.example")
    ticket = ticket_submit(requester=employee, item=item,
                           answers={"model": "standard", "address": "Room 1"})
    if number %% 2 == 0:  # waited long enough to be reminded and escalated
        Approval.objects.filter(ticket=ticket).update(opened_at=earlier)
        Vote.objects.filter(approval__ticket=ticket).update(created_at=earlier)
print("ready")
"""

REPORT = """
import collections, json
from django_tasks_db.models import DBTaskResult
from concierge.approvals.models import Approval, Vote
from concierge.notifications.models import Delivery, Notification
from concierge.notifications.services import message_id_for
from concierge.tickets.models import Activity
print(json.dumps({
    "tasks": dict(collections.Counter(DBTaskResult.objects.values_list("status", flat=True))),
    "attempts": sum(len(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)),
    "deliveries": {message_id_for(key): key
                   for key in Delivery.objects.values_list("key", flat=True)},
    "delivery_count": Delivery.objects.count(),
    "notifications": list(Notification.objects.values_list("key", flat=True)),
    "votes": list(Vote.objects.values_list("pk", "approver_id")),
    "escalated": Approval.objects.filter(escalated_at__isnull=False).count(),
    "escalations_logged": Activity.objects.filter(action="approvals.stage.escalated").count(),
    "reminders_logged": Activity.objects.filter(action="approvals.vote.reminded").count(),
}))
"""


def _databases() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        urls.append("postgres")
    return urls


@pytest.fixture(params=_databases())
def database_url(request, tmp_path):
    if request.param == "sqlite":  # the default database: DATA_DIR/concierge.sqlite3
        yield f"sqlite:///{tmp_path / 'concierge.sqlite3'}"
        return
    import psycopg

    server = urlparse(os.environ["DATABASE_URL"])
    name = f"concierge_kill_{uuid.uuid4().hex[:8]}"
    admin = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield server._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _count(url: str, status: str) -> int:
    sql = f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = '{status}'"
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(sql).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()[0]


def _waiting(url: str) -> int:
    return _count(url, "READY") + _count(url, "RUNNING")


def test_killing_the_worker_loses_and_doubles_nothing(database_url, tmp_path):
    import json

    env = {**os.environ, "CONCIERGE_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "" if database_url.startswith("sqlite") else database_url,
           "CONCIERGE_DEMO": "false", "CONCIERGE_DEBUG": "false", "EMAIL_HOST": "",
           "CONCIERGE_TASK_LEASE_SECONDS": "1", "CONCIERGE_TASK_RETRY_SECONDS": "0",
           "CONCIERGE_TASK_MAX_ATTEMPTS": "50", "DJANGO_SETTINGS_MODULE": "concierge.settings"}

    def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True, timeout=300, **kwargs)

    manage("migrate", "--no-input", "--verbosity", "0")
    assert "ready" in manage("shell", "--no-imports", "-c", SETUP % {"requests": REQUESTS}).stdout

    rng = random.Random(20261124)
    worker = [sys.executable, "manage.py", "worker", "--no-startup-delay", "--no-reload",
              "--interval", "0.05", "--schedule-interval", "0.5", "--verbosity", "0"]
    kills_mid_batch = 0
    for _ in range(KILLS):
        before = _count(database_url, "SUCCESSFUL")
        process = subprocess.Popen(worker, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while _count(database_url, "SUCCESSFUL") == before and time.monotonic() < deadline \
                and process.poll() is None and _waiting(database_url):
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.15))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        kills_mid_batch += _count(database_url, "READY") > 0
    time.sleep(1.2)  # the lease of a task killed while running
    manage("worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    report = json.loads(manage("shell", "--no-imports", "-c", REPORT).stdout)

    assert kills_mid_batch >= KILLS // 4, "the kills should land while work is waiting"
    assert set(report["tasks"]) == {"SUCCESSFUL"}, report["tasks"]
    assert report["attempts"] > sum(report["tasks"].values()), "some task was interrupted"
    # Every approval stage overdue was escalated once, and said so once.
    assert report["escalated"] == report["escalations_logged"] == REQUESTS // 2
    assert report["reminders_logged"] == REQUESTS // 2
    # Each requester heard of their submission; whoever holds each decision now was asked (an
    # approver replaced by the escalation before their message went out is not asked as well);
    # each bell line has its e-mail, and each e-mail is in the mailbox once.
    keys = report["notifications"]
    assert len(keys) == len(set(keys)) == report["delivery_count"]
    assert len([k for k in keys if k.startswith("activity:")]) == REQUESTS
    asked = {k for k in keys if k.startswith("vote:") and k.endswith(":requested")}
    assert {f"vote:{vote}:{approver}:requested" for vote, approver in report["votes"]} <= asked
    assert REQUESTS <= len(asked) <= REQUESTS + REQUESTS // 2
    mailbox = list((tmp_path / "mail" / "new").iterdir())
    message_ids = [email.message_from_bytes(path.read_bytes())["Message-ID"] for path in mailbox]
    assert sorted(message_ids) == sorted(report["deliveries"])
