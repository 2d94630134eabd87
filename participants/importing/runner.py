"""The import as a sequence of steps the browser and the command line share.

A file is read once, checked as a whole for the preview, then written in batches of whole
people (rows sharing an external_id never straddle two batches). Each batch is validated
again against the database at the moment it is written (someone may have edited a file since
the preview) and written in one transaction. Batches make progress visible and keep every
request short; a failure leaves earlier batches written and nothing of the failing one, and
importing the same file again completes the work without duplicating anything (R2, R3).
"""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from sites.models import Structure

from .reader import ParsedFile, RawRow, read_file
from .report import ImportReport
from .validation import build_plan
from .writer import commit_plan

BATCH_ROWS = 1_000


def analyse(parsed: ParsedFile, *, structure: Structure, today: dt.date | None = None):
    """The preview: every row checked, nothing written."""
    plan = build_plan(
        parsed.rows,
        structure=structure,
        today=today or timezone.localdate(),
        ignored_headers=parsed.ignored_headers,
    )
    return plan.report


def batches(parsed: ParsedFile, *, size: int | None = None) -> list[list[RawRow]]:
    """Rows grouped by person in file order, cut into batches of about `size` rows."""
    size = size or BATCH_ROWS
    by_person: dict[str, list[RawRow]] = {}
    for row in parsed.rows:
        key = row.cells.get("external_id", "").strip() or f"\0line{row.line}"
        by_person.setdefault(key, []).append(row)
    result: list[list[RawRow]] = [[]]
    for rows in by_person.values():
        if result[-1] and len(result[-1]) + len(rows) > size:
            result.append([])
        result[-1].extend(rows)
    return [batch for batch in result if batch]


def run_batch(
    rows: list[RawRow], *, structure: Structure, actor, today: dt.date | None = None
) -> ImportReport:
    """Validate one batch against the database as it is now, and write its valid rows."""
    today = today or timezone.localdate()
    plan = build_plan(rows, structure=structure, today=today)
    return commit_plan(plan, structure=structure, actor=actor, today=today)


def import_file(
    data: bytes,
    *,
    structure: Structure,
    actor,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read, check and (with `commit`) write a whole file; `progress(done, total)` is called
    after each batch. Raises ImportFileError when the file cannot be read at all."""
    parsed = read_file(data)
    if not commit:
        report = analyse(parsed, structure=structure)
        if progress:
            progress(len(parsed.rows), len(parsed.rows))
        return report
    total = ImportReport(total_rows=len(parsed.rows), ignored_headers=parsed.ignored_headers)
    done = 0
    for batch in batches(parsed):
        total.merge(run_batch(batch, structure=structure, actor=actor))
        done += len(batch)
        if progress:
            progress(done, len(parsed.rows))
    return total
