"""Funder packs: what a pack holds, its fingerprint, and who may read it.

A pack is one frozen report per deployment the funder funds, for one period
(`reporting.services.funder_pack_create` freezes it). Its SHA-256 is that of the canonical
JSON of `pack_document` (sorted keys, no spaces, UTF-8, as the reports' own): the funder,
the period and, per deployment, the SHA-256 of its frozen figures. Change one figure of one
report and the pack's hash changes; each PDF and the pack's XLSX print it.
"""

import tablib
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from programmes.models import Deployment
from sites.tenancy import Scope
from web.spreadsheets import safe_row

from . import exports
from .models import FunderPack, ReportSnapshot
from .rendering import figures_sha256


def funded_deployment_ids(*, funder_id: int) -> list[int]:
    return list(
        Deployment.objects.filter(funders=funder_id).order_by("pk").values_list("pk", flat=True)
    )


def pack_document(pack: FunderPack, snapshots) -> dict:
    """What the pack's SHA-256 covers (no clock: the same reports give the same hash)."""
    return {
        "funder": pack.funder_id,
        "period": {
            "code": pack.period_code,
            "start": pack.period_start.isoformat(),
            "end": pack.period_end.isoformat(),
        },
        "reports": sorted(
            (
                {"deployment": s.deployment_id, "figures_sha256": s.figures_sha256}
                for s in snapshots
            ),
            key=lambda r: r["deployment"],
        ),
    }


def pack_sha256(pack: FunderPack, snapshots) -> str:
    return figures_sha256(pack_document(pack, snapshots))


def funder_packs(*, scope: Scope) -> list[FunderPack]:
    """The packs of the caller's funders, latest first (funders only: a pack is theirs)."""
    if not scope.funder_ids:
        return []
    return list(FunderPack.objects.filter(funder_id__in=scope.funder_ids).select_related("funder"))


def funder_pack_or_404(*, scope: Scope, uuid) -> FunderPack:
    pack = (
        FunderPack.objects.select_related("funder")
        .filter(uuid=uuid, funder_id__in=scope.funder_ids)
        .first()
    )
    if pack is None:
        raise Http404
    return pack


def pack_snapshots(pack: FunderPack) -> list[ReportSnapshot]:
    """The pack's reports (without their PDF bytes), by programme and territory."""
    return list(
        pack.snapshots.defer("pdf")
        .select_related("deployment__programme", "deployment__territory")
        .order_by("deployment__programme__code", "deployment__territory__name")
    )


def pack_datasets(pack: FunderPack, snapshots: list[ReportSnapshot]) -> list[tablib.Dataset]:
    """The XLSX of a pack: a first sheet naming the pack and its hash, then each
    deployment's key figures and structures, from the frozen figures (the PDFs' own)."""
    cover = tablib.Dataset(
        title=pgettext("funder pack", "Dossier")[:31], headers=[_("Champ"), _("Valeur")]
    )
    cover.append(safe_row([_("Financeur"), pack.funder.name]))
    cover.append(safe_row([_("Période"), pack.period_label]))
    cover.append(safe_row([_("Empreinte SHA-256 du dossier"), pack.sha256]))
    datasets = [cover]
    for index, snapshot in enumerate(snapshots, start=1):
        deployment = snapshot.deployment
        cover.append(
            safe_row(
                [
                    f"{index}. {deployment.programme.label} × {deployment.territory.name}",
                    _("SHA-256 des chiffres : %(sha)s") % {"sha": snapshot.figures_sha256},
                ]
            )
        )
        key, structures, *_rest = exports.dashboard_datasets(snapshot.figures)
        for data, name in ((key, _("chiffres")), (structures, _("structures"))):
            data.title = f"{index} {deployment.programme.code} {name}"[:31]
            datasets.append(data)
    return datasets
