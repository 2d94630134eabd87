"""Send the daily digest of "Aujourd'hui" by e-mail to the people who asked for it (run
once a day, in the morning: docs/deployment.md). Running it again the same day sends
nothing twice; an e-mail that failed is retried by the next run."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from participants.digest import send_today_digests


class Command(BaseCommand):
    help = "Envoie le résumé quotidien d'« Aujourd'hui » aux personnes qui l'ont demandé."

    def handle(self, *args, **options):
        if not settings.SITE_URL:
            raise CommandError(
                "SITE_URL is not set: the digest's link needs the site's address "
                "(docs/configuration.md)."
            )
        run = send_today_digests(today=timezone.localdate())
        # Counts only: no address or name in a job's output (docs/security.md §3).
        self.stdout.write(
            f"{run.sent} digests sent, {run.nothing_to_do} with nothing to do, "
            f"{run.already_done} already dealt with today, {len(run.failed)} failed."
        )
        if run.failed:
            raise CommandError(f"{len(run.failed)} digests could not be sent; run again.")
