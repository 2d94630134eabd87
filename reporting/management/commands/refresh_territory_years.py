"""`manage.py refresh_territory_years`: keep the dashboards' yearly rows warm.

The territory dashboards and the national view recompute the stale structures of their
scope themselves, so the figures are exact without this command; run it every minute
(systemd timer, docs/deployment.md) so that pages find little to recompute. Right after,
it audits again (small counts) the coordinator dashboards of the structures that changed,
for the current and the last year, and stores the statuses (reporting.audits): their
first view after a change then costs what a warm view costs. It rebuilds
every row when the rows do not reach the current year (a new year started) or after a
change of geography dropped the coverage.
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from reporting import services, territory_years


class Command(BaseCommand):
    help = "Recompute the stale yearly figures of the national view (rebuild when needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Recompute every row, stale or not."
        )

    def handle(self, *args, rebuild: bool = False, **options):
        started = time.monotonic()
        year = timezone.localdate().year
        covered = territory_years.covered_through()
        if rebuild or covered is None or covered < year:
            territory_years.rebuild(year)
            self.stdout.write(
                f"Rebuilt through {year} (was: {covered or 'none'}) "
                f"in {time.monotonic() - started:.1f} s."
            )
            return
        cleared = territory_years.refresh_stale()
        audited = services.dashboard_audits_refresh()
        self.stdout.write(
            f"{cleared} stale mark(s) cleared, {audited} dashboard audit(s) stored "
            f"in {time.monotonic() - started:.1f} s."
        )
