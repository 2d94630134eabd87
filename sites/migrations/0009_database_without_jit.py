"""No JIT compilation on the application's database (ALTER DATABASE … SET jit = off).

The coordinator dashboards' statements walk the territory tree; PostgreSQL estimates those
walks at hundreds of thousands of rows where there are a few hundred, which puts the
statements' cost far over `jit_above_cost` (100,000): a server built with LLVM, as Debian's
packages are, then compiled them on every request — 1.7–1.9 s a dashboard instead of
26–28 ms on the demo data (docs/performance.md). The web connections also ask for it
(`options` in config/settings/base.py); this covers those that cannot: through PgBouncer
(no startup options), the reporting standby (the setting is replicated with the catalogue),
the worker and an operator's psql. Needs the database's owner (who runs migrations). Since
then the same setting is made after every `migrate` (sites/database_settings.py), which also
puts it back after a restore and tells a role that may not make it: the warning raised here
is a notice nobody reads.
"""

from django.db import migrations

SET_JIT_OFF = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'jit is not turned off on database %: run ALTER DATABASE % SET jit = off '
        'as its owner (docs/deployment.md)', current_database(), current_database();
END
$$;
"""

RESET_JIT = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("sites", "0008_geounit_epci_postcodes")]

    operations = [migrations.RunSQL(SET_JIT_OFF, RESET_JIT)]
