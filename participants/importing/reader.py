"""Turn an uploaded file's bytes into rows of text cells keyed by canonical column.

Untrusted input: the type is decided by sniffing the content, never by the file name; the
size and the number of rows are capped (quality.md S16); every failure becomes an
`ImportFileError` with a French message, so a malformed file can never cause a server error.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .columns import COLUMN_BY_KEY, REQUIRED_KEYS, column_for_header

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# A cell longer than this is not a name or a code: the row is refused (the file is not).
MAX_CELL_CHARS = 1_000
# The csv module refuses fields above its limit; keep it just above the whole-file cap.
csv.field_size_limit(MAX_BYTES + 1)

CSV, XLSX = "CSV", "XLSX"
ZIP_MAGIC = b"PK\x03\x04"
# Signatures of files people upload by mistake: old Excel (OLE2), PDF, images, archives.
BINARY_MAGICS = (
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is French and says how to fix it."""


@dataclass
class RawRow:
    """One data row: its number as a spreadsheet shows it (the header is line 1)."""

    line: int
    cells: dict[str, str]


@dataclass
class ParsedFile:
    """What the reader understood of a file, before any validation."""

    kind: str
    rows: list[RawRow]
    columns: list[str]
    ignored_headers: list[str] = field(default_factory=list)


def read_file(data: bytes, *, max_rows: int = MAX_ROWS) -> ParsedFile:
    """Sniff, decode and split `data` into rows; raises ImportFileError."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("Le fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.")
            % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, max_rows=max_rows)
    if data.startswith(BINARY_MAGICS) or b"\x00" in data:
        raise ImportFileError(
            _(
                "Ce fichier n'est ni un CSV ni un classeur XLSX. Enregistrez le tableur au "
                "format « CSV UTF-8 » ou « Classeur Excel (.xlsx) »."
            )
        )
    return _read_csv(data, max_rows=max_rows)


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig drops a byte-order mark when there is one and is plain UTF-8 otherwise.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Le fichier n'est pas encodé en UTF-8 (octet illisible à la position "
                "%(pos)s). Dans votre tableur, enregistrez-le au format « CSV UTF-8 »."
            )
            % {"pos": error.start + 1}
        ) from None


def _pick_delimiter(text: str) -> str:
    """`;` or `,`: whichever splits the header into more known columns (then more cells)."""
    first_line = next((line for line in io.StringIO(text, newline="") if line.strip()), "")

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (sum(1 for cell in cells if column_for_header(cell)), len(cells))

    return max([";", ","], key=score)


def _read_csv(data: bytes, *, max_rows: int) -> ParsedFile:
    text = _decode(data)
    delimiter = _pick_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return _build(CSV, reader, max_rows=max_rows)
    except csv.Error as error:
        raise ImportFileError(
            _("Ligne %(line)s : le CSV est mal formé (%(reason)s).")
            % {"line": reader.line_num, "reason": error}
        ) from None


def _xlsx_text(value) -> str:
    """A cell as the text a person typed: dates as ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    return str(value)


def _read_xlsx(data: bytes, *, max_rows: int) -> ParsedFile:
    # Imported lazily: only XLSX uploads pay for openpyxl.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many exception types on hostile archives
        raise ImportFileError(
            _("Ce classeur XLSX est illisible. Ré-enregistrez-le depuis votre tableur.")
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_("Le classeur ne contient aucune feuille."))
        rows = ([_xlsx_text(value) for value in row] for row in sheet.iter_rows(values_only=True))
        return _build(XLSX, rows, max_rows=max_rows)
    except ImportFileError:
        raise
    except Exception:  # a corrupt sheet fails while streaming, not at open
        raise ImportFileError(
            _("Ce classeur XLSX est illisible. Ré-enregistrez-le depuis votre tableur.")
        ) from None
    finally:
        workbook.close()


def _build(kind: str, rows, *, max_rows: int) -> ParsedFile:
    """Map the header, then collect non-empty rows with their spreadsheet line numbers."""
    line = 0
    header: list[str] | None = None
    for cells in rows:
        line += 1
        if any(str(cell).strip() for cell in cells):
            header = [str(cell) for cell in cells]
            break
    if header is None:
        raise ImportFileError(_("Le fichier ne contient aucune ligne d'en-tête."))
    header_line = line
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        key = column_for_header(cell)
        if key is None:
            if cell.strip():
                ignored.append(cell.strip()[:60])
            continue
        if key in positions:
            raise ImportFileError(
                _("La colonne « %(col)s » apparaît deux fois dans l'en-tête (ligne %(line)s).")
                % {"col": COLUMN_BY_KEY[key].label, "line": header_line}
            )
        positions[key] = index
    missing = [key for key in REQUIRED_KEYS if key not in positions]
    if missing:
        raise ImportFileError(
            _(
                "Colonnes obligatoires absentes de l'en-tête (ligne %(line)s) : %(cols)s. "
                "Voir le format attendu."
            )
            % {
                "line": header_line,
                "cols": ", ".join(f"« {COLUMN_BY_KEY[key].label} »" for key in missing),
            }
        )
    parsed: list[RawRow] = []
    for cells in rows:
        line += 1
        if not any(str(cell).strip() for cell in cells):
            continue
        if len(parsed) >= max_rows:
            raise ImportFileError(
                _("Le fichier dépasse %(max)s lignes : découpez-le en plusieurs fichiers.")
                % {"max": f"{max_rows:,}".replace(",", "\u202f")}
            )
        parsed.append(
            RawRow(
                line=line,
                cells={
                    key: str(cells[index]).strip() if index < len(cells) else ""
                    for key, index in positions.items()
                },
            )
        )
    if not parsed:
        raise ImportFileError(_("Le fichier ne contient aucune ligne de données."))
    return ParsedFile(kind=kind, rows=parsed, columns=list(positions), ignored_headers=ignored)
