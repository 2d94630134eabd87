"""Reference data of the demo (and of a real Nantes start): geography, organisations,
programmes (their parameters from programmes.reference), deployments, targets and demo accounts.

Everything is get-or-create by a natural key, so loading twice changes nothing.
"""

import datetime as dt

from programmes.enums import TargetMetric
from programmes.models import CoordinationScope, Deployment, Target
from programmes.reference import programmes_ensure
from sites.enums import FunderKind, GeoKind, Role, StructureKind
from sites.models import (
    Coordination,
    Funder,
    GeoUnit,
    Membership,
    Structure,
    Territory,
    User,
    WorkSite,
)

DEMO_PASSWORD = "sillon-demo-2026"  # noqa: S105 (demo accounts only, printed by demo_logins)


STRUCTURES = [
    # slug, name, kind, work sites (name, activity, commune code)
    (
        "asbl",
        "Association Saint Benoît Labre",
        StructureKind.ACI,
        [("Atelier bois et recyclerie", "Menuiserie, valorisation", "44109")],
    ),
    (
        "trajet",
        "Trajet",
        StructureKind.ACI,
        [("Maraîchage de la Jaguère", "Maraîchage biologique", "44143")],
    ),
    (
        "ocean",
        "Océan Régie de quartier",
        StructureKind.ACI,
        [("Entretien des espaces extérieurs", "Espaces verts, propreté", "44162")],
    ),
    (
        "eaux-vives",
        "Les Eaux Vives",
        StructureKind.ACI,
        [
            ("Restaurant social La Claire Fontaine", "Restauration", "44109"),
            ("Entretien de locaux", "Nettoyage", "44109"),
        ],
    ),
    (
        "partage-44",
        "Partage 44",
        StructureKind.AI,
        [("Mises à disposition", "Mise à disposition de personnel", "44109")],
    ),
]

FUNDERS = [
    ("dgcs", "DGCS", FunderKind.ETAT_DGCS),
    ("nantes-metropole", "Nantes Métropole", FunderKind.EPCI),
    ("cd44", "Conseil départemental de Loire-Atlantique", FunderKind.DEPARTEMENT),
    ("commissaire-pauvrete", "Commissaire à la lutte contre la pauvreté", FunderKind.ETAT_DGCS),
]

COORDINATIONS = [
    ("fas-pdl", "FAS Pays de la Loire"),
    ("convergence-france", "Convergence France"),
]

# e-mail, first name, last name, role, organisation slug, sensitive access, superuser
ACCOUNTS = [
    ("cip.asbl@demo.sillon.test", "Camille", "Durand", Role.CASEWORKER, "asbl", False),
    ("cip.trajet@demo.sillon.test", "Sami", "Benali", Role.CASEWORKER, "trajet", False),
    ("cip.ocean@demo.sillon.test", "Léa", "Martin", Role.CASEWORKER, "ocean", False),
    ("cip.eaux-vives@demo.sillon.test", "Nora", "Petit", Role.CASEWORKER, "eaux-vives", False),
    ("cip.partage-44@demo.sillon.test", "Yanis", "Robert", Role.CASEWORKER, "partage-44", False),
    ("direction.eaux-vives@demo.sillon.test", "Claire", "Moreau", Role.MANAGER, "eaux-vives", True),
    ("coordination.fas@demo.sillon.test", "Hélène", "Garnier", Role.COORDINATOR, "fas-pdl", False),
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


def _geo(kind, code, name, parent=None) -> GeoUnit:
    unit, _ = GeoUnit.objects.update_or_create(
        kind=kind, code=code, defaults={"name": name, "parent": parent}
    )
    return unit


def load_geography() -> dict[str, GeoUnit]:
    france = _geo(GeoKind.PAYS, "FR", "France")
    region = _geo(GeoKind.REGION, "52", "Pays de la Loire", france)
    dept = _geo(GeoKind.DEPARTEMENT, "44", "Loire-Atlantique", region)
    epci = _geo(GeoKind.EPCI, "244400404", "Nantes Métropole", dept)
    communes = {
        code: _geo(GeoKind.COMMUNE, code, name, epci)
        for code, name in [("44109", "Nantes"), ("44143", "Rezé"), ("44162", "Saint-Herblain")]
    }
    return {"FR": france, "52": region, "44": dept, "244400404": epci, **communes}


def load_reference() -> None:
    geo = load_geography()
    france, _ = Territory.objects.get_or_create(slug="france", defaults={"name": "France"})
    france.geo_units.add(geo["FR"])
    nantes, _ = Territory.objects.get_or_create(
        slug="nantes-metropole", defaults={"name": "Nantes Métropole", "parent": france}
    )
    nantes.geo_units.add(geo["244400404"])

    structures = {}
    for slug, name, kind, sites in STRUCTURES:
        structure, _ = Structure.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "commune": geo["44109"]}
        )
        structures[slug] = structure
        for site_name, activity, commune in sites:
            WorkSite.objects.get_or_create(
                structure=structure,
                name=site_name,
                defaults={"activity": activity, "commune": geo[commune]},
            )

    funders = {
        slug: Funder.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})[0]
        for slug, name, kind in FUNDERS
    }
    coordinations = {
        slug: Coordination.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in COORDINATIONS
    }
    programmes = programmes_ensure()

    def deploy(code, territory, start, slugs, funder_slugs, targets):
        deployment, _ = Deployment.objects.get_or_create(
            programme=programmes[code], territory=territory, start_date=start
        )
        deployment.structures.add(*[structures[s] for s in slugs])
        deployment.funders.add(*[funders[f] for f in funder_slugs])
        for metric, value, period_start, period_end in targets:
            Target.objects.get_or_create(
                deployment=deployment,
                metric=metric,
                period_start=period_start,
                period_end=period_end,
                defaults={"value": value},
            )

    year_2021 = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    deploy(
        "CVG",
        nantes,
        dt.date(2021, 3, 1),
        ["asbl", "trajet", "ocean"],
        ["dgcs", "nantes-metropole", "commissaire-pauvrete"],
        [(TargetMetric.ACCOMPANIED, 118, *year_2021)],
    )
    deploy(
        "PHC",
        nantes,
        dt.date(2019, 1, 1),
        ["eaux-vives", "asbl", "trajet", "ocean"],
        ["nantes-metropole", "cd44"],
        [(TargetMetric.ACCOMPANIED, 60, *year_2021)],
    )
    deploy(
        "PHC",
        france,
        dt.date(2021, 1, 1),
        ["eaux-vives", "asbl", "trajet", "ocean"],
        ["dgcs"],
        [(TargetMetric.ENTRIES, 800, dt.date(2021, 1, 1), dt.date(2022, 12, 31))],
    )

    for coordination_slug, territory in [("fas-pdl", nantes), ("convergence-france", france)]:
        for code in ("CVG", "PHC"):
            CoordinationScope.objects.get_or_create(
                coordination=coordinations[coordination_slug],
                territory=territory,
                programme=programmes[code],
            )

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
