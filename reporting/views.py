"""Dashboards, exports and funder reports. Thin: scope checks and figures live in selectors."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from programmes.enums import TargetMetric
from sites.ratelimit.decorators import asks_export, is_post, rate_limited
from sites.tenancy.permissions import authenticated, policy

from . import exports, periods, policies, selectors, services
from .models import ReportSnapshot
from .presentation import (
    charts_for,
    column_groups,
    month_rows,
    period_options,
    publish_comparison,
    publish_dashboard,
    structure_tables,
    target_overview_chart,
)
from .tables import TargetTable

EXPORT_FORMATS = ("csv", "xlsx")


def _period(request: HttpRequest, default: periods.Period) -> periods.Period:
    """The period asked for (`periode` code, or `du`/`au` dates), else the default; 404 on
    a malformed value rather than a 500, and on a period the caller may not read (a funder
    reads calendar years only)."""
    start, end = request.GET.get("du"), request.GET.get("au")
    try:
        if start and end:
            period = periods.free(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        else:
            code = request.GET.get("periode")
            period = periods.parse(code) if code else default
    except ValueError:
        raise Http404 from None
    if not policies.may_read_period(request.scope, period):
        raise Http404
    return period


def _period_choices(request, current: periods.Period, targets: list[periods.Period]) -> list[dict]:
    options = periods.choices_around(timezone.localdate(), years=6)
    options = [p for p in (*targets, *options) if policies.may_read_period(request.scope, p)]
    if current not in options and current.code not in {p.code for p in options}:
        options.insert(0, current)
    seen, result = set(), []
    for p in options:
        if p.code in seen:
            continue
        seen.add(p.code)
        result.append({"code": p.code, "label": str(p.label), "selected": p.code == current.code})
    return result


@require_GET
@authenticated
def index(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    pairs = selectors.reportable_pairs(scope=scope)
    national = []
    if policies.may_see_national_view(scope):
        national = sorted({p.code: p for _t, p in pairs}.values(), key=lambda p: p.code)
    return render(
        request,
        "reporting/index.html",
        {
            "pairs": pairs,
            "national_programmes": national,
            "own_programmes": selectors.structure_programmes(scope=scope)
            if policies.may_see_own_structures_dashboard(scope)
            else [],
            "deployments": selectors.funded_deployments(scope=scope)
            if policies.may_generate_funder_reports(scope)
            else [],
            "may_read_packs": policies.may_read_funder_packs(scope),
        },
    )


def _target_periods(target_periods: list[periods.Period]) -> list[periods.Period]:
    """The targets' periods, first in the selector and named as such."""
    seen, result = set(), []
    for p in target_periods:
        if p.code in seen:
            continue
        seen.add(p.code)
        label = _("période d'objectif : %(period)s") % {"period": p.label}
        result.append(periods.Period(p.start, p.end, p.code, label))
    return result


def _targets_shown(scope, targets: list[selectors.TargetInfo]) -> list[dict]:
    """The targets as printed next to the gauge (with a link to their period, when the
    caller may read it)."""
    return [
        {
            "code": t.period.code,
            "period": str(t.period.label),
            "metric": str(TargetMetric(t.metric).label),
            "value": t.value,
            "linked": policies.may_read_period(scope, t.period),
        }
        for t in targets
    ]


