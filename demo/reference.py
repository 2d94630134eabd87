"""Reference data of the demo: the official geography, organisations, programmes (their
parameters from programmes.reference), deployments, targets and demo accounts.

Everything is get-or-create by a natural key, so loading twice changes nothing.
"""

import datetime as dt

from django.contrib.auth.hashers import make_password

from programmes.enums import TargetMetric
from programmes.models import CoordinationScope, Deployment, Target
from programmes.reference import programmes_ensure
from sites.enums import FunderKind, Role, StructureKind
from sites.geography import load_geography, read_extract
from sites.models import (
    Coordination,
    Funder,
    GeoUnit,
    Membership,
    Structure,
    User,
    WorkSite,
)
from sites.services import territory_define

from . import catalogue as cat

DEMO_PASSWORD = "sillon-demo-2026"  # noqa: S105 (demo accounts only, printed by demo_logins)
# The roll-out structures' caseworkers write their files but never log in.
ROLLOUT_EMAIL_DOMAIN = "deploiement.demo.sillon.test"

FUNDERS = [
    ("dgcs", "DGCS", FunderKind.ETAT_DGCS),
    ("nantes-metropole", "Nantes Métropole", FunderKind.EPCI),
    ("cd44", "Conseil départemental de Loire-Atlantique", FunderKind.DEPARTEMENT),
    ("commissaire-pauvrete", "Commissaire à la lutte contre la pauvreté", FunderKind.ETAT_DGCS),
    # The roll-out's territories: siblings, none inside another, so a funder of several
    # never reads a territory and a part of it (docs/security.md, "Nested territories").
    ("fse", "Fonds social européen (FSE+)", FunderKind.FSE),
]

# e-mail, first name, last name, role, organisation slug, sensitive access
ACCOUNTS = [
    ("cip.asbl@demo.sillon.test", "Camille", "Durand", Role.CASEWORKER, "asbl", False),
    ("cip.trajet@demo.sillon.test", "Sami", "Benali", Role.CASEWORKER, "trajet", False),
    ("cip.ocean@demo.sillon.test", "Léa", "Martin", Role.CASEWORKER, "ocean", False),
    ("cip.eaux-vives@demo.sillon.test", "Nora", "Petit", Role.CASEWORKER, "eaux-vives", False),
    ("cip.partage-44@demo.sillon.test", "Yanis", "Robert", Role.CASEWORKER, "partage-44", False),
    ("direction.eaux-vives@demo.sillon.test", "Claire", "Moreau", Role.MANAGER, "eaux-vives", True),
    ("coordination.fas@demo.sillon.test", "Hélène", "Garnier", Role.COORDINATOR, "fas-pdl", False),
    (
        "coordination.fas-ara@demo.sillon.test",
        "Bruno",
        "Chevalier",
        Role.COORDINATOR,
        "fas-ara",
        False,
    ),
    (
        "coordination.nationale@demo.sillon.test",
        "Marc",
        "Lefèvre",
        Role.COORDINATOR,
        "convergence-france",
        False,
    ),
    ("financeur.dgcs@demo.sillon.test", "Paul", "Bernard", Role.FUNDER, "dgcs", False),
]
ADMIN_EMAIL = "admin@demo.sillon.test"
# A caseworker who left Les Eaux Vives: the account is deactivated, a few files still name
# them, so "Aujourd'hui" lists them as without a referent and the manager can hand them over
# on "Référent·es". Never printed with the logins (nobody logs in as them).
FORMER_CASEWORKER = ("ancien.cip.eaux-vives@demo.sillon.test", "Julien", "Roux", "eaux-vives")


def _commune(code: str) -> GeoUnit:
    return GeoUnit.objects.get(kind="COMMUNE", code=code)


