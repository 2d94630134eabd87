"""Load the demo: the official geography, reference data, and (unless --reference-only)
fictitious participants up to today."""

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from demo.packs import freeze_demo_pack
from demo.people import load_people
from demo.reference import load_reference


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-only",
            action="store_true",
            help="Only reference data (geography, organisations, programmes, "
            "deployments, targets, demo accounts); no participant.",
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="A tenth of the demo's people (the tests of the loader).",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="The day the story reaches (default: today). The same seed and day give "
            "the same rows; the years before are the same whatever the day.",
        )

    @transaction.atomic
    def handle(self, *args, reference_only=False, small=False, today=None, **options):
        started = time.monotonic()
        today = today or timezone.localdate()
        # The web's statement timeout protects request workers; a bulk load may take longer.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
        load_reference(today)
        self.stdout.write(f"Reference data loaded ({time.monotonic() - started:.1f} s).")
        if not reference_only:
            counts = load_people(today, share=0.1 if small else 1.0)
            if counts:
                rows = ", ".join(f"{table}: {n}" for table, n in counts.items())
                self.stdout.write(f"Demo people up to {today:%d/%m/%Y}: {rows}.")
            else:
                self.stdout.write("Demo participants already present: nothing changed.")
        # New geography drops the dashboards' yearly rows (they are then computed live):
        # rebuild them now rather than wait for the timer of a production server.
        call_command("refresh_territory_years", stdout=self.stdout)
        if not reference_only:
            pack = freeze_demo_pack(today)
            if pack is not None:
                self.stdout.write(f"Funder pack {pack.period_code} frozen ({pack.sha256[:12]}…).")
        self.stdout.write(f"Demo loaded in {time.monotonic() - started:.1f} s.")
