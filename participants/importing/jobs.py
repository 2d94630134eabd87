"""The life cycle of a spreadsheet import run from the browser, one `ImportJob` per structure
and file content:

    upload → PENDING → (background worker) ANALYSING → ANALYSED (preview of every refused
    row) or REFUSED (the reason, no content kept) → commit → RUNNING → one batch per step
    → DONE (the content is emptied), or FAILED at a batch (commit again to resume).

The upload request checks only what costs milliseconds whatever the file (`check_upload`),
stores the file and queues its analysis (`participants.tasks.analyse_import_job`): no web
request waits on reading a file.

A job that is not DONE still holds the spreadsheet (names, birth dates) and its report: it is
deleted whole `IMPORT_PENDING_RETENTION_DAYS` after its last change (`apply_retention`), at
once when its author cancels it, and with every other pending job of the structure when a
person of that structure is erased (the file may hold the person's rows).

Each step is a short request (htmx polls `import_job_step`); the job row is locked by the
caller's `import_job_get(for_update=True)`, so two tabs never write the same batch.
"""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import Structure

from ..models import ImportJob
from ..tasks import analyse_import_job
from .limits import ImportFileError
from .reader import check_upload, read_file
from .report import ImportReport
from .runner import batches, run_batch

logger = logging.getLogger(__name__)
# A job still PENDING or ANALYSING this long after it was queued lost its worker (a restart):
# uploading the file again queues it again.
ANALYSIS_STALE_AFTER = dt.timedelta(minutes=15)


def import_jobs_of(*, structure_id: int) -> QuerySet[ImportJob]:
    """The import jobs of one structure (never another's), without their content."""
    return ImportJob.objects.filter(structure_id=structure_id).defer("content")


def import_job_get(*, structure_id: int, pk: int, for_update: bool = False) -> ImportJob:
    """The structure's job, else 404; `for_update` locks its row until the transaction ends."""
    jobs = import_jobs_of(structure_id=structure_id)
    if for_update:
        jobs = jobs.select_for_update()
    return get_object_or_404(jobs, pk=pk)


def import_job_upload(*, structure_id: int, actor, data: bytes, filename: str) -> ImportJob:
    """Store an uploaded file and queue its analysis (raises ImportFileError when the quick
    checks refuse it). A job RUNNING, or being analysed, for the same content is returned as
    it is, not analysed again."""
    kind = check_upload(data)
    structure = Structure.objects.get(pk=structure_id)
    job = _job_for_upload(structure, actor, data, filename, kind)
    if job.status == ImportJob.Status.PENDING:
        analyse_import_job.enqueue(job.pk)
        job.refresh_from_db()  # analysed already when the backend runs jobs inline (tests)
    return job


def _job_for_upload(
    structure: Structure, actor, data: bytes, filename: str, kind: str
) -> ImportJob:
    """One job per structure and file content: the same file uploaded twice (a double click,
    two tabs) finds the job the first upload made."""
    digest = hashlib.sha256(data).hexdigest()
    defaults = {
        "filename": filename[:200],
        "kind": kind,
        "content": data,
        "created_by": actor,
    }
    try:
        with transaction.atomic():
            job, created = ImportJob.objects.select_for_update().get_or_create(
                structure=structure, sha256=digest, defaults=defaults
            )
    except IntegrityError:  # the concurrent upload committed first
        job, created = ImportJob.objects.get(structure=structure, sha256=digest), False
    if created or not _busy(job):
        # The content is emptied after a finished import: keep it again for this analysis.
        for name, value in defaults.items():
            setattr(job, name, value)
        job.failure = ""
        job.status = ImportJob.Status.PENDING
        job.save(update_fields=[*defaults, "failure", "status", "updated_at"])
    return job


def _busy(job: ImportJob) -> bool:
    """Being written, or being analysed by a live worker: an upload leaves it alone."""
    analysing = (ImportJob.Status.PENDING, ImportJob.Status.ANALYSING)
    return job.status == ImportJob.Status.RUNNING or (
        job.status in analysing and job.updated_at > timezone.now() - ANALYSIS_STALE_AFTER
    )


