"""The yearly rows follow a commune's EPCI link as well as its parent.

The official geography (sites 0008) hangs a commune under its département and names its EPCI
in `sites_geounit.epci_id`: `reporting_territory_year_refresh` now finds a commune's
territories through both links (the same walk as reporting.territory_years.COMPUTE_SQL), and
a change of a unit's EPCI, like a change of its parent, drops the coverage (readers compute
live until the next rebuild). The function is 0004's frozen text with that one step
replaced; going back restores 0004's function and 0003's trigger function.
"""

from importlib import import_module

from django.db import migrations

_PREVIOUS = import_module("reporting.migrations.0004_programme_flags")

_UP_BEFORE = """    SELECT up.commune_id, g.parent_id FROM up JOIN sites_geounit g ON g.id = up.geo_id
    WHERE g.parent_id IS NOT NULL
),"""
_UP_AFTER = """    SELECT up.commune_id, link.id FROM up JOIN sites_geounit g ON g.id = up.geo_id
    CROSS JOIN LATERAL (VALUES (g.parent_id), (g.epci_id)) AS link(id)
    WHERE link.id IS NOT NULL
),"""
assert _PREVIOUS.REFRESH_SQL.count(_UP_BEFORE) == 1
REFRESH_SQL = _PREVIOUS.REFRESH_SQL.replace(_UP_BEFORE, _UP_AFTER)

GEOUNIT_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION reporting_territory_year_drop_coverage_on_geo_links()
RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE o.parent_id IS DISTINCT FROM n.parent_id
                  OR o.epci_id IS DISTINCT FROM n.epci_id) THEN
        DELETE FROM reporting_territoryyearcoverage;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS reporting_ty_geounit_parent ON sites_geounit;
CREATE TRIGGER reporting_ty_geounit_parent AFTER UPDATE ON sites_geounit
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION reporting_territory_year_drop_coverage_on_geo_links();
"""

REVERSE_SQL = (
    _PREVIOUS.REFRESH_SQL
    + """
DROP TRIGGER IF EXISTS reporting_ty_geounit_parent ON sites_geounit;
DROP FUNCTION IF EXISTS reporting_territory_year_drop_coverage_on_geo_links();
CREATE TRIGGER reporting_ty_geounit_parent AFTER UPDATE ON sites_geounit
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION reporting_territory_year_drop_coverage_on_parent();
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0006_funder_packs"),
        ("sites", "0008_geounit_epci_postcodes"),
    ]

    operations = [
        migrations.RunSQL(sql=REFRESH_SQL + GEOUNIT_TRIGGER_SQL, reverse_sql=REVERSE_SQL),
    ]