def _structure(slug, name, kind, seat, sites) -> Structure:
    structure, _ = Structure.objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": kind, "commune": _commune(seat)}
    )
    for site_name, activity, commune in sites:
        WorkSite.objects.get_or_create(
            structure=structure,
            name=site_name,
            defaults={"activity": activity, "commune": _commune(commune)},
        )
    return structure


def _yearly_targets(deployment, metric, targets: dict[int, int], first_year: int, last_year: int):
    for year in range(first_year, last_year + 1):
        value = cat.target_in(targets, year)
        if value:
            Target.objects.get_or_create(
                deployment=deployment,
                metric=metric,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                defaults={"value": value},
            )


def load_reference(today: dt.date) -> None:
    load_geography(read_extract())
    france = territory_define(slug="france", name="France", codes=["FR"])
    regions = {
        key: territory_define(
            slug=f"region-{key}", name=name, codes=[f"REGION:{code}"], parent=france
        )
        for key, (name, code, _c, _n) in cat.REGIONS.items()
    }
    nantes = territory_define(
        slug=cat.NANTES, name="Nantes Métropole", codes=[cat.NANTES_EPCI], parent=regions["pdl"]
    )
    structures = {row[0]: _structure(*row) for row in cat.NANTES_STRUCTURES}
    funders = {
        slug: Funder.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})[0]
        for slug, name, kind in FUNDERS
    }
    coordinations = {
        "convergence-france": Coordination.objects.get_or_create(
            slug="convergence-france", defaults={"name": "Convergence France"}
        )[0]
    }
    for _name, _code, slug, name in cat.REGIONS.values():
        coordinations[slug] = Coordination.objects.get_or_create(
            slug=slug, defaults={"name": name}
        )[0]
    programmes = programmes_ensure()

    def deploy(code, territory, start, slugs, funder_slugs):
        deployment, _ = Deployment.objects.get_or_create(
            programme=programmes[code], territory=territory, start_date=start
        )
        deployment.structures.add(*[structures[s] for s in slugs])
        deployment.funders.add(*[funders[f] for f in funder_slugs])
        return deployment

    cvg = deploy(
        "CVG",
        nantes,
        cat.CVG_NANTES_START,
        ["asbl", "trajet", "ocean"],
        ["dgcs", "nantes-metropole", "commissaire-pauvrete"],
    )
    _yearly_targets(cvg, TargetMetric.ACCOMPANIED, cat.NANTES_TARGETS["CVG"], 2021, today.year)
    phc = deploy(
        "PHC",
        nantes,
        cat.PHC_NANTES_START,
        ["eaux-vives", "asbl", "trajet", "ocean"],
        ["nantes-metropole", "cd44"],
    )
    _yearly_targets(phc, TargetMetric.ACCOMPANIED, cat.NANTES_TARGETS["PHC"], 2019, today.year)
    deploy("IAE", nantes, dt.date(2019, 1, 1), ["partage-44", "eaux-vives"], ["cd44"])

    national = deploy("PHC", france, cat.ROLLOUT_START, [], ["dgcs"])
    Target.objects.get_or_create(
        deployment=national,
        metric=TargetMetric.ENTRIES,
        period_start=cat.ROLLOUT_START,
        period_end=cat.ROLLOUT_END,
        defaults={"value": cat.ROLLOUT_ENTRIES},
    )
    _rollout(today, france, regions, coordinations, funders, programmes, national)

    for coordination_slug, territory in [
        ("fas-pdl", nantes),
        ("fas-pdl", regions["pdl"]),
        ("fas-ara", regions["ara"]),
        ("convergence-france", france),
    ]:
        for code in ("CVG", "PHC"):
            CoordinationScope.objects.get_or_create(
                coordination=coordinations[coordination_slug],
                territory=territory,
                programme=programmes[code],
            )
    _accounts(structures, coordinations, funders)


