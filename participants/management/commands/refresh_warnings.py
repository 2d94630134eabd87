"""Recompute the stored *warn* rules of open parcours (run daily, e.g. from cron).

Some warnings depend on the date alone — a Premières Heures sas passing 12 months, an entry
situation still missing after 30 days — so no write triggers them; this job stores them.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from participants.enums import ParcoursStatus
from participants.models import Parcours
from participants.services import parcours_refresh_warnings


class Command(BaseCommand):
    help = "Recalcule les alertes des parcours en cours (à lancer chaque jour)."

    def handle(self, *args, **options):
        changed = 0
        open_parcours = Parcours.objects.filter(
            status__in=[ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS]
        ).select_related("programme")
        for parcours in open_parcours.iterator(chunk_size=500):
            before = dict(parcours.warnings)
            with transaction.atomic():
                if parcours_refresh_warnings(parcours=parcours) != before:
                    changed += 1
        self.stdout.write(f"{changed} parcours with new or cleared warnings.")
