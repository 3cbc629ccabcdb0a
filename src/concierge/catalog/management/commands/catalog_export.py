from pathlib import Path

from django.core.management.base import BaseCommand

from concierge.catalog.services import catalog_export, catalog_to_yaml


class Command(BaseCommand):
    help = "Write the whole service catalog (categories, items, forms) as YAML."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output)")

    def handle(self, *args, output=None, **options):
        text = catalog_to_yaml(catalog_export())
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Catalog written to {output}"))
        else:
            self.stdout.write(text, ending="")
