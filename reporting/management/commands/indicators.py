"""`manage.py indicators`: the indicators of domain.md §6 for a programme × territory × period.

Run by operators (not through a user's scope): it prints aggregates only, never a person,
and does not suppress small counts (the operator sees everything anyway).
"""

import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from programmes.models import Programme
from reporting.periods import free
from reporting.places import territory_places
from reporting.selectors import ReportScope, dashboard_figures
from sites.models import Structure, Territory


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date invalide (AAAA-MM-JJ attendu) : {value}") from None


def find_territory(code_or_slug: str) -> Territory:
    """A territory by slug, or by the code of one of its geo units (e.g. 244400404)."""
    territory = Territory.objects.filter(slug=code_or_slug).first()
    if territory:
        return territory
    matches = list(Territory.objects.filter(geo_units__code=code_or_slug).distinct()[:3])
    if not matches:
        raise CommandError(f"Territoire inconnu : {code_or_slug}")
    if len(matches) > 1:
        names = ", ".join(t.slug for t in matches)
        raise CommandError(f"Code ambigu ({names}) : donnez l'identifiant du territoire.")
    return matches[0]


class Command(BaseCommand):
    help = "Affiche les indicateurs (domain.md §6) d'un programme sur un territoire et une période."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, help="Code du programme (CVG, PHC…)")
        parser.add_argument(
            "--territory", required=True, help="Identifiant du territoire ou code géographique"
        )
        parser.add_argument("--from", dest="date_from", required=True, help="AAAA-MM-JJ")
        parser.add_argument("--to", dest="date_to", required=True, help="AAAA-MM-JJ")
        parser.add_argument("--structure", default="", help="Identifiant ou SIRET d'une structure")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, **options):
        programme = Programme.objects.filter(code=options["programme"]).first()
        if programme is None:
            raise CommandError(f"Programme inconnu : {options['programme']}")
        territory = find_territory(options["territory"])
        start, end = _date(options["date_from"]), _date(options["date_to"])
        if end < start:
            raise CommandError("La date de fin doit suivre la date de début.")
        located_ids, places = territory_places(territory.pk)
        located = set(located_ids)
        structure = None
        if options["structure"]:
            key = options["structure"]
            structure = Structure.objects.filter(Q(slug=key) | Q(siret=key)).first()
            if structure is None:
                raise CommandError(f"Structure inconnue : {key}")
            if structure.pk not in located:
                raise CommandError(f"{structure} n'est pas située dans {territory}.")
        scope = ReportScope(
            programme=programme,
            territory=territory,
            structure_ids=frozenset(located),
            structure=structure,
            suppressed=False,
            places=places,
        )
        try:
            period = free(start, end)
        except ValueError as error:
            raise CommandError(str(error)) from None
        figures = dashboard_figures(report_scope=scope, period=period).total.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["indicator", "value"])
        for key, value in figures.items():
            if isinstance(value, dict):
                for sub, count in value.items():
                    writer.writerow([f"{key}.{sub}", count])
            else:
                writer.writerow([key, "" if value is None else value])
