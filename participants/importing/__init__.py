"""Import of participants and parcours from a spreadsheet (CSV `,`/`;` UTF-8, or XLSX).

reader (bytes → rows) → rows (cells → typed values) → validation (rows → report + plan,
with the rules of `participants.rules`) → writer (plan → database). `runner` strings them
together for the browser (step by step, with progress) and for `manage.py
import_participants`; `jobs` keeps the browser import's life cycle (upload, analysed,
running batch after batch, done or failed).
The format is documented in docs/import-format.md.
"""

from .reader import MAX_BYTES, MAX_ROWS, ImportFileError, ParsedFile, read_file
from .report import ImportReport, RowError
from .runner import analyse, batches, import_file, run_batch

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportFileError",
    "ImportReport",
    "ParsedFile",
    "RowError",
    "analyse",
    "batches",
    "import_file",
    "read_file",
    "run_batch",
]
