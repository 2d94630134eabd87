"""Anonymise files two years after the last contact; purge old read-access rows, the
anti-automation counters of the day before and the uploads never imported
(IMPORT_PENDING_RETENTION_DAYS after their last change).

Dry run by default (prints what would change, changes nothing); `--commit` to act.
Idempotent: an anonymised file is never selected again. Runs as the owner role (a management
command), batch by batch, each batch in its own transaction.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from participants.importing.jobs import import_jobs_expired, import_jobs_purge_expired
from participants.rights.services import participant_anonymise, participants_past_retention
from sites.audit.models import AccessLog
from sites.ratelimit.services import purge as purge_rate_counters

BATCH = 200


class Command(BaseCommand):
    help = "Anonymise participants' files past their retention period (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="Apply the changes.")

    def handle(self, *args, commit: bool = False, **options):
        due = participants_past_retention()
        total = due.count()
        log_cutoff = timezone.now() - dt.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
        old_logs = AccessLog.objects.filter(at__lt=log_cutoff)
        if not commit:
            self.stdout.write(
                f"Dry run: {total} file(s) to anonymise, {old_logs.count()} access-log row(s) "
                f"and {import_jobs_expired().count()} pending upload(s) to purge. "
                "Nothing changed; add --commit to apply."
            )
            return
        done = 0
        while True:
            batch = list(participants_past_retention()[:BATCH])
            if not batch:
                break
            with transaction.atomic():
                for participant in batch:
                    done += participant_anonymise(participant=participant)
            self.stdout.write(f"{done}/{total} file(s) anonymised")
        purged = old_logs.delete()[0]
        # The anti-automation counters only ever look back an hour.
        counters = purge_rate_counters(timezone.now() - dt.timedelta(days=1))
        uploads = import_jobs_purge_expired()
        self.stdout.write(
            f"Done: {done} file(s) anonymised, {purged} access-log row(s) purged, "
            f"{counters} rate counter(s) purged, {uploads} pending upload(s) deleted."
        )
