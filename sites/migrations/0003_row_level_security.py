"""Row-level security: the `sillon_web` role, its grants, and a structure policy on every
structure-owned table (sites/tenancy/database.py). Re-applied after every migrate, so
tables created by later migrations are covered too."""

from django.db import migrations


def forwards(apps, schema_editor):
    from sites.tenancy.database import ensure_database_security

    ensure_database_security(registry=apps, connection=schema_editor.connection)


def backwards(apps, schema_editor):
    from sites.tenancy.database import OWNER_POLICY, POLICY, structure_owned_models

    with schema_editor.connection.cursor() as cursor:
        for model in structure_owned_models(apps):
            table = schema_editor.quote_name(model._meta.db_table)
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            cursor.execute(f"DROP POLICY IF EXISTS {OWNER_POLICY} ON {table}")
            cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0002_access_log"),
        ("participants", "0002_initial"),
        ("programmes", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
