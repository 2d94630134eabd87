"""The bounds on reading an uploaded spreadsheet, checked while reading (never after).

A file of a few kilobytes can inflate to hundreds of megabytes (an XLSX is a zip) or hold a
single line of millions of characters: the 5 MB upload cap bounds what is stored, these
bounds what reading it may cost. Every limit has a setting (docs/configuration.md) and a
French message that names it, raised as `ImportFileError`.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# A spreadsheet has at most this many lines (Excel's and LibreOffice's maximum); a sheet whose
# row numbers jump past it is refused rather than walked through, empty line by empty line.
MAX_LINES = 1_048_576
MB = 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is French and says how to fix it."""


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@dataclass(frozen=True)
class ReadLimits:
    """What reading one file may cost; `from_settings()` gives the configured ones."""

    max_rows: int = MAX_ROWS
    max_columns: int = 100
    max_line_chars: int = 65_536
    max_uncompressed_bytes: int = 100 * MB
    max_zip_members: int = 200
    read_seconds: float = 60.0

    @classmethod
    def from_settings(cls, *, max_rows: int = MAX_ROWS) -> "ReadLimits":
        return cls(
            max_rows=max_rows,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_line_chars=settings.IMPORT_MAX_LINE_CHARS,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_MB * MB,
            max_zip_members=settings.IMPORT_MAX_ZIP_MEMBERS,
            read_seconds=settings.IMPORT_READ_SECONDS,
        )


class Budget:
    """The running cost of one read: the bytes inflated or decoded so far, and the deadline."""

    def __init__(self, limits: ReadLimits, *, kind: str):
        self.limits = limits
        self.kind = kind
        self.bytes = 0
        self.deadline = time.monotonic() + limits.read_seconds

    def spend(self, count: int) -> None:
        """Count `count` more uncompressed (XLSX) or decoded (CSV) bytes; check the clock."""
        self.bytes += count
        if self.bytes > self.limits.max_uncompressed_bytes:
            raise too_large(self.limits, kind=self.kind)
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImportFileError(
                _(
                    "La lecture du fichier a dépassé %(max)s secondes (limite de durée de "
                    "lecture) : découpez-le en plusieurs fichiers."
                )
                % {"max": _thousands(int(self.limits.read_seconds))}
            )

    def check_row(self, *, line: int, width: int) -> None:
        """A row read: its line number and its width up to its last non-empty cell."""
        if width > self.limits.max_columns:
            raise ImportFileError(
                _(
                    "La ligne %(line)s dépasse %(max)s colonnes (limite du nombre de "
                    "colonnes) : supprimez les colonnes inutiles."
                )
                % {"line": line, "max": _thousands(self.limits.max_columns)}
            )
        if line > MAX_LINES:
            raise too_many_rows(MAX_LINES)
        self.check_time()


def too_large(limits: ReadLimits, *, kind: str) -> ImportFileError:
    size = _thousands(limits.max_uncompressed_bytes // MB)
    if kind == "XLSX":
        return ImportFileError(
            _(
                "Le classeur dépasse %(max)s Mo une fois décompressé (limite de taille "
                "décompressée) : découpez-le en plusieurs fichiers."
            )
            % {"max": size}
        )
    return ImportFileError(
        _(
            "Le texte du fichier dépasse %(max)s Mo une fois décodé (limite de taille "
            "décompressée) : découpez-le en plusieurs fichiers."
        )
        % {"max": size}
    )


def too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        _("Le fichier dépasse %(max)s lignes : découpez-le en plusieurs fichiers.")
        % {"max": _thousands(max_rows)}
    )


def line_too_long(limits: ReadLimits, *, line: int) -> ImportFileError:
    return ImportFileError(
        _(
            "La ligne %(line)s dépasse %(max)s caractères (limite de longueur de ligne) : "
            "enregistrez le tableur au format « CSV UTF-8 », une ligne par parcours."
        )
        % {"line": line, "max": _thousands(limits.max_line_chars)}
    )