def _dashboard_page(request, report_scope, *, export_fmt: str = ""):
    period = _period(request, policies.default_year(request.scope))
    targets = (
        selectors.territory_targets(report_scope=report_scope)
        if not export_fmt and report_scope.structure is None
        else []
    )
    dashboard = selectors.dashboard_figures(
        report_scope=report_scope, period=period, targets=None if export_fmt else targets
    )
    published = publish_dashboard(dashboard)
    if export_fmt:
        if export_fmt not in EXPORT_FORMATS:
            raise Http404
        name = "-".join(
            x
            for x in (
                "indicateurs",
                report_scope.programme.code,
                report_scope.territory.slug if report_scope.territory else "mes-structures",
                report_scope.structure.slug if report_scope.structure else "",
                period.code,
            )
            if x
        )
        return exports.export_response(
            exports.dashboard_datasets(published), fmt=export_fmt, filename=name
        )
    drill_down = report_scope.territory is not None and report_scope.structure is None
    years_only = policies.reads_calendar_years_only(request.scope)
    around = (
        selectors.drill_down_territories(scope=request.scope, report_scope=report_scope)
        if report_scope.territory is not None
        else {"ancestors": [], "children": []}
    )
    choices = _period_choices(request, period, _target_periods([t.period for t in targets]))
    groups = column_groups(published, markup=True, link_period=period.code if drill_down else None)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "report_scope": report_scope,
            "figures": published,
            "charts": charts_for(published),
            "structure_tables": structure_tables(groups),
            "month_rows": month_rows(published),
            "period_options": period_options(choices),
            "territory_targets": _targets_shown(request.scope, targets),
            "query": request.GET.urlencode(),
            "keep_structure": report_scope.structure.slug if report_scope.structure else "",
            "years_only": years_only,
            "around": around,
        },
    )


@require_GET
@rate_limited("export", when=asks_export)
@policy(policies.may_see_territory_dashboards, hidden=True)
def territory_dashboard(
    request: HttpRequest, programme: str, territory: str, export_fmt: str = ""
) -> HttpResponse:
    report_scope = selectors.territory_report_scope(
        scope=request.scope,
        programme=selectors.get_programme(programme),
        territory_slug=territory,
        structure_slug=request.GET.get("structure", ""),
    )
    return _dashboard_page(request, report_scope, export_fmt=export_fmt)


@require_GET
@rate_limited("export", when=asks_export)
@policy(policies.may_see_own_structures_dashboard, hidden=True)
def own_dashboard(request: HttpRequest, programme: str, export_fmt: str = "") -> HttpResponse:
    report_scope = selectors.own_structures_report_scope(
        scope=request.scope, programme=selectors.get_programme(programme)
    )
    return _dashboard_page(request, report_scope, export_fmt=export_fmt)


