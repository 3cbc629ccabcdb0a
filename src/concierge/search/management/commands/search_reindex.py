import time

from django.core.management.base import BaseCommand

from concierge.search.services import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (articles and catalog items, with embeddings) from scratch."

    def handle(self, *args, **options):
        started = time.monotonic()
        total = index_rebuild(progress=lambda n: self.stdout.write(f"  {n:,} entries")
                              if options["verbosity"] > 1 else None)
        self.stdout.write(f"Indexed {total:,} entries in {time.monotonic() - started:.1f} s.")
