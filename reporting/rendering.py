"""Rendering a frozen funder report to PDF (the background job's work).

`reporting.tasks.render_report_snapshot` runs `report_snapshot_render`; the request that
freezes the figures (`reporting.services.report_snapshot_create`) only queues that job, so
this module imports neither of them.
"""

import hashlib
import json
import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .languages import document_language
from .models import ReportSnapshot, ReportStatus
from .pdf import render_pdf

# The logger the render failures have always been recorded under (log filters, alerts).
logger = logging.getLogger("reporting.services")


def canonical_json(document: dict) -> bytes:
    """The bytes hashed for the SHA-256: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def figures_sha256(document: dict) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def snapshot_meta(snapshot: ReportSnapshot) -> dict:
    """The identity printed in the PDF; only frozen fields, so a re-render is identical."""
    deployment = snapshot.deployment
    created = timezone.localtime(snapshot.created_at)
    return {
        "deployment_label": _("%(programme)s × %(territory)s (depuis le %(date)s)")
        % {
            "programme": deployment.programme.label,
            "territory": deployment.territory.name,
            "date": f"{deployment.start_date:%d/%m/%Y}",
        },
        "funders": sorted(deployment.funders.values_list("name", flat=True)),
        "created_on": f"{created:%d/%m/%Y}",
        "created_iso": created.replace(microsecond=0).isoformat(),
        "period_start": f"{snapshot.period_start:%d/%m/%Y}",
        "period_end": f"{snapshot.period_end:%d/%m/%Y}",
        "sha256": snapshot.figures_sha256,
        "pack_sha256": snapshot.pack.sha256 if snapshot.pack_id else "",
        "uuid": str(snapshot.uuid),
    }


def _progress(snapshot_id: int, *, status: str, progress: int, **fields) -> None:
    ReportSnapshot.objects.filter(pk=snapshot_id).update(status=status, progress=progress, **fields)


def report_snapshot_render(*, snapshot_id: int) -> ReportSnapshot:
    """Render (or re-render) the PDF of a frozen snapshot, reporting progress as it goes."""
    snapshot = ReportSnapshot.objects.select_related(
        "deployment__programme", "deployment__territory", "pack"
    ).get(pk=snapshot_id)
    _progress(snapshot_id, status=ReportStatus.RUNNING, progress=10, error="")
    try:
        if figures_sha256(snapshot.figures) != snapshot.figures_sha256:
            raise ValueError("frozen figures do not match their SHA-256")
        # In the language its figures were frozen in (a report frozen before the documents
        # said so is French), so that the words match the numbers' decimal marks.
        with translation.override(document_language(snapshot.figures)):
            meta = snapshot_meta(snapshot)
            _progress(snapshot_id, status=ReportStatus.RUNNING, progress=30)
            pdf = render_pdf(figures=snapshot.figures, meta=meta)
    except Exception as exc:
        logger.exception("report.render_failed", extra={"snapshot": snapshot_id})
        _progress(
            snapshot_id, status=ReportStatus.FAILED, progress=100, error=type(exc).__name__[:300]
        )
        raise
    _progress(
        snapshot_id,
        status=ReportStatus.DONE,
        progress=100,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    snapshot.refresh_from_db()
    return snapshot
