"""A small hand-built world whose figures are computed by hand in the golden tests.

Geography: région 52 > département 44 > EPCI 244400404 (Nantes Métropole) > Nantes, Rezé;
Saint-Nazaire is in 44 but outside the EPCI; Paris elsewhere.
Territories: `nantes-metropole` (the EPCI) is a sub-territory of `loire-atlantique`, whose own
geo unit is only the commune of Saint-Nazaire: Loire-Atlantique's figures include Nantes
Métropole's only through the sub-territory.

Period of the golden figures: the calendar year 2021.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from participants.enums import Housing, ParcoursStatus, SnapshotContext
from programmes.models import Target
from sites.enums import GeoKind
from tests import factories as f

D = dt.date


@dataclass
class World:
    nm: object
    la: object
    paris: object
    s1: object
    s2: object
    s3: object
    s4: object
    cvg: object
    phc: object
    deployment: object
    people: dict


def _geo(kind, code, name, parent=None):
    return f.GeoUnitFactory(kind=kind, code=code, name=name, parent=parent)


def _parcours(
    structure,
    name,
    *,
    start,
    end=None,
    programme=None,
    work_site=None,
    status=None,
    participant=None,
):
    participant = participant or f.ParticipantFactory(
        structure=structure, last_name=name, first_name="Golden"
    )
    return f.ParcoursFactory(
        participant=participant,
        programme=programme or f.programme("CVG"),
        start_date=start,
        end_date=end,
        work_site=work_site,
        status=status or (ParcoursStatus.SORTI if end else ParcoursStatus.EN_COURS),
    )


def _exit(parcours, situation):
    return f.ExitFactory(parcours=parcours, date=parcours.end_date, situation=situation)


def _snap(parcours, context, housing, *, date=None, linked=True):
    return f.SnapshotFactory(
        participant=parcours.participant,
        parcours=parcours if linked else None,
        date=date
        or (parcours.start_date if context == SnapshotContext.ENTREE else parcours.end_date),
        context=context,
        housing=housing,
    )


def build() -> World:
    region = _geo(GeoKind.REGION, "52", "Pays de la Loire")
    dep44 = _geo(GeoKind.DEPARTEMENT, "44", "Loire-Atlantique", region)
    epci = _geo(GeoKind.EPCI, "244400404", "Nantes Métropole", dep44)
    nantes = _geo(GeoKind.COMMUNE, "44109", "Nantes", epci)
    reze = _geo(GeoKind.COMMUNE, "44143", "Rezé", epci)
    st_nazaire = _geo(GeoKind.COMMUNE, "44184", "Saint-Nazaire", dep44)
    idf = _geo(GeoKind.REGION, "11", "Île-de-France")
    paris_c = _geo(GeoKind.COMMUNE, "75056", "Paris", idf)

    la = f.TerritoryFactory(name="Loire-Atlantique", slug="loire-atlantique")
    la.geo_units.set([st_nazaire])
    nm = f.TerritoryFactory(name="Nantes Métropole", slug="nantes-metropole", parent=la)
    nm.geo_units.set([epci])
    paris = f.TerritoryFactory(name="Paris", slug="paris")
    paris.geo_units.set([paris_c])

    s1 = f.StructureFactory(name="Trajet", slug="trajet", siret="11111111100011", commune=nantes)
    s2 = f.StructureFactory(name="Océan", slug="ocean", siret="22222222200022", commune=reze)
    s3 = f.StructureFactory(
        name="Estuaire", slug="estuaire", siret="33333333300033", commune=st_nazaire
    )
    s4 = f.StructureFactory(
        name="Paris Chantiers", slug="paris-chantiers", siret="44444444400044", commune=paris_c
    )
    w1b = f.WorkSiteFactory(structure=s1, name="Chantier Saint-Nazaire", commune=st_nazaire)
    w4 = f.WorkSiteFactory(structure=s4, name="Chantier nantais", commune=nantes)

    cvg, phc = f.programme("CVG"), f.programme("PHC")
    deployment = f.DeploymentFactory(programme=cvg, territory=nm, start_date=D(2021, 3, 1))
    deployment.structures.set([s1, s2, s4])
    Target.objects.create(
        deployment=deployment,
        metric="accompanied",
        value=118,
        period_start=D(2021, 3, 1),
        period_end=D(2021, 12, 31),
    )
    Target.objects.create(
        deployment=deployment,
        metric="entries",
        value=800,
        period_start=D(2021, 1, 1),
        period_end=D(2022, 12, 31),
    )

    people = {}
    # A: starts on d1, still open; also an open Premières Heures parcours.
    people["A"] = a = _parcours(s1, "ALPHA", start=D(2021, 1, 1))
    a_phc = _parcours(s1, "ALPHA", start=D(2021, 1, 1), programme=phc, participant=a.participant)
    # B: exit exactly on d1, CDI; entry at the street, exit to autonomous housing.
    people["B"] = b = _parcours(s1, "BRAVO", start=D(2020, 6, 1), end=D(2021, 1, 1))
    _exit(b, "CDI")
    _snap(b, SnapshotContext.ENTREE, Housing.RUE)
    _snap(b, SnapshotContext.SORTIE, Housing.LOG_AUTONOME)
    # C: starts exactly on d2.
    people["C"] = _parcours(s1, "CHARLIE", start=D(2021, 12, 31))
    # D: exit exactly on d2 (so still in the file active at d2), unemployment; the entry
    # snapshot is not linked to the parcours but dated before its start.
    people["D"] = d = _parcours(s1, "DELTA", start=D(2021, 3, 1), end=D(2021, 12, 31))
    _exit(d, "CHOMAGE")
    _snap(d, SnapshotContext.ENTREE, Housing.CHU, date=D(2021, 2, 15), linked=False)
    _snap(d, SnapshotContext.SORTIE, Housing.CHRS)
    # E: two parcours in the year (one exit to training, then a new open one).
    people["E1"] = e1 = _parcours(s1, "ECHO", start=D(2020, 1, 1), end=D(2021, 2, 1))
    _exit(e1, "FORMATION")
    _snap(e1, SnapshotContext.ENTREE, Housing.LOG_ACCOMPAGNE)
    people["E2"] = _parcours(s1, "ECHO", start=D(2021, 3, 1), participant=e1.participant)
    # F (Rezé, structure 2): neutralised exit (moved away); entry at the street, no exit snapshot.
    people["F"] = fx = _parcours(s2, "FOXTROT", start=D(2021, 5, 1), end=D(2021, 6, 30))
    _exit(fx, "DEMENAGEMENT")
    _snap(fx, SnapshotContext.ENTREE, Housing.RUE)
    # Outside the period, or not counted.
    _parcours(s1, "GOLF", start=D(2022, 1, 1))
    h = _parcours(s1, "HOTEL", start=D(2019, 1, 1), end=D(2020, 12, 31))
    _exit(h, "CDI")
    _parcours(s1, "INDIA", start=D(2021, 5, 1), status=ParcoursStatus.ORIENTE)
    _parcours(
        s1, "JULIETT", start=D(2021, 5, 1), end=D(2021, 5, 1), status=ParcoursStatus.NON_ENTRE
    )
    # K: structure 1 but on its Saint-Nazaire work site: Loire-Atlantique, not Nantes Métropole.
    people["K"] = _parcours(s1, "KILO", start=D(2021, 4, 1), work_site=w1b)
    # L: a Paris structure working on a Nantes site: Nantes Métropole. M: same structure, no site.
    people["L"] = lx = _parcours(s4, "LIMA", start=D(2021, 2, 1), work_site=w4)
    people["M"] = _parcours(s4, "MIKE", start=D(2021, 2, 1))
    # N: Saint-Nazaire structure, exit to a short contract.
    people["N"] = n = _parcours(s3, "NOVEMBER", start=D(2021, 6, 1), end=D(2021, 9, 30))
    _exit(n, "CDD_MOINS_6M")

    # Hours: only weeks whose Monday is in 2021 count.
    f.WorkedHoursFactory(parcours=a, week_start=D(2020, 12, 28), hours=Decimal(20))
    f.WorkedHoursFactory(parcours=a, week_start=D(2021, 1, 4), hours=Decimal(20))
    f.WorkedHoursFactory(parcours=a, week_start=D(2021, 12, 27), hours=Decimal("10.5"))
    f.WorkedHoursFactory(parcours=lx, week_start=D(2021, 2, 1), hours=Decimal(15))
    f.WorkedHoursFactory(parcours=a_phc, week_start=D(2021, 1, 4), hours=Decimal(8))

    # Premières Heures in Nantes: one continuation to Convergence, one drop-out.
    p1 = _parcours(s1, "PAPA", start=D(2021, 1, 1), end=D(2021, 6, 30), programme=phc)
    _exit(p1, "SUITE_CVG")
    p2 = _parcours(s1, "QUEBEC", start=D(2021, 2, 1), end=D(2021, 7, 31), programme=phc)
    _exit(p2, "ABANDON")

    return World(
        nm=nm,
        la=la,
        paris=paris,
        s1=s1,
        s2=s2,
        s3=s3,
        s4=s4,
        cvg=cvg,
        phc=phc,
        deployment=deployment,
        people=people,
    )


def add_bulk(world: World) -> None:
    """Enough parcours in Nantes Métropole for most published counts to be ≥ 11.

    Adds to Trajet: 20 open parcours from 01/04/2021, 14 exits to a CDI on 30/06/2021,
    12 exits to unemployment on 30/09/2021; to Océan: 12 open parcours from 01/05/2021.
    Nantes Métropole CVG 2021 then reads: accompanied 65, entries 38, exits 30.
    """
    for i in range(20):
        _parcours(world.s1, f"OPEN{i}", start=D(2021, 4, 1))
    for i in range(14):
        p = _parcours(world.s1, f"CDI{i}", start=D(2020, 5, 1), end=D(2021, 6, 30))
        _exit(p, "CDI")
    for i in range(12):
        p = _parcours(world.s1, f"CHOM{i}", start=D(2020, 9, 1), end=D(2021, 9, 30))
        _exit(p, "CHOMAGE")
    for i in range(12):
        _parcours(world.s2, f"REZE{i}", start=D(2021, 5, 1))


def add_balanced(world: World) -> None:
    """Twelve open Convergence parcours from 01/04/2021 in each of the three structures
    working in Nantes Métropole (Paris Chantiers on its Nantes work site), so that no
    structure makes more than 85 % of the territory's counts.

    Nantes Métropole CVG 2021 then reads: accompanied 43 (Trajet 17, Océan 13, Paris
    Chantiers 13), entries 42.
    """
    from sites.models import WorkSite

    nantes_site = WorkSite.objects.get(structure=world.s4, name="Chantier nantais")
    for structure, site in ((world.s1, None), (world.s2, None), (world.s4, nantes_site)):
        for i in range(12):
            _parcours(structure, f"BAL{structure.pk}-{i}", start=D(2021, 4, 1), work_site=site)
