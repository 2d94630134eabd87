"""Writes of the reporting layer: freezing a funder report and queueing its PDF (again,
when the first rendering stalled or failed); storing the dashboards' audits (the
background job).

The rendering itself is `reporting.rendering` (run by the background job of
`reporting.tasks`); its entry points are re-exported here, where callers know them.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Programme
from sites.models import Territory
from sites.tenancy import Scope

from . import audits, packs, periods, policies, selectors
from .models import FunderPack, ReportSnapshot, ReportStatus, stalled_before
from .periods import Period
from .places import territory_places
from .presentation import publish_dashboard
from .rendering import (  # noqa: F401 — re-exported
    figures_sha256,
    report_snapshot_render,
)
from .tasks import render_report_snapshot


@transaction.atomic
def report_snapshot_create(
    *, scope: Scope, deployment_id: int, period: Period, user=None
) -> ReportSnapshot:
    """Freeze the published figures of a deployment × period and queue the PDF rendering.

    The figures are computed now (a few aggregate queries) and never again: the PDF, today
    or next year, is rendered from this frozen copy. Small counts are suppressed before
    freezing, so the stored document holds nothing a funder may not read. A funder freezes
    calendar years only (ValueError otherwise, `policies.reads_calendar_years_only`).
    """
    snapshot = _snapshot_freeze(scope=scope, deployment_id=deployment_id, period=period, user=user)
    render_report_snapshot.enqueue(snapshot.pk)
    return snapshot


def _snapshot_freeze(
    *, scope: Scope, deployment_id: int, period: Period, user=None, pack=None
) -> ReportSnapshot:
    if not policies.may_read_period(scope, period):
        raise ValueError(policies.years_only_message())
    report_scope = selectors.deployment_report_scope(scope=scope, deployment_id=deployment_id)
    today = timezone.localdate()
    dashboard = selectors.dashboard_figures(report_scope=report_scope, period=period, today=today)
    document = publish_dashboard(dashboard, generated_on=today)
    return ReportSnapshot.objects.create(
        deployment=report_scope.deployment,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        figures=document,
        figures_sha256=figures_sha256(document),
        requested_by=user,
        pack=pack,
    )


@transaction.atomic
def funder_pack_create(*, scope: Scope, funder_id: int, period: Period, user=None) -> FunderPack:
    """Freeze a funder's pack for P: one report per deployment it funds, under one SHA-256.

    Only a member of the funder asks for its pack (404 otherwise), for a period the caller
    may read (a funder: an ended calendar year, ValueError otherwise). The reports are
    frozen like any other (suppressed, hours withheld), the pack's hash is computed from
    their figures' hashes, and only then are the PDFs queued, so that each prints it.
    """
    if funder_id not in scope.funder_ids:
        raise Http404
    if not policies.may_read_period(scope, period):
        raise ValueError(policies.years_only_message())
    deployments = packs.funded_deployment_ids(funder_id=funder_id)
    if not deployments:
        raise ValueError(_("Ce financeur ne finance aucun déploiement."))
    pack = FunderPack.objects.create(
        funder_id=funder_id,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        sha256="",
        requested_by=user,
    )
    snapshots = [
        _snapshot_freeze(scope=scope, deployment_id=pk, period=period, user=user, pack=pack)
        for pk in deployments
    ]
    pack.sha256 = packs.pack_sha256(pack, snapshots)
    pack.save(update_fields=["sha256"])
    for snapshot in snapshots:
        render_report_snapshot.enqueue(snapshot.pk)
    return pack


def report_snapshot_retry(*, scope: Scope, snapshot: ReportSnapshot) -> bool:
    """Queue the rendering of a stalled or failed report again; False when it is neither
    (any more): done meanwhile, or queued again by somebody else a moment ago.

    The check and the change are one conditional UPDATE, so two people pressing the button
    together queue one rendering. The figures stay frozen: the PDF is rendered from them,
    byte for byte the one the first rendering would have given.
    """
    selectors.deployment_report_scope(scope=scope, deployment_id=snapshot.deployment_id)
    retryable = Q(status=ReportStatus.FAILED) | Q(
        status__in=(ReportStatus.PENDING, ReportStatus.RUNNING), queued_at__lt=stalled_before()
    )
    with transaction.atomic():
        queued = (
            ReportSnapshot.objects.filter(retryable, pk=snapshot.pk).update(
                status=ReportStatus.PENDING, progress=0, error="", queued_at=timezone.now()
            )
            == 1
        )
        if queued:
            render_report_snapshot.enqueue(snapshot.pk)
    return queued


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


def dashboard_audit_store(programme_id: int, territory_id: int, year: int) -> None:
    """Build and publish the coordinator dashboard of a territory × programme × calendar
    year, as its page does, storing its audit (inside `audits.storing()`)."""
    structure_ids, places = territory_places(territory_id)
    report_scope = selectors.ReportScope(
        programme=Programme.objects.get(pk=programme_id),
        territory=Territory.objects.get(pk=territory_id),
        structure_ids=frozenset(structure_ids),
        suppressed=True,
        places=places,
    )
    publish_dashboard(
        selectors.dashboard_figures(report_scope=report_scope, period=periods.year(year))
    )


def dashboard_audits_refresh(today: dt.date | None = None) -> int:
    """Audit again, and store, the dashboards of the structures whose rows changed (the
    background job, right after refreshing the rows); how many dashboards were audited."""
    return audits.refresh(dashboard_audit_store, today=today)
