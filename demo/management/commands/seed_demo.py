"""Load the demo: reference data, and (unless --reference-only) fictitious participants."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

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

    @transaction.atomic
    def handle(self, *args, reference_only=False, small=False, **options):
        # The web's statement timeout protects request workers; a bulk load may take longer.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
        load_reference()
        self.stdout.write("Reference data loaded.")
        if not reference_only:
            created = load_people(share=0.1 if small else 1.0)
            if created:
                self.stdout.write(f"{created} demo participants created.")
            else:
                self.stdout.write("Demo participants already present: nothing changed.")
        # New geography drops the dashboards' yearly rows (they are then computed live):
        # rebuild them now rather than wait for the timer of a production server.
        call_command("refresh_territory_years", stdout=self.stdout)