@require_GET
@rate_limited("export", when=asks_export)
@policy(policies.may_see_national_view, hidden=True)
def national(request: HttpRequest, programme: str, export_fmt: str = "") -> HttpResponse:
    period = _period(request, policies.default_year(request.scope))
    comparison = selectors.national_figures(
        scope=request.scope, programme=selectors.get_programme(programme), period=period
    )
    published = publish_comparison(comparison, today=timezone.localdate())
    if export_fmt:
        if export_fmt not in EXPORT_FORMATS:
            raise Http404
        return exports.export_response(
            [exports.comparison_dataset(published["rows"], published["column_labels"])],
            fmt=export_fmt,
            filename=f"territoires-{programme}-{period.code}",
        )
    targets_table = TargetTable(
        published["targets"], programme_code=programme, period_code=period.code
    )
    RequestConfig(request, paginate=False).configure(targets_table)
    choices = _period_choices(request, period, _target_periods(comparison.target_periods))
    return render(
        request,
        "reporting/national.html",
        {
            "figures": published,
            "targets_table": targets_table,
            "targets_chart": target_overview_chart(published["targets"]),
            "has_target_periods": bool(comparison.target_periods),
            "programme": comparison.programme,
            "period_options": period_options(choices),
            "query": request.GET.urlencode(),
            "keep_structure": "",
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limited("export", when=is_post)
@policy(policies.may_generate_funder_reports, hidden=True)
def deployment_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen reports of a deployment, and the form that freezes a new one."""
    report_scope = selectors.deployment_report_scope(scope=request.scope, deployment_id=pk)
    deployment = report_scope.deployment
    years_only = policies.reads_calendar_years_only(request.scope)
    if request.method == "POST":
        try:
            period = periods.parse(request.POST.get("periode", ""))
        except ValueError:
            messages.error(request, _("Choisissez une période dans la liste."))
            return redirect("reporting:deployment_reports", pk=pk)
        if not policies.may_read_period(request.scope, period):
            messages.error(request, policies.years_only_message())
            return redirect("reporting:deployment_reports", pk=pk)
        snapshot = services.report_snapshot_create(
            scope=request.scope, deployment_id=pk, period=period, user=request.user
        )
        return redirect("reporting:snapshot_detail", uuid=snapshot.uuid)
    targets = selectors.territory_targets(report_scope=report_scope)
    default = services.period_for_deployment(
        deployment=deployment,
        today=timezone.localdate(),
        target_periods=[
            t.period for t in targets if policies.may_read_period(request.scope, t.period)
        ],
    )
    snapshots = ReportSnapshot.objects.filter(deployment=deployment).only(
        "uuid",
        "period_code",
        "created_at",
        "queued_at",
        "status",
        "progress",
        "figures_sha256",
        "period_start",
        "period_end",
    )
    return render(
        request,
        "reporting/deployment_reports.html",
        {
            "deployment": deployment,
            "snapshots": [s for s in snapshots if _may_open(request, s)],
            "period_options": period_options(
                _period_choices(request, default, _target_periods([t.period for t in targets]))
            ),
            "territory_targets": _targets_shown(request.scope, targets),
            "years_only": years_only,
        },
    )


def _may_open(request: HttpRequest, snapshot: ReportSnapshot) -> bool:
    """A funder opens the reports of calendar years only, whoever froze them (a
    coordinator's quarter would be a period the funder may not read)."""
    period = periods.Period(snapshot.period_start, snapshot.period_end)
    return policies.may_read_period(request.scope, period)


def _snapshot_or_404(request: HttpRequest, uuid) -> ReportSnapshot:
    """A snapshot is visible to whoever may see its deployment (404 otherwise); the views
    declare `may_generate_funder_reports`."""
    snapshot = (
        ReportSnapshot.objects.defer("pdf", "figures")
        .select_related("deployment__programme", "deployment__territory")
        .filter(uuid=uuid)
        .first()
    )
    if snapshot is None or not _may_open(request, snapshot):
        raise Http404
    selectors.deployment_report_scope(scope=request.scope, deployment_id=snapshot.deployment_id)
    return snapshot


@require_GET
@policy(policies.may_generate_funder_reports, hidden=True)
def snapshot_detail(request: HttpRequest, uuid) -> HttpResponse:
    snapshot = _snapshot_or_404(request, uuid)
    template = (
        "reporting/_snapshot_status.html" if request.htmx else "reporting/snapshot_detail.html"
    )
    return render(
        request,
        template,
        {"snapshot": snapshot, "stalled_minutes": settings.REPORT_STALLED_AFTER_MINUTES},
    )


@require_POST
@rate_limited("export")
@policy(policies.may_generate_funder_reports, hidden=True)
def snapshot_retry(request: HttpRequest, uuid) -> HttpResponse:
    """Queue again the rendering of a stalled or failed report (its figures stay frozen)."""
    snapshot = _snapshot_or_404(request, uuid)
    if services.report_snapshot_retry(scope=request.scope, snapshot=snapshot):
        messages.success(request, _("La génération du PDF est relancée."))
    else:
        messages.info(request, _("Ce rapport n'est ni bloqué ni en échec : rien à relancer."))
    return redirect("reporting:snapshot_detail", uuid=snapshot.uuid)


@require_GET
@rate_limited("export")
@policy(policies.may_generate_funder_reports, hidden=True)
def snapshot_download(request: HttpRequest, uuid) -> HttpResponse:
    snapshot = _snapshot_or_404(request, uuid)
    pdf = ReportSnapshot.objects.values_list("pdf", flat=True).get(pk=snapshot.pk)
    if not pdf:
        messages.info(request, _("Le PDF n'est pas encore prêt."))
        return redirect(reverse("reporting:snapshot_detail", kwargs={"uuid": snapshot.uuid}))
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    name = f"rapport-{snapshot.deployment.programme.code}-{snapshot.deployment.territory.slug}"
    response["Content-Disposition"] = f'attachment; filename="{name}-{snapshot.period_code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
