"""CSV and XLSX exports of exactly what the participant list shows (all pages)."""

import datetime as dt

import tablib
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sites.audit.models import AccessAction
from sites.audit.services import log_bulk_read
from sites.ratelimit.decorators import rate_limited
from sites.tenancy.permissions import policy
from web.spreadsheets import safe_row

from .. import policies
from .base import current_structure_id
from .participants import filtered_participants

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _csv_cell(value):
    # French spreadsheets read dd/mm/yyyy; XLSX keeps real dates.
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    structure_id = current_structure_id(request)
    _filterset, table = filtered_participants(request, structure_id, request.GET)
    rows = list(table.as_values())
    dataset = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        row = [None if cell == table.default else cell for cell in row]
        if fmt == "csv":
            row = [_csv_cell(cell) for cell in row]
        dataset.append(safe_row(row))
    # The rows above came from the table's queryset, evaluated once and cached.
    log_bulk_read(
        request, participants=[row.record for row in table.rows], action=AccessAction.EXPORT
    )
    if fmt == "csv":
        # A BOM, so that Excel opens the UTF-8 file with its accents right.
        content = "\ufeff" + dataset.export("csv", delimiter=";")
    else:
        content = dataset.export("xlsx")
    response = HttpResponse(content, content_type=FORMATS[fmt])
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="participants-{stamp}.{fmt}"'
    return response


@require_GET
@rate_limited("export")
@policy(policies.can_work_on_files)
def participant_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@require_GET
@rate_limited("export")
@policy(policies.can_work_on_files)
def participant_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
