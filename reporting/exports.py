"""CSV and XLSX exports of every indicator table, from the published document.

Exports carry exactly what the page shows (suppressed cells included as "< 11" / "s"), and
every text cell is made inert for spreadsheets (web.spreadsheets.safe_row: a leading = + - @,
tab or carriage return gets a quote), since structure names are typed by users.
"""

import tablib
from django.http import HttpResponse
from django.utils.translation import gettext as _

from web.spreadsheets import safe_row

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dashboard_datasets(published: dict) -> list[tablib.Dataset]:
    """One dataset per table of the dashboard: key figures, structures, months, categories."""
    key = tablib.Dataset(title=_("Chiffres clés")[:31], headers=[_("Indicateur"), _("Valeur")])
    for item in published["headline"]:
        key.append(safe_row([item["label"], item["value"]]))
    if published["target"]:
        key.append(safe_row([_("Objectif"), str(published["target"]["value"])]))
        key.append(safe_row([_("Taux d'atteinte"), published["target"]["attainment"]]))

    structures = tablib.Dataset(
        title=_("Par structure")[:31], headers=[_("Structure"), *published["column_labels"]]
    )
    for row in published["rows"]:
        structures.append(safe_row([row["name"], *row["cells"]]))
    structures.append(safe_row([_("Total"), *published["total_cells"]]))

    months = tablib.Dataset(
        title=_("Par mois")[:31], headers=[_("Mois"), _("Entrées"), _("Sorties")]
    )
    for m in published["months"]:
        months.append(safe_row([m["month"], m["entries"], m["exits"]]))

    categories = tablib.Dataset(
        title=_("Sorties par catégorie")[:31], headers=[_("Catégorie DGEFP"), _("Sorties")]
    )
    for c in published["categories"]:
        categories.append(safe_row([c["label"], c["value"]]))
    return [key, structures, months, categories, *_outcome_datasets(published)]


def _outcome_datasets(published: dict) -> list[tablib.Dataset]:
    """The follow-up and orientation tables, when the document has them (a funder PDF
    frozen before they existed has not)."""
    datasets = []
    if published.get("followup"):
        followup = tablib.Dataset(
            title=_("Suivi après la sortie")[:31],
            headers=[
                _("Contrôle (mois après la sortie)"),
                _("Contrôles réalisés"),
                _("dont personnes injoignables"),
                _("En emploi ou en formation"),
                _("Logement conservé"),
            ],
        )
        for row in published["followup"]:
            followup.append(
                safe_row(
                    [
                        str(row["months"]),
                        row["checks"],
                        row["unreachable"],
                        row["employment_rate"],
                        row["housing_kept_rate"] or "",
                    ]
                )
            )
        datasets.append(followup)
    if published.get("orientations"):
        o = published["orientations"]
        orientations = tablib.Dataset(
            title=_("Orientations")[:31], headers=[_("Indicateur"), _("Valeur")]
        )
        orientations.append(safe_row([_("Orientations reçues"), o["referrals"]]))
        orientations.append(safe_row([_("Entrées après orientation"), o["entries"]]))
        orientations.append(
            safe_row(
                [_("Délai moyen de l'orientation à l'entrée (jours)"), o["average_delay_days"]]
            )
        )
        orientations.append(safe_row([_("Non-entrées"), o["non_entries"]]))
        for reason in o["reasons"]:
            orientations.append(safe_row([reason["label"], reason["value"]]))
        datasets.append(orientations)
    return datasets


def comparison_dataset(rows: list[dict], labels: list[str]) -> tablib.Dataset:
    data = tablib.Dataset(title=_("Territoires")[:31], headers=[_("Territoire"), *labels])
    for row in rows:
        data.append(safe_row([row["name"], *row["cells"]]))
    return data


def export_response(datasets: list[tablib.Dataset], *, fmt: str, filename: str) -> HttpResponse:
    """CSV: the tables one after the other, separated by a blank line; XLSX: one sheet each."""
    if fmt == "xlsx":
        book = tablib.Databook(datasets)
        body = book.export("xlsx")
    else:
        parts = []
        for data in datasets:
            parts.append(data.title + "\r\n" + data.export("csv"))
        body = ("\ufeff" + "\r\n".join(parts)).encode("utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
