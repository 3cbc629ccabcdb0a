"""Approvals through the service layer: how long a submit takes until the first approver has
their task, and how many decisions per second the service layer takes.

Runs inside the bench environment (``bench/run.py`` calls it once per database, with the bench
database configured) and prints one JSON object. Every operation commits on its own, as in
production; what it made is deleted at the end.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 200


def main() -> dict:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    import django

    django.setup()
    from django.test.utils import override_settings

    with override_settings(TASKS={"default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
        return measure()


def measure() -> dict:
    from concierge.accounts.models import Organisation, User
    from concierge.approvals.models import Vote
    from concierge.approvals.services import approval_decide
    from concierge.catalog.models import CatalogItem, Category
    from concierge.core.testing import WEBCAM_FORM
    from concierge.tickets.models import Ticket
    from concierge.tickets.services import ticket_submit

    org = Organisation.objects.order_by("pk").first()
    category = Category.objects.order_by("pk").first()
    stamp = str(int(time.time()))
    boss = User.objects.create_user(f"bench-boss-{stamp}@example.com", display_name="Boss",
                                    organisation=org)
    requester = User.objects.create_user(f"bench-asker-{stamp}@example.com",
                                         display_name="Asker", organisation=org, manager=boss)
    item = CatalogItem.objects.create(
        slug=f"bench-approved-{stamp}", category=category, name={"en": "Approved item"},
        summary={"en": "Needs a yes"}, form=WEBCAM_FORM, price_once=900,
        approval={"stages": [{"key": "m", "title": "Manager", "approvers": "manager"}]})
    answers = {"model": "standard", "address": "Room 1"}
    try:
        submit_ms = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            ticket_submit(requester=requester, item=item, answers=answers)
            submit_ms.append((time.perf_counter() - started) * 1000)
        votes = list(Vote.objects.filter(approval__ticket__item=item).select_related(
            "approval"))
        started = time.perf_counter()
        for vote in votes:
            approval_decide(vote=vote, actor=boss, decision="approved")
        elapsed = time.perf_counter() - started
        submit_ms.sort()
        return {
            "submissions": len(submit_ms),
            "submit_to_first_approval_task_ms": {
                "p50": round(statistics.median(submit_ms), 2),
                "p99": round(submit_ms[int(len(submit_ms) * 0.99) - 1], 2)},
            "decisions": len(votes),
            "approvals_per_s": round(len(votes) / elapsed, 1),
        }
    finally:
        Ticket.objects.filter(item=item).delete()
        item.delete()
        User.objects.filter(pk__in=[requester.pk, boss.pk]).delete()


if __name__ == "__main__":
    print(json.dumps(main()))
