"""Where a territory's figures lie: its communes, the structures seated in them and the work
sites in them, read once for a dashboard.

A parcours lies at its work site's commune, else at its structure's. The territory
dashboard's statements used to walk the territory tree each time they placed a parcours:
the outcome statement down from the territory (its communes, then the structures and work
sites there), the free dates' edges up from each parcours' commune. The scope statement
walks the same tree to find the territory's structures; it now also answers the places,
as id array literals (reporting.sql_arrays) the statements cast, and the walks are gone
from them (national dataset, CVG région, free dates, each statement alone, old and new
forms alternated at load 0.7–0.8: outcomes 7.4 → 4.9 ms, edges 7.2 → 4.9 ms;
docs/performance.md).
"""

from dataclasses import dataclass

from django.db import connections

from sites.tenancy.replica import reporting_alias

from .indicator_sql import TERRITORY_CTES


@dataclass(frozen=True)
class Places:
    """Id array literals, to cast `::bigint[]`: the territory's geographical units (its
    communes among them, sub-territories included), the structures seated in them, the work
    sites in them."""

    communes: str
    seats: str
    sites: str


# The structures located in the territory (seated there or with a work site there, as
# indicator_sql.STRUCTURES_IN_TERRITORIES_SQL finds them) and its places. The arrays are
# written as text by PostgreSQL: the literal the statements take.
PLACES_SQL = f"""
WITH RECURSIVE {TERRITORY_CTES.strip().rstrip(",")},
communes AS MATERIALIZED (SELECT ARRAY(SELECT id FROM geo ORDER BY id) AS ids),
seats AS MATERIALIZED (
    SELECT st.id FROM sites_structure st
    WHERE st.commune_id = ANY((SELECT ids FROM communes)::bigint[])
),
sites AS MATERIALIZED (
    SELECT ws.id, ws.structure_id FROM sites_worksite ws
    WHERE ws.commune_id = ANY((SELECT ids FROM communes)::bigint[])
)
SELECT ARRAY(SELECT id FROM seats UNION SELECT structure_id FROM sites ORDER BY 1),
       (SELECT ids FROM communes)::text,
       ARRAY(SELECT id FROM seats ORDER BY id)::text,
       ARRAY(SELECT id FROM sites ORDER BY id)::text
"""  # noqa: S608 (constant fragments only)


def territory_places(territory_id: int) -> tuple[list[int], Places]:
    """(The structures located in the territory, in ascending order; its places.)"""
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(PLACES_SQL, {"territory_id": territory_id})
        structure_ids, communes, seats, sites = cursor.fetchone()
    return structure_ids, Places(communes=communes, seats=seats, sites=sites)