def import_job_commit(*, job: ImportJob) -> ImportJob:
    """ANALYSED or FAILED → RUNNING, from the first batch (an interrupted import is written
    again whole: it is idempotent). Any other state is left as it is."""
    if job.status in (ImportJob.Status.ANALYSED, ImportJob.Status.FAILED):
        job.status = ImportJob.Status.RUNNING
        job.rows_done = 0
        job.batches_done = 0
        job.result = ImportReport(total_rows=job.rows_total).as_json()
        job.failure = ""
        job.started_at = timezone.now()
        job.finished_at = None
        job.save()
    return job


def import_job_step(*, job: ImportJob, actor) -> ImportJob:
    """Write the next batch of a RUNNING job (the job row must be locked by the caller);
    after the last batch the job is DONE, after a database error FAILED."""
    if job.status == ImportJob.Status.RUNNING:
        _run_next_batch(job, actor)
    return job


def _run_next_batch(job: ImportJob, actor) -> None:
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    try:
        # The analysis read these bytes within the limits (the job is not RUNNING otherwise).
        parsed = read_file(bytes(content), vetted=True)
    except ImportFileError as error:  # read once already; only the deadline can bite again
        job.status = ImportJob.Status.FAILED
        job.failure = str(error)[:300]
        job.finished_at = timezone.now()
        job.save()
        return
    todo = batches(parsed)
    total = ImportReport.from_json(job.result)
    if job.batches_done < len(todo):
        batch = todo[job.batches_done]
        try:
            with transaction.atomic():
                total.merge(run_batch(batch, structure=job.structure, actor=actor))
        except DatabaseError as error:
            # Earlier batches stay written; importing the same file again completes the
            # work without duplicates (the import is idempotent).
            logger.exception("Import job %s failed at batch %s", job.pk, job.batches_done)
            job.status = ImportJob.Status.FAILED
            job.failure = _("Erreur de la base de données au lot %(n)s (%(kind)s).") % {
                "n": job.batches_done + 1,
                "kind": type(error).__name__,
            }
            job.finished_at = timezone.now()
            job.save()
            return
        job.batches_done += 1
        job.rows_done = min(job.rows_done + len(batch), job.rows_total)
    if job.batches_done >= len(todo):
        job.status = ImportJob.Status.DONE
        job.rows_done = job.rows_total
        job.finished_at = timezone.now()
        job.content = b""  # written: the spreadsheet itself is not kept
    job.result = total.as_json()
    job.save()


# Retention of pending uploads (docs/security.md §6) ------------------------------------


def import_pending_retention() -> dt.timedelta:
    return dt.timedelta(days=settings.IMPORT_PENDING_RETENTION_DAYS)


def import_jobs_pending(*, structure_id: int | None = None) -> QuerySet[ImportJob]:
    """Jobs that still hold a spreadsheet: analysed, failed or running (not DONE)."""
    jobs = ImportJob.objects.exclude(status=ImportJob.Status.DONE)
    return jobs if structure_id is None else jobs.filter(structure_id=structure_id)


def import_jobs_expired(*, now: dt.datetime | None = None) -> QuerySet[ImportJob]:
    """Pending jobs untouched for longer than the retention delay."""
    cutoff = (now or timezone.now()) - import_pending_retention()
    return import_jobs_pending().filter(updated_at__lt=cutoff)


def import_jobs_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the pending jobs past their delay, content and report with them (retention)."""
    return import_jobs_expired(now=now).delete()[0]


def import_jobs_purge_pending(*, structure_id: int) -> int:
    """Delete every pending job of a structure (a person of it is erased)."""
    return import_jobs_pending(structure_id=structure_id).delete()[0]


def import_job_cancel(*, job: ImportJob, actor) -> None:
    """The author abandons an upload not yet DONE: the job goes, file and report with it.
    Someone else gets PermissionDenied; a DONE job (already emptied) is left as it is."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied
    if job.status != ImportJob.Status.DONE:
        ImportJob.objects.filter(pk=job.pk).delete()
