"""The database side of tenancy: the web role, its grants and the row-level security policies.

Applied by the `sites` migration `0003_row_level_security` and again after every `migrate`
(post_migrate), so a structure-owned table added later by any app is protected by
construction. `tests/tenancy/test_row_level_security.py` fails when one is not.

Which tables are structure-owned: every concrete model with a foreign key named `structure`
to `sites.Structure`, except the organisations' reference data listed in `RLS_EXEMPT`
(see docs/security.md for why).
"""

from django.apps import apps as global_apps
from django.db import connection as default_connection
from django.db import transaction

from .rls import SETTING, WEB_ROLE

# The policy's name carries a version: when USING changes, bump it and `protect_table`
# replaces the older versions on every table at the next migrate.
POLICY_PREFIX = "sillon_structure_scope"
POLICY = f"{POLICY_PREFIX}_v2"
OWNER_POLICY = "sillon_owner_all"

# Organisations' reference data, read across structures by design:
# - WorkSite: names and communes of work sites, needed by coordinators' territory figures and
#   by AI placements hosted elsewhere; holds no personal data.
# - Membership: who belongs where; read to compute every user's scope before any is set.
RLS_EXEMPT = frozenset({"sites.worksite", "sites.membership"})

# Audit tables: the web role may add and read rows, never change or remove them.
APPEND_ONLY_EXTRA = frozenset({"audit.accesslog"})

# Tables the web role only reads: a file's transfer and the read access it grants are
# written by the transfer service as the owner role (participants.services.transfers).
READ_ONLY = frozenset({"participants.transfer", "participants.participantaccessgrant"})

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION sillon_sees_all_structures() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('{SETTING}', true), '') = '*'
$$;
CREATE OR REPLACE FUNCTION sillon_structure_ids() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN coalesce(current_setting('{SETTING}', true), '') IN ('', '*') THEN '{{}}'::bigint[]
    ELSE string_to_array(current_setting('{SETTING}', true), ',')::bigint[]
  END
$$;
"""  # noqa: S608 (constant identifiers only)

ROLE_SQL = f"""
DO $$
BEGIN
  -- Roles belong to the cluster: two databases migrated at once (parallel test workers)
  -- may both find the role missing; the loser of that race takes the winner's role.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WEB_ROLE}') THEN
    BEGIN
      CREATE ROLE {WEB_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- A non-superuser owner must be a member of the web role to SET ROLE to it.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, '{WEB_ROLE}', 'MEMBER') THEN
    EXECUTE format('GRANT {WEB_ROLE} TO %I', current_user);
  END IF;
END
$$;
"""  # noqa: S608 (constant identifiers only)

GRANTS_SQL = f"""
GRANT USAGE ON SCHEMA public TO {WEB_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {WEB_ROLE};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {WEB_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {WEB_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {WEB_ROLE};
REVOKE ALL ON django_migrations FROM {WEB_ROLE};
"""  # noqa: S608 (constant identifiers only)

# Sub-selects make PostgreSQL read the setting once per query, not once per row. The list
# is matched through `IN (SELECT unnest(...))`, which PostgreSQL answers with a hash table
# built once ("hashed SubPlan"): `= ANY(array)` compares each row with every element, which
# cost a coordinator's région dashboard 40 % of its time (344 structures × 32,000 rows).
USING = (
    "(SELECT sillon_sees_all_structures()) "
    "OR structure_id IN (SELECT unnest(sillon_structure_ids()))"
)


def structure_owned_models(registry=global_apps) -> list:
    """Every concrete model whose rows belong to one structure (see the module docstring)."""
    owned = []
    for model in registry.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.label_lower in RLS_EXEMPT:
            continue
        field = next((f for f in meta.concrete_fields if f.name == "structure"), None)
        if field is None or not field.many_to_one:
            continue
        if field.related_model._meta.label_lower == "sites.structure":
            owned.append(model)
    return owned


def append_only_models(registry=global_apps) -> list:
    """The audit tables: the read-access log and every django-pghistory event table."""
    models = []
    for model in registry.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        is_event = any(f.name == "pgh_obj" for f in meta.fields) and any(
            f.name == "pgh_created_at" for f in meta.fields
        )
        if is_event or meta.label_lower in APPEND_ONLY_EXTRA:
            models.append(model)
    return models


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def protect_table(cursor, table: str) -> None:
    """Enable and force row-level security on `table` with the structure policy (idempotent)."""
    cursor.execute(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass(%s)",
        [_quote(table)],
    )
    row = cursor.fetchone()
    if row is None:  # table not created (yet) in this database
        return
    enabled, forced = row
    cursor.execute(
        "SELECT policyname FROM pg_policies WHERE schemaname = current_schema() AND tablename = %s",
        [table],
    )
    policies = {name for (name,) in cursor.fetchall()}
    quoted = _quote(table)
    for outdated in sorted(p for p in policies if p.startswith(POLICY_PREFIX) and p != POLICY):
        # Dropped and re-created in the same transaction (ensure_database_security).
        cursor.execute(f"DROP POLICY {outdated} ON {quoted}")
    if not enabled:
        cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
    if not forced:
        cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
    if POLICY not in policies:
        cursor.execute(
            f"CREATE POLICY {POLICY} ON {quoted} TO {WEB_ROLE} USING ({USING}) WITH CHECK ({USING})"
        )
    if OWNER_POLICY not in policies:
        # FORCE makes the owner obey policies too; the owner (migrations, management
        # commands, retention) keeps full access through its own explicit policy, and any
        # other role gets nothing (deny by default).
        cursor.execute(
            f"CREATE POLICY {OWNER_POLICY} ON {quoted} TO CURRENT_USER "
            "USING (true) WITH CHECK (true)"
        )


def ensure_database_security(registry=global_apps, connection=default_connection) -> None:
    """Create the web role, grant it DML, and protect every structure-owned table."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(ROLE_SQL)
        cursor.execute(FUNCTIONS_SQL)
        cursor.execute(GRANTS_SQL)
        for model in append_only_models(registry):
            cursor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {_quote(model._meta.db_table)} FROM {WEB_ROLE}"
            )
        for model in registry.get_models():
            if model._meta.label_lower in READ_ONLY:
                cursor.execute(
                    f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {_quote(model._meta.db_table)} "
                    f"FROM {WEB_ROLE}"
                )
        for model in structure_owned_models(registry):
            protect_table(cursor, model._meta.db_table)


def post_migrate_security(sender, using="default", apps=global_apps, **kwargs) -> None:
    """post_migrate receiver: re-applies the grants and policies after every migrate."""
    from django.db import connections

    ensure_database_security(registry=apps, connection=connections[using])
