"""The official geography: loaded from an extract (a small one here, in the repository's
format), idempotent, with its parent and EPCI links; communes found as people type them;
territories defined by official codes count the structures whose work sites lie inside."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from reporting import indicators as ind
from reporting import periods, territory_years, trajectories
from reporting.models import TerritoryYearCoverage
from sites.enums import GeoKind
from sites.geography import read_extract, search_communes
from sites.geography.loader import load_geography
from sites.models import GeoUnit
from sites.services import territory_define
from tests import factories as f

EXTRACT = Path(__file__).with_name("geography_extract.json")


@pytest.fixture
def geography(db):
    return load_geography(read_extract(EXTRACT))


def unit(code: str) -> GeoUnit:
    return GeoUnit.objects.get(code=code)


def test_the_load_links_communes_to_their_departement_and_their_epci(geography):
    assert geography.rows == {
        "PAYS": 1,
        "REGION": 3,
        "DEPARTEMENT": 4,
        "EPCI": 6,
        "COMMUNE": 9,
    }
    nantes = unit("44109")
    assert (nantes.kind, nantes.name, nantes.postcodes) == (
        GeoKind.COMMUNE,
        "Nantes",
        "44000 44100 44200 44300",
    )
    assert nantes.parent.code == "44"
    assert nantes.parent.parent.code == "52"
    assert nantes.parent.parent.parent.code == "FR"
    assert nantes.epci.code == "244400404"
    # An EPCI has no parent: Redon Agglomération straddles Ille-et-Vilaine and
    # Loire-Atlantique.
    redon = unit("243500741")
    assert redon.parent is None
    assert {c.parent.code for c in redon.member_communes.all()} == {"35", "44"}


def test_loading_twice_changes_nothing_and_a_refresh_updates_in_place(geography):
    ids = dict(GeoUnit.objects.values_list("code", "pk"))
    out = StringIO()
    call_command("load_geography", file=str(EXTRACT), stdout=out)
    assert "23 units" in out.getvalue() and "0 written" in out.getvalue()
    assert dict(GeoUnit.objects.values_list("code", "pk")) == ids
    data = read_extract(EXTRACT)
    renamed = [c for c in data["communes"] if c[0] == "44143"][0]
    renamed[1], renamed[4] = "Rezé-lès-Nantes", "44400 44401"
    data["communes"] = [c for c in data["communes"] if c[0] != "44003"]
    again = load_geography(data)
    assert again.written == 1 and again.not_in_extract == 1
    assert (unit("44143").name, unit("44143").search_name) == ("Rezé-lès-Nantes", "reze les nantes")
    assert unit("44003").pk == ids["44003"]  # kept: work sites may still name it


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("nantes", ["44109"]),
        ("NANTES", ["44109"]),
        ("reze", ["44143"]),
        ("saint herblain", ["44162"]),
        ("Saint-Nazaire", ["44184"]),
        ("44300", ["44109"]),
        ("4440", ["44143"]),
        ("444", ["44143", "44185"]),
        ("44600", ["44184"]),
        ("2a0", ["2A004"]),
        ("20167", ["2A004"]),
        ("redon", ["35236", "44185"]),  # starting with the term first
        ("", []),
        ("%", []),
        ("zzz", []),
    ],
)
def test_communes_are_found_by_name_postcode_or_code(geography, typed, found):
    assert [c.code for c in search_communes(typed)] == found


def test_a_territory_is_defined_by_official_codes(geography):
    territory = territory_define(slug="nm", name="Nantes Métropole", codes=["244400404"])
    assert [u.code for u in territory.geo_units.all()] == ["244400404"]
    with pytest.raises(GeoUnit.DoesNotExist):
        territory_define(slug="x", name="X", codes=["244400404", "99999"])
    again = territory_define(slug="nm", name="Nantes Métropole", codes=["244400404"])
    assert again.pk == territory.pk
    # "52" is the Pays de la Loire and the Haute-Marne: the kind says which.
    f.GeoUnitFactory(kind=GeoKind.DEPARTEMENT, code="52", name="Haute-Marne")
    with pytest.raises(GeoUnit.DoesNotExist):
        territory_define(slug="pdl", name="Pays de la Loire", codes=["52"])
    pdl = territory_define(slug="pdl", name="Pays de la Loire", codes=["REGION:52"])
    assert [u.name for u in pdl.geo_units.all()] == ["Pays de la Loire"]


def _parcours_on(structure, site, start=dt.date(2021, 3, 1)):
    person = f.ParticipantFactory(structure=structure)
    return f.ParcoursFactory(participant=person, work_site=site, start_date=start)


def test_an_epci_territory_counts_every_structure_with_work_sites_in_its_communes(geography):
    """The EPCI 244400404 (Nantes Métropole): a structure seated in Saint-Nazaire counts for
    its work site in Rezé; one seated in Nantes with its only site in Saint-Nazaire counts
    there, not here. The département counts the Loire-Atlantique commune of Redon
    Agglomération and not Redon itself; the EPCI counts both."""
    nm = territory_define(slug="nm", name="Nantes Métropole", codes=["244400404"])
    dept = territory_define(slug="la", name="Loire-Atlantique", codes=["44"])
    redon = territory_define(slug="redon", name="Redon Agglomération", codes=["243500741"])
    in_reze = f.StructureFactory(commune=unit("44184"))
    reze = f.WorkSiteFactory(structure=in_reze, commune=unit("44143"))
    in_st_nazaire = f.StructureFactory(commune=unit("44109"))
    st_nazaire = f.WorkSiteFactory(structure=in_st_nazaire, commune=unit("44184"))
    redon_35 = f.StructureFactory(commune=unit("35236"))
    redon_35_site = f.WorkSiteFactory(structure=redon_35, commune=unit("35236"))
    redon_44 = f.StructureFactory(commune=unit("44185"))
    redon_44_site = f.WorkSiteFactory(structure=redon_44, commune=unit("44185"))
    for structure, site, people in [
        (in_reze, reze, 3),
        (in_st_nazaire, st_nazaire, 2),
        (redon_35, redon_35_site, 4),
        (redon_44, redon_44_site, 5),
    ]:
        for _ in range(people):
            _parcours_on(structure, site)

    programme = f.programme("CVG")
    year = periods.year(2021)
    structures = sorted([in_reze.pk, in_st_nazaire.pk, redon_35.pk, redon_44.pk])

    def accompanied(territory) -> int:
        ids = ind.structures_in_territory(territory.pk)
        table = ind.indicator_table(
            programme=programme,
            period=year,
            structure_ids=ids,
            territory_id=territory.pk,
            with_months=False,
        )
        return table.total.raw()["accompanied"]

    # Seat in Nantes but no work site in the métropole: listed (its seat is inside) and
    # counting nobody, since its parcours lie where their work site is.
    assert set(ind.structures_in_territory(nm.pk)) == {in_reze.pk, in_st_nazaire.pk}
    assert accompanied(nm) == 3
    assert accompanied(dept) == 3 + 2 + 5
    assert accompanied(redon) == 4 + 5
    # The yearly rows of the national view walk the same links upwards.
    TerritoryYearCoverage.objects.update_or_create(pk=1, defaults={"through_year": 2026})
    territory_years.rebuild(2026)
    cached = territory_years.comparison(
        programme=programme,
        period=year,
        territory_ids=[nm.pk, dept.pk, redon.pk],
        structure_ids=structures,
    )
    live = ind.territory_comparison(
        programme=programme,
        period=year,
        territory_ids=[nm.pk, dept.pk, redon.pk],
        structure_ids=structures,
    )
    assert cached is not None
    assert cached.figures == live.figures
    assert {tid: fig.raw()["accompanied"] for tid, fig in cached.figures.items()} == {
        nm.pk: 3,
        dept.pk: 10,
        redon.pk: 9,
    }
    # The trajectories walk them too (a commune's EPCI is its `epci`, not its parent): at
    # the end of 2021, each territory's running sums are its year's figures.
    months = trajectories.territory_trajectories(
        programme=programme,
        period=year,
        territory_ids=[nm.pk, dept.pk, redon.pk],
        structure_ids=structures,
        today=dt.date(2022, 1, 15),
    )
    assert {tid: (m[-1].cum_accompanied, m[-1].cum_entries) for tid, m in months.items()} == {
        nm.pk: (3, 3),
        dept.pk: (10, 10),
        redon.pk: (9, 9),
    }
    # Every parcours started on 01/03/2021: March carries them all.
    assert [m.entries for m in months[nm.pk]] == [0, 0, 3, *[0] * 9]
