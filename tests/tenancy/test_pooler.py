"""Row-level security through PgBouncer in transaction mode (docs/deployment.md §7).

A real PgBouncer (Debian package, installed by `scripts/system-deps.sh test`) with ONE server
connection in front of the test database: requests of two structures' caseworkers, and a
probe connection between them, all run on that one server connection. Nothing of a
request's scope or role is left on it for the next client, because the middleware sets both
with `set_config(..., true)`, transaction-local. The application's connection settings are
those of `DATABASE_POOLER=transaction` (config.settings.base.transaction_pooler).
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connections
from django.test import Client

from config.settings.base import transaction_pooler
from participants.models import Participant
from sites.enums import Role
from tests import factories as f

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SERVER_USER = "pgserver"  # pgserver's own unprivileged user; PgBouncer refuses to run as root

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.tenancy.urls_probe"),
    pytest.mark.skipif(
        not Path(PGBOUNCER).exists(),
        reason="PgBouncer is not installed (scripts/system-deps.sh test installs it as root)",
    ),
]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer():
    """PgBouncer in transaction mode, one server connection, in front of the test database."""
    target = connections["default"].settings_dict
    # Not pytest's tmp_path: its parents are private to root, and PgBouncer drops to
    # SERVER_USER when started as root.
    folder = Path(tempfile.mkdtemp(prefix="sillon-pgbouncer-"))
    folder.chmod(0o755)
    port = _free_port()
    host = target["HOST"] or "127.0.0.1"
    (folder / "users.txt").write_text(f'"{target["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={host} port={target['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 1\nmax_db_connections = 1\n"
        "min_pool_size = 0\nreserve_pool_size = 0\nmax_client_conn = 50\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {folder}/pgbouncer.log\n"
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", SERVER_USER]
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER)
    output = folder / "stderr.log"
    with output.open("w") as stderr:
        process = subprocess.Popen(command, stdout=stderr, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                psycopg.connect(
                    host="127.0.0.1", port=port, user=target["USER"], dbname=target["NAME"]
                ).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or process.poll() is not None:
                    logs = [folder / "pgbouncer.log", output]
                    raise RuntimeError(
                        " ".join(p.read_text() for p in logs if p.exists())
                    ) from None
                time.sleep(0.1)
        yield port
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pooled(pgbouncer):
    """The default alias through PgBouncer, configured as DATABASE_POOLER=transaction does."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(
        transaction_pooler(dict(saved, HOST="127.0.0.1", PORT=str(pgbouncer)))
    )
    yield pgbouncer
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def _probe_connection(port: int) -> psycopg.Connection:
    target = connections["default"].settings_dict
    return psycopg.connect(
        host="127.0.0.1", port=port, user=target["USER"], dbname=target["NAME"],
        autocommit=True, prepare_threshold=None,
    )  # fmt: skip


def test_two_structures_interleaved_on_one_server_connection(pooled, structure_a, structure_b):
    f.ParticipantFactory(structure=structure_a, last_name="CANARY-A-NOM")
    f.ParticipantFactory(structure=structure_b, last_name="CANARY-B-NOM")
    clients = {}
    for name, structure in (("A", structure_a), ("B", structure_b)):
        client = Client()
        client.force_login(f.MembershipFactory(structure=structure, role=Role.CASEWORKER).user)
        clients[name] = client
    pids = set()
    with _probe_connection(pooled) as probe:
        for _ in range(3):
            for name, client in clients.items():
                body = client.get("/probe/").json()
                assert body["names"] == [f"CANARY-{name}-NOM"]
                assert body["role"] == "sillon_web"
                # Between two requests, on the same server connection: no scope, no role.
                pid, structures, role, user = probe.execute(
                    "SELECT pg_backend_pid(), current_setting('app.structure_ids', true), "
                    "current_setting('role'), current_user"
                ).fetchone()
                assert pid == body["pid"]
                assert structures in (None, "")
                assert (role, user) == ("none", connections["default"].settings_dict["USER"])
                with probe.transaction():
                    probe.execute("SET LOCAL ROLE sillon_web")
                    visible = probe.execute("SELECT count(*) FROM participants_participant")
                    assert visible.fetchone()[0] == 0
                pids.add(pid)
    assert len(pids) == 1


def test_iterators_leave_no_cursor_on_the_shared_server_connection(pooled, structure_a):
    for _ in range(3):
        f.ParticipantFactory(structure=structure_a)
    with _probe_connection(pooled) as probe:
        cursors_seen = []
        names = []
        for participant in Participant.objects.order_by("pk").iterator(chunk_size=1):
            names.append(participant.last_name)
            # A server-side cursor (DECLARE … WITH HOLD outside a transaction) would stay
            # open on the one server connection, for the next client to find.
            cursors_seen.append(probe.execute("SELECT count(*) FROM pg_cursors").fetchone()[0])
    assert len(names) == 3
    assert cursors_seen == [0, 0, 0]


def test_no_prepared_statement_on_the_shared_server_connection(pooled, structure_a):
    f.ParticipantFactory(structure=structure_a)
    params = connections["default"].get_connection_params()
    assert params["prepare_threshold"] is None
    # Two clients run the same statement again and again on the one server connection:
    # prepared (psycopg does so from the 5th run), their names would clash or be missing.
    first = psycopg.connect(**params, autocommit=True)
    second = psycopg.connect(**params, autocommit=True)
    try:
        for _ in range(8):
            for conn in (first, second):
                row = conn.execute(
                    "SELECT count(*) FROM participants_participant WHERE id > %s", [0]
                )
                assert row.fetchone()[0] == 1
                assert (
                    conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] == 0
                )
    finally:
        first.close()
        second.close()


def test_no_jit_through_the_pooler(pooled):
    """PgBouncer refuses the `options` startup parameter that turns JIT off on a direct
    connection: the database's own default (set by every migrate) does it here."""
    connection = connections["default"]
    assert "options" not in connection.get_connection_params()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
