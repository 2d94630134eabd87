"""Row-level security in PostgreSQL (issue 4 §2): the database itself keeps structures apart.

Every structure-owned table (enumerated from the model registry, so later tables are covered
by construction) has row-level security enabled and forced, with its policy. As the web role:
no scope → 0 rows everywhere; scope A → 0 rows of B.
"""

import pytest
from django.db import connection, transaction
from django.db.utils import DataError, ProgrammingError

from participants import models as pm
from sites.audit.models import AccessLog
from sites.enums import Role
from sites.tenancy import scope_for_user
from sites.tenancy.database import (
    OWNER_POLICY,
    POLICY,
    POLICY_PREFIX,
    RLS_EXEMPT,
    append_only_models,
    ensure_database_security,
    structure_owned_models,
)
from sites.tenancy.rls import WEB_ROLE, current_structures, rls_structures, web_role
from sites.tenancy.scope import EMPTY, Scope
from tests import factories as f
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db


def _count(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _tables() -> list[str]:
    return [model._meta.db_table for model in structure_owned_models()]


def test_every_participants_model_is_structure_owned():
    """The enumeration cannot silently miss the participants' tables."""
    from django.apps import apps

    owned = set(structure_owned_models())
    for model in apps.get_app_config("participants").get_models():
        if any(field.name == "structure" for field in model._meta.concrete_fields):
            assert model in owned, model
    assert AccessLog in owned
    assert {"sites.worksite", "sites.membership"} == RLS_EXEMPT


@pytest.mark.parametrize("table", _tables())
def test_table_has_forced_row_level_security_and_its_policies(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass",
            [table],
        )
        assert cursor.fetchone() == (True, True), f"{table}: row-level security not forced"
        cursor.execute(
            "SELECT policyname, roles::text[], qual FROM pg_policies WHERE tablename = %s",
            [table],
        )
        policies = {name: (roles, qual) for name, roles, qual in cursor.fetchall()}
    assert POLICY in policies, f"{table} lacks its structure policy"
    roles, qual = policies[POLICY]
    assert roles == [WEB_ROLE]
    assert "structure_id" in qual and "sillon_structure_ids" in qual
    assert OWNER_POLICY in policies


def test_an_outdated_policy_version_is_replaced_at_the_next_migrate():
    """A policy whose USING changed carries a new name; the old one must not linger (two
    permissive policies would OR together, and the old one would keep its cost)."""
    table = pm.Parcours._meta.db_table
    outdated = f"{POLICY_PREFIX}_v1"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE POLICY {outdated} ON {table} TO {WEB_ROLE} USING (true)")
    ensure_database_security()
    with connection.cursor() as cursor:
        cursor.execute("SELECT policyname FROM pg_policies WHERE tablename = %s", [table])
        names = {name for (name,) in cursor.fetchall()}
    # The transfers' read-only grant policy (participants 0013) is no structure policy.
    assert names == {POLICY, OWNER_POLICY, "sillon_grant_transfer_v1"}


def test_web_role_is_neither_superuser_nor_owner_nor_bypassing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [WEB_ROLE],
        )
        assert cursor.fetchone() == (False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [WEB_ROLE],
        )
        assert cursor.fetchone()[0] == 0


@pytest.fixture
def two_files(structure_a, structure_b):
    actor = f.UserFactory()
    return full_file(structure_a, "A", actor=actor), full_file(structure_b, "B", actor=actor)


def test_no_scope_sees_no_row_of_any_structure_owned_table(two_files):
    for table in _tables():
        assert _count(f'SELECT count(*) FROM "{table}"') >= 0  # the owner reads them all
    seeded = {m._meta.db_table for m in [*(type(o) for o in two_files[0].objects()), AccessLog]}
    with web_role(EMPTY):
        for table in _tables():
            assert _count(f'SELECT count(*) FROM "{table}"') == 0, table
    for table in seeded:
        assert _count(f'SELECT count(*) FROM "{table}"') >= 2, table


def test_scope_a_sees_its_rows_and_none_of_b(two_files, structure_a, structure_b):
    seeded = {m._meta.db_table for m in [*(type(o) for o in two_files[0].objects()), AccessLog]}
    with web_role(Scope(user_id=None, structure_ids=frozenset({structure_a.pk}))):
        for table in _tables():
            assert (
                _count(f'SELECT count(*) FROM "{table}" WHERE structure_id = %s', [structure_b.pk])
                == 0
            ), table
            if table in seeded:
                assert _count(f'SELECT count(*) FROM "{table}"') >= 1, table
        assert list(pm.Participant.objects.values_list("last_name", flat=True)) == ["CANARY-A-NOM"]


def test_platform_admin_sees_every_structure(two_files):
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    with web_role(scope_for_user(admin)):
        assert pm.Participant.objects.count() == 2


def test_web_role_cannot_write_into_another_structure(two_files, structure_a, structure_b):
    scope = Scope(user_id=None, structure_ids=frozenset({structure_a.pk}))
    with pytest.raises(ProgrammingError, match="row-level security"), web_role(scope):
        f.ParticipantFactory(structure=structure_b)