def _rollout(today, france, regions, coordinations, funders, programmes, national) -> None:
    """The 25 territories of the Premières Heures roll-out: each with its structures, a
    local coordination, a deployment with its share of the 800 entries of 2021–2022 and,
    from 2023, a yearly target of people accompanied."""
    unusable = make_password(None)
    for slug, name, kind, codes, region, launch, share, named in cat.ROLLOUT:
        members = cat.rollout_members(kind, share, named, _commune(named[0][1]).name)
        territory = territory_define(
            slug=slug, name=name, codes=codes, parent=regions[region] if region else france
        )
        structures = []
        for index, (structure_name, commune) in enumerate(members):
            structure_slug = cat.rollout_structure_slug(slug, index)
            activity = cat.ACTIVITIES[(len(slug) + index) % len(cat.ACTIVITIES)]
            structures.append(
                _structure(
                    structure_slug,
                    structure_name,
                    StructureKind.ACI,
                    commune,
                    [(f"Chantier {activity.lower()}", activity, commune)],
                )
            )
            user, _ = User.objects.get_or_create(
                email=f"cip.{structure_slug}@{ROLLOUT_EMAIL_DOMAIN}",
                defaults={
                    "first_name": "Référent·e",
                    "last_name": structure_name,
                    "password": unusable,
                },
            )
            Membership.objects.get_or_create(
                user=user, role=Role.CASEWORKER, structure=structures[-1]
            )
        deployment, _ = Deployment.objects.get_or_create(
            programme=programmes["PHC"], territory=territory, start_date=launch
        )
        deployment.structures.add(*structures)
        deployment.funders.add(funders["fse"])
        national.structures.add(*structures)
        Target.objects.get_or_create(
            deployment=deployment,
            metric=TargetMetric.ENTRIES,
            period_start=cat.ROLLOUT_START,
            period_end=cat.ROLLOUT_END,
            defaults={"value": share},
        )
        _yearly_targets(
            deployment, TargetMetric.ACCOMPANIED, {2023: round(share * 0.7)}, 2023, today.year
        )
        if slug in cat.CVG_ELSEWHERE:
            cvg_launch, _entries, cvg_targets = cat.CVG_ELSEWHERE[slug]
            cvg, _ = Deployment.objects.get_or_create(
                programme=programmes["CVG"], territory=territory, start_date=cvg_launch
            )
            cvg.structures.add(*structures[: cat.CVG_ELSEWHERE_STRUCTURES])
            cvg.funders.add(funders["commissaire-pauvrete"])
            _yearly_targets(cvg, TargetMetric.ACCOMPANIED, cvg_targets, cvg_launch.year, today.year)
        local, _ = Coordination.objects.get_or_create(
            slug=f"coordination-{slug}", defaults={"name": f"Coordination PH – {name}"}
        )
        CoordinationScope.objects.get_or_create(
            coordination=local, territory=territory, programme=programmes["PHC"]
        )


def _accounts(structures, coordinations, funders) -> None:
    orgs = {
        Role.CASEWORKER: structures,
        Role.MANAGER: structures,
        Role.COORDINATOR: coordinations,
        Role.FUNDER: funders,
    }
    org_field = {
        Role.CASEWORKER: "structure",
        Role.MANAGER: "structure",
        Role.COORDINATOR: "coordination",
        Role.FUNDER: "funder",
    }
    for email, first, last, role, org_slug, sensitive in ACCOUNTS:
        user = _account(email, first, last)
        Membership.objects.get_or_create(
            user=user,
            role=role,
            **{org_field[role]: orgs[role][org_slug]},
            defaults={"can_view_sensitive": sensitive},
        )
    email, first, last, org_slug = FORMER_CASEWORKER
    Membership.objects.get_or_create(
        user=_account(email, first, last, is_active=False),
        role=Role.CASEWORKER,
        structure=structures[org_slug],
    )
    admin = _account(ADMIN_EMAIL, "Alex", "Admin", is_staff=True, is_superuser=True)
    assert admin.is_superuser


def _account(email, first, last, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, **flags
        )
    return user
