"""Writes of the reporting layer: freezing a funder report and rendering its PDF."""

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from sites.tenancy import Scope

from . import selectors
from .models import ReportSnapshot, ReportStatus
from .pdf import render_pdf
from .periods import Period
from .presentation import publish_dashboard

logger = logging.getLogger(__name__)


def canonical_json(document: dict) -> bytes:
    """The bytes hashed for the SHA-256: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def figures_sha256(document: dict) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


@transaction.atomic
def report_snapshot_create(
    *, scope: Scope, deployment_id: int, period: Period, user=None
) -> ReportSnapshot:
    """Freeze the published figures of a deployment × period and queue the PDF rendering.

    The figures are computed now (a few aggregate queries) and never again: the PDF, today
    or next year, is rendered from this frozen copy. Small counts are suppressed before
    freezing, so the stored document holds nothing a funder may not read.
    """
    from .tasks import render_report_snapshot

    report_scope = selectors.deployment_report_scope(scope=scope, deployment_id=deployment_id)
    dashboard = selectors.dashboard_figures(report_scope=report_scope, period=period)
    today = timezone.localdate()
    document = publish_dashboard(dashboard, generated_on=today)
    snapshot = ReportSnapshot.objects.create(
        deployment=report_scope.deployment,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        figures=document,
        figures_sha256=figures_sha256(document),
        requested_by=user,
    )
    render_report_snapshot.enqueue(snapshot.pk)
    return snapshot


def snapshot_meta(snapshot: ReportSnapshot) -> dict:
    """The identity printed in the PDF; only frozen fields, so a re-render is identical."""
    deployment = snapshot.deployment
    created = timezone.localtime(snapshot.created_at)
    return {
        "deployment_label": f"{deployment.programme.label} × {deployment.territory.name} "
        f"(depuis le {deployment.start_date:%d/%m/%Y})",
        "funders": sorted(deployment.funders.values_list("name", flat=True)),
        "created_on": f"{created:%d/%m/%Y}",
        "created_iso": created.replace(microsecond=0).isoformat(),
        "period_start": f"{snapshot.period_start:%d/%m/%Y}",
        "period_end": f"{snapshot.period_end:%d/%m/%Y}",
        "sha256": snapshot.figures_sha256,
        "uuid": str(snapshot.uuid),
    }


def _progress(snapshot_id: int, *, status: str, progress: int, **fields) -> None:
    ReportSnapshot.objects.filter(pk=snapshot_id).update(status=status, progress=progress, **fields)


def report_snapshot_render(*, snapshot_id: int) -> ReportSnapshot:
    """Render (or re-render) the PDF of a frozen snapshot, reporting progress as it goes."""
    snapshot = ReportSnapshot.objects.select_related(
        "deployment__programme", "deployment__territory"
    ).get(pk=snapshot_id)
    _progress(snapshot_id, status=ReportStatus.RUNNING, progress=10, error="")
    try:
        if figures_sha256(snapshot.figures) != snapshot.figures_sha256:
            raise ValueError("frozen figures do not match their SHA-256")
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


def period_for_deployment(
    *, deployment, today: dt.date, target_periods: Iterable[Period] = ()
) -> Period:
    """Default report period: the latest target period that has begun (funders report
    against their targets), else the previous calendar year once the deployment has one."""
    from .periods import year

    started = [p for p in target_periods if p.start <= today]
    if started:
        return max(started, key=lambda p: (p.end, p.start))
    return year(max(deployment.start_date.year, today.year - 1))