def test_web_role_cannot_move_a_row_to_another_structure(two_files, structure_a, structure_b):
    participant = two_files[0].participant
    scope = Scope(user_id=None, structure_ids=frozenset({structure_a.pk}))
    with pytest.raises(ProgrammingError, match="row-level security"), web_role(scope):
        pm.Participant.objects.filter(pk=participant.pk).update(structure=structure_b)


@pytest.mark.parametrize("model", append_only_models(), ids=lambda m: m._meta.label)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
def test_web_role_cannot_update_or_delete_audit_rows(model, statement, structure_a):
    table = connection.ops.quote_name(model._meta.db_table)
    scope = Scope(user_id=None, structure_ids=frozenset({structure_a.pk}), is_platform_admin=True)
    with (
        pytest.raises(ProgrammingError, match="permission denied"),
        web_role(scope),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(t=table))


def test_web_role_reads_and_appends_the_access_log(two_files, structure_a):
    user = f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user
    with web_role(scope_for_user(user)):
        AccessLog.objects.create(
            actor=user,
            actor_role=Role.MANAGER,
            structure=structure_a,
            participant_id=two_files[0].participant.pk,
            action="VIEW",
        )
        assert AccessLog.objects.count() == 2  # A's seeded row and this one, not B's


def test_web_role_leaves_no_trace_after_the_block(structure_a):
    with web_role(EMPTY):
        assert (
            _count(
                "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND rolname = %s",
                [WEB_ROLE],
            )
            == 1
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user <> %s, current_setting('app.structure_ids', true)", [WEB_ROLE]
        )
        assert cursor.fetchone() in ((True, ""), (True, None))


def test_rls_structures_opens_its_structures_for_the_block_then_restores(
    two_files, structure_a, structure_b
):
    """The block sees the structures it names (one round trip reads the previous value and
    sets the new one), and the scope's own value is back after it, even after an error."""
    with web_role(Scope(user_id=None, structure_ids=frozenset({structure_a.pk}))):
        before = current_structures()
        assert before == str(structure_a.pk)
        with rls_structures([structure_b.pk]):
            assert current_structures() == str(structure_b.pk)
            names = set(pm.Participant.objects.values_list("last_name", flat=True))
            assert names == {"CANARY-B-NOM"}
        assert current_structures() == before
        with pytest.raises(ZeroDivisionError), rls_structures([structure_b.pk]):
            raise ZeroDivisionError
        assert current_structures() == before
        # A failed statement comes out as itself, not as "transaction aborted".
        with pytest.raises(DataError), rls_structures([structure_b.pk]):
            _count("SELECT 1 / 0")
        assert current_structures() == before
        assert list(pm.Participant.objects.values_list("last_name", flat=True)) == ["CANARY-A-NOM"]
    with web_role(EMPTY), rls_structures([structure_a.pk, structure_b.pk]):
        assert current_structures() == ",".join(
            str(pk) for pk in sorted([structure_a.pk, structure_b.pk])
        )


class TestMiddleware:
    pytestmark = pytest.mark.urls("tests.tenancy.urls_probe")

    def test_requests_run_as_the_web_role_within_the_scope(self, client, two_files, caseworker_a):
        client.force_login(caseworker_a)
        body = client.get("/probe/").json()
        assert body["role"] == WEB_ROLE
        assert body["names"] == ["CANARY-A-NOM"]
        assert body["structures"] == str(caseworker_a.memberships.get().structure_id)
        # The test's own connection is the owner again afterwards.
        assert _count("SELECT count(*) FROM participants_participant") == 2

    def test_a_user_without_structure_sees_nothing(self, client, two_files):
        funder = f.MembershipFactory(
            role=Role.FUNDER, structure=None, funder=f.FunderFactory()
        ).user
        client.force_login(funder)
        assert client.get("/probe/").json()["names"] == []

    def test_streamed_content_is_produced_as_the_web_role(self, client, two_files, caseworker_a):
        client.force_login(caseworker_a)
        response = client.get("/stream/")
        lines = b"".join(response.streaming_content).decode().split()
        assert lines == [WEB_ROLE, "CANARY-A-NOM"]

    def test_every_response_carries_a_request_id(self, client, caseworker_a):
        client.force_login(caseworker_a)
        assert len(client.get("/probe/")["X-Request-ID"]) == 32
        given = client.get("/probe/", headers={"X-Request-ID": "proxy-id-1234"})
        assert given["X-Request-ID"] == "proxy-id-1234"


def test_transaction_rollback_also_drops_the_role(structure_a):
    with transaction.atomic():
        sid = transaction.savepoint()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, true)", [WEB_ROLE])
        transaction.savepoint_rollback(sid)
        assert (
            _count("SELECT count(*) FROM pg_roles WHERE rolname = current_user AND rolsuper") == 1
        )


@pytest.mark.urls("tests.tenancy.urls_probe")
def test_history_records_each_write_with_its_author(client, structure_a, caseworker_a):
    participant = f.ParticipantFactory(structure=structure_a)
    client.force_login(caseworker_a)
    client.post(f"/rename/{participant.pk}/", {"first_name": "Alix"})
    event = pm.Participant.pgh_event_model.objects.filter(
        pgh_obj_id=participant.pk, pgh_label="update"
    ).get()
    assert event.first_name == "Alix"
    assert event.pgh_context.metadata["user"] == caseworker_a.pk
    assert event.pgh_context.metadata["url"] == f"/rename/{participant.pk}/"
