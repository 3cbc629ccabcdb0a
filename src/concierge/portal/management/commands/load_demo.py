from django.core.management.base import BaseCommand

from concierge.portal.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo company, catalog and tickets (safe to run again: changes nothing)."

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {result['people']} people, {result['items']} catalog items, "
            f"{result['tickets']} new demo tickets, {result['articles']} help articles."))
