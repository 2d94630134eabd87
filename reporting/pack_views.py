"""Funder packs: the list with the form that freezes one, a pack's page, its XLSX.
Thin: the pack is frozen by `services.funder_pack_create`, read through `reporting.packs`."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sites.models import Funder
from sites.ratelimit.decorators import is_post, rate_limited
from sites.tenancy.permissions import policy

from . import exports, packs, periods, policies, services
from .presentation import period_options
from .views import _period_choices


@require_http_methods(["GET", "POST"])
@rate_limited("export", when=is_post)
@policy(policies.may_read_funder_packs, hidden=True)
def pack_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    funders = list(Funder.objects.filter(pk__in=scope.funder_ids).order_by("name"))
    if request.method == "POST":
        try:
            period = periods.parse(request.POST.get("periode", ""))
            funder_id = int(request.POST.get("financeur") or funders[0].pk)
        except (ValueError, IndexError):
            messages.error(request, _("Choisissez une période dans la liste."))
            return redirect("reporting:packs")
        if funder_id not in scope.funder_ids:
            messages.error(request, _("Choisissez un de vos financeurs."))
            return redirect("reporting:packs")
        try:
            pack = services.funder_pack_create(
                scope=scope, funder_id=funder_id, period=period, user=request.user
            )
        except ValueError as error:
            messages.error(request, str(error))
            return redirect("reporting:packs")
        return redirect("reporting:pack_detail", uuid=pack.uuid)
    default = policies.default_year(scope)
    return render(
        request,
        "reporting/packs.html",
        {
            "funders": funders,
            "packs": packs.funder_packs(scope=scope),
            "period_options": period_options(_period_choices(request, default, [])),
            "today": timezone.localdate(),
        },
    )


@require_GET
@policy(policies.may_read_funder_packs, hidden=True)
def pack_detail(request: HttpRequest, uuid) -> HttpResponse:
    pack = packs.funder_pack_or_404(scope=request.scope, uuid=uuid)
    return render(
        request,
        "reporting/pack_detail.html",
        {"pack": pack, "snapshots": packs.pack_snapshots(pack)},
    )


@require_GET
@rate_limited("export")
@policy(policies.may_read_funder_packs, hidden=True)
def pack_xlsx(request: HttpRequest, uuid) -> HttpResponse:
    pack = packs.funder_pack_or_404(scope=request.scope, uuid=uuid)
    datasets = packs.pack_datasets(pack, packs.pack_snapshots(pack))
    return exports.export_response(
        datasets, fmt="xlsx", filename=f"dossier-{pack.funder.slug}-{pack.period_code}"
    )
