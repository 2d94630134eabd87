"""A territory's places (reporting.places): the structures the scope statement has always
found, and the communes, seated structures and work sites the dashboard's statements now
place parcours with, instead of walking the territory tree each time."""

import pytest

from reporting import indicators as ind
from reporting.places import territory_places
from sites.enums import GeoKind
from sites.models import Structure, Territory, WorkSite
from tests import factories as f

pytestmark = pytest.mark.django_db


def _ids(literal: str) -> set[int]:
    return {int(v) for v in literal.strip("{}").split(",") if v}


@pytest.fixture
def world():
    """Région > two départements > two communes each; an EPCI holding a commune of each
    département (its link, not its parent); territories for the région (with a
    sub-territory per département), for the EPCI and for one commune. A structure seated in
    each commune, one seated outside with a work site inside, one entirely outside."""
    region = f.GeoUnitFactory(kind=GeoKind.REGION, code="R8", name="Région")
    deps = [
        f.GeoUnitFactory(kind=GeoKind.DEPARTEMENT, code=f"8{i}", name=f"Dép {i}", parent=region)
        for i in range(2)
    ]
    epci = f.GeoUnitFactory(kind=GeoKind.EPCI, code="E8", name="EPCI")
    communes = [
        f.GeoUnitFactory(
            code=f"8{i}00{j}", name=f"Commune {i}{j}", parent=deps[i], epci=epci if j else None
        )
        for i in range(2)
        for j in range(2)
    ]
    elsewhere = f.GeoUnitFactory(code="99999", name="Ailleurs")
    top = f.TerritoryFactory()
    top.geo_units.add(region)
    for dep in deps:
        f.TerritoryFactory(parent=top).geo_units.add(dep)
    f.TerritoryFactory().geo_units.add(epci)
    f.TerritoryFactory().geo_units.add(communes[0])
    for commune in communes:
        f.StructureFactory(commune=commune)
    outside = f.StructureFactory(commune=elsewhere)
    f.WorkSiteFactory(structure=outside, commune=communes[3])
    f.WorkSiteFactory(structure=f.StructureFactory(commune=elsewhere), commune=elsewhere)
    return communes


def test_every_territory_has_the_scope_statements_structures_and_its_places(world):
    expected_communes = {}
    for territory in Territory.objects.all():
        structure_ids, places = territory_places(territory.pk)
        assert structure_ids == ind.structures_in_territory(territory.pk)
        geo = _ids(places.communes)
        seats = {s.pk for s in Structure.objects.filter(commune_id__in=geo)}
        sites = {w.pk for w in WorkSite.objects.filter(commune_id__in=geo)}
        assert _ids(places.seats) == seats
        assert _ids(places.sites) == sites
        assert set(structure_ids) == seats | {
            w.structure_id for w in WorkSite.objects.filter(pk__in=sites)
        }
        expected_communes[territory.pk] = geo & {c.pk for c in world}
    # By hand: the région and its sub-territories, the EPCI by its links, one commune.
    by_size = sorted(len(v) for v in expected_communes.values())
    assert by_size == [1, 2, 2, 2, 4]


def test_a_territory_with_nothing_in_it_has_empty_places(world):
    empty = f.TerritoryFactory()
    structure_ids, places = territory_places(empty.pk)
    assert structure_ids == []
    assert (places.communes, places.seats, places.sites) == ("{}", "{}", "{}")
