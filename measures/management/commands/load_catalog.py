from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from measures.services import CatalogFileError, catalog_load

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "catalog.jsonl"


class Command(BaseCommand):
    help = "Load the measure catalog (sets, measures, tools) from JSON Lines; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as handle:
                result = catalog_load(handle)
        except FileNotFoundError as error:
            raise CommandError(f"No catalog file at {path}.") from error
        except CatalogFileError as error:
            raise CommandError(f"{path}, {error.message}; nothing was loaded.") from error
        created = ", ".join(f"{n} {k.replace('_', ' ')}s" for k, n in result.created.items())
        updated = ", ".join(f"{n} {k.replace('_', ' ')}s" for k, n in result.updated.items())
        self.stdout.write(self.style.SUCCESS(
            f"Catalog loaded from {path}: created {created}; updated {updated}; "
            f"{result.unchanged} unchanged."
        ))
