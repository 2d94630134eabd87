"""Import from a spreadsheet in the browser: upload → preview of every refused row → commit
of the valid rows, batch after batch, with the progress shown (htmx polls each step, so no
request lasts long whatever the size of the file)."""

import hashlib
import logging
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, IntegrityError, transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programmes.models import Programme
from sites.models import Structure
from sites.tenancy.permissions import policy

from .. import policies
from ..enums import EXIT_CATEGORY, DgefpCategory, ExitSituation, Housing
from ..importing import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    ImportReport,
    analyse,
    batches,
    read_file,
)
from ..importing import run_batch as import_run_batch
from ..importing.columns import COLUMNS
from ..models import ImportJob
from .base import current_structure_id, is_htmx

logger = logging.getLogger(__name__)
ERRORS_PER_PAGE = 100
EXAMPLE_FILE = Path(settings.BASE_DIR) / "docs" / "examples" / "import-example.csv"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
        help_text=gettext_lazy(
            "CSV séparé par des virgules ou des points-virgules (UTF-8), ou classeur Excel "
            ".xlsx ; 5 Mo et 50 000 lignes au plus."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.")
                % {"max": MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _jobs(request: HttpRequest):
    """The import jobs of the structure the person works in (never another's)."""
    return ImportJob.objects.filter(structure_id=current_structure_id(request)).defer("content")


def _job_get(request: HttpRequest, pk: int, *, for_update: bool = False) -> ImportJob:
    jobs = _jobs(request)
    if for_update:
        jobs = jobs.select_for_update()
    return get_object_or_404(jobs, pk=pk)


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def import_upload(request: HttpRequest) -> HttpResponse:
    structure_id = current_structure_id(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            parsed = read_file(data)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            structure = Structure.objects.get(pk=structure_id)
            job = _job_for_upload(request, structure, data, upload.name, parsed.kind)
            if job.status == ImportJob.Status.RUNNING:
                messages.info(request, _("Ce fichier est déjà en cours d'import."))
            else:
                report = analyse(parsed, structure=structure)
                job.report = report.as_json()
                job.rows_total = report.total_rows
                job.rows_done = 0
                job.status = ImportJob.Status.ANALYSED
                job.save(
                    update_fields=["report", "rows_total", "rows_done", "status", "updated_at"]
                )
            return redirect("participants:import_detail", pk=job.pk)
    return render(
        request,
        "participants/imports/upload.html",
        {"form": form, "jobs": _jobs(request).select_related("created_by")[:10]},
    )


def _job_for_upload(request, structure, data: bytes, filename: str, kind: str) -> ImportJob:
    """One job per structure and file content: the same file uploaded twice (a double click,
    two tabs) finds the job the first upload made."""
    digest = hashlib.sha256(data).hexdigest()
    defaults = {
        "filename": filename[:200],
        "kind": kind,
        "content": data,
        "created_by": request.user,
    }
    try:
        with transaction.atomic():
            job, created = ImportJob.objects.select_for_update().get_or_create(
                structure=structure, sha256=digest, defaults=defaults
            )
    except IntegrityError:  # the concurrent upload committed first
        job, created = ImportJob.objects.get(structure=structure, sha256=digest), False
    if not created and job.status != ImportJob.Status.RUNNING:
        # The content is emptied after a finished import: keep it again for this analysis.
        for name, value in defaults.items():
            setattr(job, name, value)
        job.failure = ""
        job.save(update_fields=[*defaults, "failure", "updated_at"])
    return job


@require_GET
@policy(policies.can_work_on_files)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_get(request, pk)
    shown = job.result if job.status != ImportJob.Status.ANALYSED else job.report
    report = ImportReport.from_json(shown)
    page = Paginator(report.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/imports/detail.html",
        {"job": job, "report": report, "summary": report.summary(), "errors_page": page},
    )


@require_POST
@policy(policies.can_work_on_files)
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Start writing the valid rows; the detail page then runs the batches one by one."""
    job = _job_get(request, pk, for_update=True)
    if job.status in (ImportJob.Status.ANALYSED, ImportJob.Status.FAILED):
        job.status = ImportJob.Status.RUNNING
        job.rows_done = 0
        job.batches_done = 0
        job.result = ImportReport(total_rows=job.rows_total).as_json()
        job.failure = ""
        job.started_at = timezone.now()
        job.finished_at = None
        job.save()
    return redirect("participants:import_detail", pk=job.pk)


@require_POST
@policy(policies.can_work_on_files)
def import_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the next batch of a running import (called again and again by the progress
    fragment). The job row is locked, so two tabs never write the same batch."""
    job = _job_get(request, pk, for_update=True)
    if job.status == ImportJob.Status.RUNNING:
        _run_next_batch(request, job)
    if not is_htmx(request):
        return redirect("participants:import_detail", pk=job.pk)
    if job.status != ImportJob.Status.RUNNING:
        # Finished (or stopped): show the final report as a full page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("participants:import_detail", kwargs={"pk": job.pk})
        return response
    return render(request, "participants/imports/_progress.html", {"job": job})


def _run_next_batch(request: HttpRequest, job: ImportJob) -> None:
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    parsed = read_file(bytes(content))
    todo = batches(parsed)
    total = ImportReport.from_json(job.result)
    if job.batches_done < len(todo):
        batch = todo[job.batches_done]
        try:
            with transaction.atomic():
                total.merge(import_run_batch(batch, structure=job.structure, actor=request.user))
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


@require_GET
@policy(policies.can_work_on_files)
def import_format(request: HttpRequest) -> HttpResponse:
    """The expected columns and every accepted code, from the reference lists themselves."""
    return render(
        request,
        "participants/imports/format.html",
        {
            "columns": COLUMNS,
            "programmes": Programme.objects.order_by("code"),
            "exit_situations": [
                (code, label, DgefpCategory(EXIT_CATEGORY[code]).label)
                for code, label in ExitSituation.choices
            ],
            "housing": Housing.choices,
            "max_rows": MAX_ROWS,
        },
    )


@require_GET
@policy(policies.can_work_on_files)
def import_example(request: HttpRequest) -> FileResponse:
    """The example file documented in docs/import-format.md."""
    return FileResponse(
        EXAMPLE_FILE.open("rb"),
        as_attachment=True,
        filename="exemple-import-sillon.csv",
        content_type="text/csv; charset=utf-8",
    )
