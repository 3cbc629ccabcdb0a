from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concierge.catalog.services import CatalogImportError, catalog_import_yaml


class Command(BaseCommand):
    help = "Create or update catalog categories and items from a YAML file (matched by slug)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file")

    def handle(self, *args, file, dry_run=False, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            result = catalog_import_yaml(text, dry_run=dry_run)
        except CatalogImportError as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{file}: {len(exc.problems)} problem(s); nothing was changed") from None
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{file} is valid"))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{len(result.created)} item(s) created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged"))
