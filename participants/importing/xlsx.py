"""The rows of an XLSX's first sheet, one at a time, without openpyxl's load-time walks.

`openpyxl.load_workbook(read_only=True)` parses every worksheet of the workbook as it opens
it, to the end when a sheet declares no `<dimension>` (looking for one), before a single row
is returned: a sheet of a few kilobytes inflating to 150 MB held a request for more than two
minutes there, out of reach of any check. So this module takes openpyxl's parts one by one —
the manifest, the shared strings, the workbook (for the order of the sheets and the date
system), the stylesheet (which cells are dates) — and streams the first worksheet only
through openpyxl's own row parser, no row padded to a declared dimension; the reader checks
each row against the limits as it comes. (openpyxl is pinned in requirements.lock; these
are the parts `ExcelReader.read` itself calls.)
"""

import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .limits import MAX_LINES, ImportFileError, too_many_rows


def first_sheet_rows(archive: zipfile.ZipFile) -> Iterator[list]:
    """The cell values of each line of the first worksheet, from line 1, an empty list for a
    line the sheet skips; a row's values stop at its last cell that holds a value."""
    # Imported lazily: only XLSX uploads pay for openpyxl.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader.__new__(ExcelReader)
    reader.archive = archive
    reader.valid_files = archive.namelist()
    reader.read_only = True
    reader.data_only = True
    reader.keep_vba = False
    reader.keep_links = False
    reader.rich_text = False
    reader.shared_strings = []
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    workbook = reader.wb
    path = next(
        (
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ),
        None,
    )
    if path is None:
        raise ImportFileError(_("Le classeur ne contient aucune feuille."))
    with archive.open(path) as source:
        parser = WorkSheetParser(
            source,
            reader.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        expected = 1
        for line, cells in parser.parse():
            if line > MAX_LINES:
                raise too_many_rows(MAX_LINES)
            if line < expected:  # a row out of order: openpyxl skips it too
                continue
            for _skipped in range(expected, line):
                yield []
            expected = line + 1
            yield _values(cells)


def _values(cells: list[dict]) -> list:
    """A row's values by column, up to its last cell with a value (a styled empty cell far
    to the right is no column)."""
    filled = [cell for cell in cells if cell["value"] not in (None, "")]
    if not filled:
        return []
    values: list = [None] * max(cell["column"] for cell in filled)
    for cell in filled:
        values[cell["column"] - 1] = cell["value"]
    return values
