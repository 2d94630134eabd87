"""Load the official administrative division (régions, départements, EPCI, communes)."""

from django.core.management.base import BaseCommand
from django.db import connection

from sites.geography import DEFAULT_EXTRACT, load_geography, read_extract


class Command(BaseCommand):
    help = (
        "Charge les régions, départements, EPCI et communes du découpage administratif "
        "officiel (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(DEFAULT_EXTRACT),
            help="An extract in the format of scripts/refresh_geography.py (default: the "
            "repository's sites/geography/cog.json.gz).",
        )

    def handle(self, *args, file, **options):
        with connection.cursor() as cursor:
            # The web's statement timeout protects request workers; a bulk load may take longer.
            cursor.execute("SET statement_timeout = 0")
        result = load_geography(read_extract(file))
        rows = ", ".join(f"{kind}: {count}" for kind, count in result.rows.items())
        self.stdout.write(
            f"{result.source}: {result.total} units ({rows}), {result.written} written, "
            f"in {result.seconds:.1f} s."
        )
        if result.not_in_extract:
            self.stdout.write(
                f"{result.not_in_extract} units of the database are no longer in the extract "
                "(kept: work sites or territories may still name them)."
            )
