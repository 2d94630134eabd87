"""Turn an uploaded file's bytes into rows of text cells keyed by canonical column.

Untrusted input: the type is decided by sniffing the content, never by the file name; the
size is capped (quality.md S16) and reading is bounded while it happens (`limits`): the
uncompressed size of an XLSX's parts and their number (`archive`), the decoded size and the
line length of a CSV, the rows, the columns and the time spent. Every failure becomes an
`ImportFileError` with a French message, so a malformed file can never cause a server error.
"""

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

from django.utils.translation import gettext as _

from .archive import ZIP_MAGIC, inflate_members, inspect_archive, unreadable
from .columns import COLUMN_BY_KEY, REQUIRED_KEYS, column_for_header
from .limits import (
    MAX_BYTES,
    MAX_ROWS,
    Budget,
    ImportFileError,
    ReadLimits,
    line_too_long,
    too_many_rows,
)
from .xlsx import first_sheet_rows

__all__ = ["MAX_BYTES", "MAX_ROWS", "ImportFileError", "ParsedFile", "RawRow", "read_file"]

# A cell longer than this is not a name or a code: the row is refused (the file is not).
MAX_CELL_CHARS = 1_000
# The csv module refuses fields above its limit; keep it just above the whole-file cap.
csv.field_size_limit(MAX_BYTES + 1)

CSV, XLSX = "CSV", "XLSX"
CHUNK = 64 * 1024
NEWLINE = re.compile(r"\r\n|\r|\n")
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


def read_file(
    data: bytes,
    *,
    max_rows: int = MAX_ROWS,
    limits: ReadLimits | None = None,
    vetted: bool = False,
) -> ParsedFile:
    """Sniff, decode and split `data` into rows within the limits; raises ImportFileError.
    `vetted`: these very bytes were read within the limits before (an analysed job's
    content), so an XLSX's members are not inflated once more only to be measured."""
    limits = limits or ReadLimits.from_settings(max_rows=max_rows)
    kind = _sniff(data)
    if kind == XLSX:
        return _read_xlsx(data, limits, measure=not vetted)
    return _read_csv(data, limits)


def check_upload(data: bytes, *, limits: ReadLimits | None = None) -> str:
    """What an upload request can afford to check before storing a file, in milliseconds
    whatever the content: its size and type, an XLSX's zip directory (nothing inflated), a
    CSV's encoding and header line. Returns the kind; raises ImportFileError."""
    limits = limits or ReadLimits.from_settings()
    kind = _sniff(data)
    if kind == XLSX:
        inspect_archive(data, limits).close()
    else:
        _read_csv(data, limits, header_only=True)
    return kind


def _sniff(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("Le fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.")
            % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if data.startswith(ZIP_MAGIC):
        return XLSX
    if data.startswith(BINARY_MAGICS) or b"\x00" in data:
        raise ImportFileError(
            _(
                "Ce fichier n'est ni un CSV ni un classeur XLSX. Enregistrez le tableur au "
                "format « CSV UTF-8 » ou « Classeur Excel (.xlsx) »."
            )
        )
    return CSV


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


def _csv_lines(data: bytes, budget: Budget) -> Iterator[str]:
    """The decoded lines of `data` with their endings (`\\n`, `\\r\\n` or `\\r`, as the csv
    module expects), decoded chunk by chunk: no line longer than the limit is ever built."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    max_chars = budget.limits.max_line_chars
    carry, number = "", 0
    for start in range(0, len(data), CHUNK):
        final = start + CHUNK >= len(data)
        try:
            text = decoder.decode(data[start : start + CHUNK], final=final)
        except UnicodeDecodeError:
            _decode(data)  # raises with the position in the whole file
            raise
        budget.spend(len(text))
        buffer, position = carry + text, 0
        for match in NEWLINE.finditer(buffer):
            if match.end() == len(buffer) and match.group() == "\r" and not final:
                break  # a "\r\n" cut between two chunks: wait for the next one
            number += 1
            if match.end() - position > max_chars + 2:
                raise line_too_long(budget.limits, line=number)
            yield buffer[position : match.end()]
            position = match.end()
        carry = buffer[position:]
        if len(carry) > max_chars:
            raise line_too_long(budget.limits, line=number + 1)
    if carry:
        yield carry


def _pick_delimiter(first_line: str) -> str:
    """`;` or `,`: whichever splits the header into more known columns (then more cells)."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (sum(1 for cell in cells if column_for_header(cell)), len(cells))

    return max([";", ","], key=score)


def _read_csv(data: bytes, limits: ReadLimits, *, header_only: bool = False) -> ParsedFile:
    budget = Budget(limits, kind=CSV)
    lines = _csv_lines(data, budget)
    leading: list[str] = []
    for line in lines:
        leading.append(line)
        if line.strip():
            break
    delimiter = _pick_delimiter(leading[-1] if leading else "")
    reader = csv.reader(chain(leading, lines), delimiter=delimiter, strict=False)
    try:
        return _build(CSV, reader, budget, header_only=header_only)
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


def _read_xlsx(data: bytes, limits: ReadLimits, *, measure: bool = True) -> ParsedFile:
    budget = Budget(limits, kind=XLSX)
    with inspect_archive(data, limits) as archive:
        if measure:
            inflate_members(archive, budget)
        try:
            rows = ([_xlsx_text(value) for value in values] for values in first_sheet_rows(archive))
            return _build(XLSX, rows, budget)
        except ImportFileError:
            raise
        except Exception:  # openpyxl raises many exception types on hostile archives
            raise unreadable() from None


def _width(cells) -> int:
    """The number of columns up to the last non-empty cell (formatting alone is no column)."""
    for index in range(len(cells) - 1, -1, -1):
        if str(cells[index]).strip():
            return index + 1
    return 0


def _header(rows, budget: Budget) -> tuple[int, list[str]]:
    for line, cells in enumerate(rows, start=1):
        budget.check_row(line=line, width=_width(cells))
        if any(str(cell).strip() for cell in cells):
            return line, [str(cell) for cell in cells]
    raise ImportFileError(_("Le fichier ne contient aucune ligne d'en-tête."))


def _positions(header: list[str], header_line: int) -> tuple[dict[str, int], list[str]]:
    """Where each known column is; the unknown headers; refuses a duplicate or a missing one."""
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
    return positions, ignored


def _build(kind: str, rows, budget: Budget, *, header_only: bool = False) -> ParsedFile:
    """Map the header, then collect non-empty rows with their spreadsheet line numbers,
    checking each row against the limits as it is read."""
    line, header = _header(rows, budget)
    positions, ignored = _positions(header, line)
    if header_only:
        return ParsedFile(kind=kind, rows=[], columns=list(positions), ignored_headers=ignored)
    max_rows = budget.limits.max_rows
    parsed: list[RawRow] = []
    for cells in rows:
        line += 1
        budget.check_row(line=line, width=_width(cells))
        if not any(str(cell).strip() for cell in cells):
            continue
        if len(parsed) >= max_rows:
            raise too_many_rows(max_rows)
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
