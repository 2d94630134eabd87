"""`manage.py import_participants FILE --structure SLUG_OR_SIRET [--commit] [--as EMAIL]`.

Without `--commit` it is a dry run: it prints the report the browser preview shows and
changes nothing. With `--commit` it writes the valid rows in batches, with a progress bar.
The format is documented in docs/import-format.md.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from participants.importing import MAX_BYTES, ImportFileError, import_file
from sites.models import Structure

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Importe des participant·es et leurs parcours depuis un CSV ou un XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV (UTF-8, , ou ;) ou XLSX.")
        parser.add_argument(
            "--structure", required=True, help="Identifiant (slug) ou SIRET de la structure."
        )
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Écrire les lignes valides (sans cette option : simulation, rien n'est écrit).",
        )
        parser.add_argument(
            "--as",
            dest="actor",
            default="",
            help="E-mail de l'utilisateur au nom duquel l'import est fait (historique).",
        )

    def handle(self, *args, file: Path, structure: str, commit: bool, actor: str, **options):
        found = Structure.objects.filter(Q(slug=structure) | Q(siret=structure)).first()
        if found is None:
            raise CommandError(f"Aucune structure d'identifiant ou de SIRET « {structure} ».")
        user = None
        if actor:
            user = get_user_model().objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"Aucun utilisateur d'e-mail « {actor} ».")
        try:
            size = file.stat().st_size
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}.") from None
        if size > MAX_BYTES:
            raise CommandError(
                f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo : "
                "découpez-le en plusieurs fichiers."
            )
        started = time.monotonic()
        try:
            report = import_file(
                file.read_bytes(),
                structure=found,
                actor=user,
                commit=commit,
                progress=self._progress if commit else None,
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(report.as_text(committed=commit))
        self.stdout.write(f"Durée : {elapsed:.1f} s.")
        if not commit:
            self.stdout.write("Simulation : relancez avec --commit pour écrire les lignes valides.")

    def _progress(self, done: int, total: int) -> None:
        """A progress bar on stderr, redrawn in place when it is a terminal."""
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        text = f"[{bar}] {done}/{total} lignes"
        if self.stderr.isatty():
            self.stderr.write(f"\r{text}", ending="" if done < total else "\n")
        else:
            self.stderr.write(text)
