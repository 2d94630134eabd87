"""Clearly fictitious participants for the demo, generated with a fixed seed.

Nantes Métropole from 2019 (Premières Heures at Les Eaux Vives, contracts carried by
Partage 44) and 2021 (Convergence at ASBL, Trajet and Océan), and the 25 territories of the
national Premières Heures roll-out, at volumes near the programme's targets. Proportions
follow the published figures (docs/quality.md §1, demo/dataset/shape.py). The volume is
planned in memory (demo/plan.py) and written in bulk (demo/writer.py); the situations of
"Aujourd'hui" are then placed relative to today (demo/story.py), through the services.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, OuterRef

from participants import current, services
from participants import models as pm
from participants.enums import ParcoursStatus
from participants.models import Parcours, Participant
from programmes.models import Deployment
from reporting import hours_by_month, territory_years
from reporting.models import HoursByMonth
from sites.enums import Role
from sites.models import Membership, Structure, User, WorkSite

from . import catalogue as cat
from .dataset.copying import DeferredSchema
from .plan import Planner, Unit
from .reference import FORMER_CASEWORKER
from .story import tell_the_story
from .writer import Writer

EXTERNAL_PREFIX = "DEMO-"
# Where Partage 44 places people.
PLACEMENTS = [
    "Mairie de Rezé",
    "Clinique Jules Verne",
    "Syndic Loire Habitat",
    "Restaurant Le Quai",
]
# The work site whose hours of last week are still to be entered.
QUIET_SITE = ("ocean", "Entretien des espaces extérieurs")


def _caseworkers() -> dict[int, int]:
    """structure id → its first caseworker (the referent and author of its files)."""
    rows = (
        Membership.objects.filter(role=Role.CASEWORKER, is_active=True, user__is_active=True)
        .order_by("user_id")
        .values_list("structure_id", "user_id")
    )
    found: dict[int, int] = {}
    for structure_id, user_id in rows:
        found.setdefault(structure_id, user_id)
    return found


def _units() -> list[Unit]:
    structures = {s.slug: s for s in Structure.objects.all()}
    sites: dict[int, list[int]] = {}
    for structure_id, site_id in WorkSite.objects.order_by("pk").values_list("structure_id", "pk"):
        sites.setdefault(structure_id, []).append(site_id)
    authors = _caseworkers()
    deployments = {
        (d.territory.slug, d.programme.code): d
        for d in Deployment.objects.select_related("territory", "programme")
    }
    units = []
    partage = structures["partage-44"].pk
    for (slug, code), entries in cat.NANTES_ENTRIES.items():
        structure = structures[slug]
        deployment = deployments[(cat.NANTES, code)]
        units.append(
            Unit(
                structure_id=structure.pk,
                slug=slug,
                programme=code,
                deployment_id=deployment.pk,
                opened=deployment.start_date,
                entries=entries,
                site_ids=sites[structure.pk],
                referent_id=authors[structure.pk],
                employer_id=partage if slug in ("eaux-vives", "partage-44") else structure.pk,
                continues_to_cvg=slug in ("asbl", "trajet", "ocean"),
                placements=PLACEMENTS if slug == "partage-44" else [],
            )
        )

    def rollout_unit(structure, code: str, deployment, opened, entries) -> Unit:
        return Unit(
            structure_id=structure.pk,
            slug=structure.slug,
            programme=code,
            deployment_id=deployment.pk,
            opened=opened,
            entries=entries,
            site_ids=sites[structure.pk],
            referent_id=authors[structure.pk],
            employer_id=structure.pk,
            continues_to_cvg=False,
        )

    for slug, _name, kind, _codes, _region, launch, share, named in cat.ROLLOUT:
        size = cat.rollout_size(kind, share, named)
        for index in range(size):
            structure = structures[cat.rollout_structure_slug(slug, index)]
            # 90% of the territory's share over 2021–2022, in proportion to the days open;
            # then about half of it a year.
            total = round(share * 0.9 / size)
            first_year = max(0, (dt.date(2021, 12, 31) - launch).days + 1)
            in_2021 = round(total * first_year / (first_year + 365))
            entries = {2021: in_2021, 2022: total - in_2021, 0: round(share * 0.55 / size)}
            units.append(
                rollout_unit(structure, "PHC", deployments[(slug, "PHC")], launch, entries)
            )
    for slug, (launch, entries, _targets) in cat.CVG_ELSEWHERE.items():
        for index in range(cat.CVG_ELSEWHERE_STRUCTURES):
            structure = structures[cat.rollout_structure_slug(slug, index)]
            units.append(
                rollout_unit(structure, "CVG", deployments[(slug, "CVG")], launch, entries)
            )
    return units


def _shape_today(planner: Planner, units: list[Unit]) -> None:
    """The Nantes situations that "Aujourd'hui" lists, placed relative to today."""
    today = planner.today
    for unit in units:
        if unit.slug not in ("asbl", "trajet", "ocean", "eaux-vives") or unit.programme == "IAE":
            continue
        rng = planner.stream("today", unit.slug, unit.programme)
        # An entry situation still missing as its deadline nears.
        late = planner.enrol(
            rng, unit, today - dt.timedelta(days=rng.randint(26, 34)), keep_open=True
        )
        late.entry_snapshot_on = None
        if unit.programme == "PHC":
            # A sas past its 12 months, and one about to pass them.
            for days in (rng.randint(372, 400), rng.randint(345, 360)):
                planner.enrol(rng, unit, today - dt.timedelta(days=days), keep_open=True)
        else:
            # Convergence nearing its 24 months with no prolongation reason yet.
            planner.enrol(
                rng, unit, today - dt.timedelta(days=rng.randint(690, 715)), keep_open=True
            )
        # Someone out of touch for weeks.
        quiet = planner.enrol(
            rng, unit, today - dt.timedelta(days=rng.randint(120, 200)), keep_open=True
        )
        quiet.silent_from = today - dt.timedelta(weeks=rng.randint(7, 10))
    # Convergence nearing its 60 months (prolonged), at ASBL.
    asbl = next(u for u in units if u.slug == "asbl" and u.programme == "CVG")
    rng = planner.stream("today", "asbl", "max")
    planner.enrol(
        rng, asbl, max(cat.CVG_NANTES_START, today - dt.timedelta(days=1780)), keep_open=True
    )


def _hand_some_to_the_former_caseworker() -> None:
    """A few files in progress of Les Eaux Vives name the caseworker who left
    (FORMER_CASEWORKER): "sans référent·e" on "Aujourd'hui", rows to hand over on
    "Référent·es"."""
    email, _first, _last, slug = FORMER_CASEWORKER
    in_progress = Parcours.objects.filter(
        participant_id=OuterRef("pk"),
        status__in=[ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS],
    )
    files = Participant.objects.filter(
        Exists(in_progress), structure__slug=slug, external_id__startswith=EXTERNAL_PREFIX
    ).order_by("pk")
    chosen = list(files.values_list("pk", flat=True))[::3][:6]
    Participant.objects.filter(pk__in=chosen).update(referent=User.objects.get(email=email))


PERSON_MODELS = [
    pm.Participant,
    pm.Parcours,
    pm.Contract,
    pm.HoursStage,
    pm.WorkedHours,
    pm.SituationSnapshot,
    pm.AccompanimentAction,
    pm.Exit,
    pm.FollowupCheck,
]


def load_people(today: dt.date, share: float = 1.0) -> dict[str, int]:
    """Create the demo files once; returns the rows written per table (empty when the demo
    is already there). `share` < 1 builds that share of the volume (tests of the loader).

    Into empty tables (a fresh database), the volume is written as the benchmark dataset
    is (demo/dataset/copying.py): secondary indexes and foreign keys rebuilt after the
    load, which validates them, and the user triggers off during it — so the bulk rows
    have no audit history, and the tables the triggers maintain (current parcours, monthly
    hours, the dashboards' yearly rows) are rebuilt from them before the story's last
    weeks are written through the services, triggers on."""
    if Participant.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists():
        return {}
    units = _units()
    planner = Planner(today, share)
    for unit in units:
        planner.fill(unit)
    _shape_today(planner, units)
    quiet = WorkSite.objects.get(structure__slug=QUIET_SITE[0], name=QUIET_SITE[1])
    with DeferredSchema(PERSON_MODELS):
        counts = Writer(planner, author_of=_caseworkers(), quiet_site_id=quiet.pk).run()
    hours_by_month.rebuild()
    current.rebuild()
    # The AI placement ceiling counts hours per company across a person's contracts: the
    # service computes those warnings from the rows just written (Partage 44's only).
    for parcours in Parcours.objects.filter(structure__slug="partage-44").select_related(
        "programme"
    ):
        services.parcours_refresh_warnings(parcours=parcours, today=today)
    counts.update(tell_the_story(today))
    _hand_some_to_the_former_caseworker()
    territory_years.rebuild(today.year)
    with connection.cursor() as cursor:
        for model in [*PERSON_MODELS, HoursByMonth, pm.CurrentParcours]:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return counts
