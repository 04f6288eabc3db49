from django.core.management.base import BaseCommand, CommandError

from measures.coverage import FACTS, catalog_coverage, coverage_table

from .load_catalog import DEFAULT_FILE


class Command(BaseCommand):
    help = (
        "Coverage of the catalog file per measure set: the share of current measures with a "
        "numerator, denominator, type and improvement notation, and how many carry a source."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument(
            "--missing", action="store_true", help="Also list the measures lacking each fact."
        )

    def handle(self, *args, path, missing, **options):
        try:
            with open(path, encoding="utf-8") as handle:
                coverage = catalog_coverage(handle)
        except FileNotFoundError as error:
            raise CommandError(f"No catalog file at {path}.") from error
        self.stdout.write(coverage_table(coverage))
        if missing:
            for row in coverage.values():
                for name in FACTS:
                    codes = row.missing.get(name)
                    if codes:
                        self.stdout.write(f"{row.code} without {name}: {', '.join(codes)}")
