"""Import from a spreadsheet in the browser: upload → analysis in the background worker →
preview of every refused row → commit of the valid rows, batch after batch, with the progress
shown (htmx polls each step, so no request lasts long whatever the size of the file)."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programmes.models import Programme
from sites.tenancy.permissions import policy

from .. import policies
from ..enums import EXIT_CATEGORY, DgefpCategory, ExitSituation, Housing
from ..importing import MAX_BYTES, MAX_ROWS, ImportFileError, ImportReport, jobs
from ..importing.columns import COLUMNS
from ..models import ImportJob
from .base import current_structure_id, is_htmx

ERRORS_PER_PAGE = 100
ANALYSING = (ImportJob.Status.PENDING, ImportJob.Status.ANALYSING)
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
    return jobs.import_jobs_of(structure_id=current_structure_id(request))


def _job_get(request: HttpRequest, pk: int, *, for_update: bool = False) -> ImportJob:
    return jobs.import_job_get(
        structure_id=current_structure_id(request), pk=pk, for_update=for_update
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def import_upload(request: HttpRequest) -> HttpResponse:
    structure_id = current_structure_id(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.import_job_upload(
                structure_id=structure_id,
                actor=request.user,
                data=upload.read(),
                filename=upload.name,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if job.status == ImportJob.Status.RUNNING:  # found running, left untouched
                messages.info(request, _("Ce fichier est déjà en cours d'import."))
            return redirect("participants:import_detail", pk=job.pk)
    return render(
        request,
        "participants/imports/upload.html",
        {"form": form, "jobs": _jobs(request).select_related("created_by")[:10]},
    )


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
        {
            "job": job,
            "analysing": job.status in ANALYSING,
            "refused": job.status == ImportJob.Status.REFUSED,
            "report": report,
            "summary": report.summary(),
            "errors_page": page,
        },
    )


@require_POST
@policy(policies.can_work_on_files)
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Start writing the valid rows; the detail page then runs the batches one by one."""
    job = jobs.import_job_commit(job=_job_get(request, pk, for_update=True))
    return redirect("participants:import_detail", pk=job.pk)


@require_POST
@policy(policies.can_work_on_files)
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The author abandons an upload not yet imported: the file and its report are deleted
    at once (anyone else: 403)."""
    jobs.import_job_cancel(job=_job_get(request, pk, for_update=True), actor=request.user)
    messages.success(request, _("Import annulé : le fichier déposé est supprimé."))
    return redirect("participants:import_upload")


@require_POST
@policy(policies.can_work_on_files)
def import_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the next batch of a running import (called again and again by the progress
    fragment). The job row is locked, so two tabs never write the same batch."""
    job = jobs.import_job_step(job=_job_get(request, pk, for_update=True), actor=request.user)
    if not is_htmx(request):
        return redirect("participants:import_detail", pk=job.pk)
    if job.status in ANALYSING:  # the worker is reading the file: ask again in a moment
        return render(
            request, "participants/imports/_progress.html", {"job": job, "analysing": True}
        )
    if job.status != ImportJob.Status.RUNNING:
        # Finished (or stopped): show the final report as a full page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("participants:import_detail", kwargs={"pk": job.pk})
        return response
    return render(request, "participants/imports/_progress.html", {"job": job, "analysing": False})


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
