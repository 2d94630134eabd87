"""Throw-away PostgreSQL nodes on loopback for the cluster drills (docs/deployment.md §7).

Used by `make replica-drill`, `make pooler-drill`, `make failover-drill` and `make
pitr-drill`. Each drill works in its own temporary folder with ports the kernel hands out
(so two checkouts drilling at once never meet), listens on 127.0.0.1 only, and removes
everything it started at the end. The PostgreSQL 16 programs (postgres, pg_basebackup,
pg_rewind, pg_ctl) are those of the pgserver wheel the project already installs; PgBouncer,
Patroni and etcd are Debian packages installed by `scripts/system-deps.sh cluster`.

PostgreSQL refuses to run as root: when the drill runs as root, the servers (and Patroni)
run as the unprivileged `pgserver` user that pgserver itself creates for the same reason.
Authentication is `trust` on loopback: the nodes hold generated data and live for minutes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import suppress
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER_USER = "pgserver"


def bin_dir() -> Path:
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_server_user() -> None:
    if not running_as_root():
        return
    import pwd

    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/sh", SERVER_USER], check=True)  # noqa: S603, S607


def as_server_user(args: list[str]) -> list[str]:
    """`args` run as the servers' user (the drill's own user when not root)."""
    return ["runuser", "-u", SERVER_USER, "--", *args] if running_as_root() else args


def give_to_server_user(path: Path) -> None:
    if running_as_root():
        shutil.chown(path, SERVER_USER, SERVER_USER)


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workspace(prefix: str) -> Path:
    ensure_server_user()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)  # the servers' user reaches its data folders
    give_to_server_user(folder)
    return folder


def run(args: list[str], *, server: bool = False, check: bool = True, **kwargs):
    command = as_server_user(args) if server else args
    return subprocess.run(command, check=check, text=True, capture_output=True, **kwargs)  # noqa: S603


class Node:
    """One PostgreSQL server: a data folder, a loopback port, a log."""

    def __init__(self, folder: Path, name: str, port: int | None = None):
        self.folder = folder
        self.name = name
        self.port = port or free_port()
        self.data = folder / name
        self.log = folder / f"{name}.log"

    # Setting up ---------------------------------------------------------------------------
    def initdb(self, **settings) -> None:
        run(
            [str(bin_dir() / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "--encoding=utf8", "--no-instructions"],
            server=True,
        )  # fmt: skip
        self.configure(**settings)

    def configure(self, **settings) -> None:
        """Appended to postgresql.conf: later lines win."""
        base = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.folder}'",
            "wal_level": "replica",
            "max_wal_senders": "8",
            "max_replication_slots": "8",
            "hot_standby": "on",
            "wal_log_hints": "on",  # pg_rewind needs it (or data checksums)
            "max_connections": "120",
            "shared_buffers": "128MB",
            "log_line_prefix": "'%m [%p] '",
        }
        lines = [f"{k} = {v}" for k, v in {**base, **settings}.items()]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# bench/cluster.py\n" + "\n".join(lines) + "\n")

    def basebackup_from(self, primary: Node, *extra: str) -> None:
        """A streaming standby of `primary`: pg_basebackup -R writes standby.signal and
        primary_conninfo."""
        run(
            [str(bin_dir() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
             "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", *extra],
            server=True,
        )  # fmt: skip
        self.configure()

    def copy_of(self, source_url: str) -> None:
        """A primary holding a running server's data (`source_url`, e.g. the national
        dataset of `make dataset`): a base backup without standby settings, started as a
        server of its own. The source is only read."""
        run(
            [str(bin_dir() / "pg_basebackup"), "-d", source_url, "-D", str(self.data),
             "-X", "stream", "-c", "fast"],
            server=True,
        )  # fmt: skip

    # Running ------------------------------------------------------------------------------
    def start(self, timeout: int = 120) -> None:
        run(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
             "-t", str(timeout), "start"],
            server=True,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        run(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            server=True,
            check=False,
        )

    def pid(self) -> int | None:
        with suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        return None

    def kill9(self) -> None:
        """The hard way: SIGKILL to the postmaster (its backends die with it)."""
        pid = self.pid()
        if pid:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def running(self) -> bool:
        pid = self.pid()
        if not pid:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    # Talking to it ------------------------------------------------------------------------
    def url(self, db: str = "sillon") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=db, autocommit=True,
            connect_timeout=3, **kwargs,
        )  # fmt: skip

    def query(self, sql: str, params=None, db: str = "postgres") -> list[tuple]:
        with self.connect(db) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def value(self, sql: str, params=None, db: str = "postgres"):
        rows = self.query(sql, params, db)
        return rows[0][0] if rows else None

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.value("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def manage(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` of this checkout with `env`."""
    return subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT, env=env, check=check, text=True, capture_output=True,
    )  # fmt: skip


def load_command(options: list[str]) -> list[str]:
    """`python -m bench.load OPTIONS`, the options checked now against the load's own
    parser: a drill asking for an option the load no longer has stops at once (and in
    tests/bench), not minutes later with a load that made no request."""
    from bench.load import parser

    parser().parse_args(options)
    return [str(ROOT / ".venv/bin/python"), "-m", "bench.load", *options]


def app_env(database_url: str, **extra: str) -> dict:
    """The environment of the application processes a drill starts."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REPORTING_DATABASE_URL", "SILLON_DB_NAME"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def load_dataset(database_url: str, *, scale: str = "small", seed: int = 15) -> float:
    """Create the `sillon` database's schema and a generated dataset; returns the seconds."""
    started = time.monotonic()
    env = app_env(database_url)
    manage("migrate", "-v0", env=env)
    manage("generate_dataset", "--scale", scale, "--seed", str(seed), "--no-progress", env=env)
    return time.monotonic() - started


def cleanup(folder: Path, nodes: list[Node], processes: list[subprocess.Popen] = ()) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    for node in nodes:
        if node.running():
            node.stop("immediate")
    shutil.rmtree(folder, ignore_errors=True)


def verdict(ok: bool, summary: str) -> int:
    print(f"RESULT: {'PASS' if ok else 'FAIL'} — {summary}")
    return 0 if ok else 1


class PgBouncer:
    """PgBouncer (Debian package) in transaction mode in front of one node, on loopback."""

    def __init__(self, folder: Path, node: Node, *, pool_size: int = 20):
        self.folder = folder / "pgbouncer"
        self.folder.mkdir()
        self.node = node
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        (self.folder / "users.txt").write_text('"postgres" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={node.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.folder}/users.txt\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\n"
            "max_client_conn = 500\nignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.folder}/pgbouncer.log\n"
        )
        give_to_server_user(self.folder)

    def start(self) -> subprocess.Popen:
        command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"]
        if running_as_root():
            command += ["-u", SERVER_USER]
        command.append(str(self.folder / "pgbouncer.ini"))
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                                dbname="sillon", connect_timeout=2).close()  # fmt: skip
                return self.process
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.1)

    def url(self, db: str = "sillon") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"
