"""List the files whose last contact is in the future, and repair them with `--fix`.

A last contact after today keeps a file out of the two-year retention (a mistyped year made
it 9999-12-31 before the dates were bounded, `web/bounds.py`). `--fix` derives it again from
the file's past events only (actions, worked weeks, parcours start and end, exit, situations;
else the file's creation) and prints what it changed. Also listed, never changed: events
dated beyond the tolerance, which the caseworker must correct on the file. Prints ids only,
never a name. Runs as a management command (the owner role), so it sees every structure.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from participants.rights.contacts import far_future_events, future_contacts_repair


class Command(BaseCommand):
    help = "List files whose last contact is in the future; --fix derives it from past events."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Store the derived last contact.")

    def handle(self, *args, fix: bool = False, **options):
        today = timezone.localdate()
        with transaction.atomic():
            repairs = future_contacts_repair(today=today, fix=fix)
        verb = "repaired" if fix else "to repair"
        for repair in repairs:
            self.stdout.write(
                f"participant {repair.participant_id} (structure {repair.structure_id}): "
                f"last contact {repair.recorded.isoformat()} -> {repair.derived.isoformat()}"
                f" ({verb})"
            )
        events = far_future_events(today)
        for model, pk, participant_id, day in events:
            self.stdout.write(
                f"participant {participant_id}: {model} {pk} dated {day.isoformat()} "
                "(beyond the tolerance: correct it on the file)"
            )
        summary = f"{len(repairs)} file(s) with a future last contact {verb}"
        if repairs and not fix:
            summary += "; add --fix to store the last contact derived from past events"
        self.stdout.write(f"{summary}. {len(events)} event(s) dated beyond the tolerance.")
