"""`make failover-drill`: the primary killed with SIGKILL under load; Patroni fails over.

1. etcd (one member) and two PostgreSQL 16 nodes under Patroni on loopback, synchronous
   replication (`synchronous_mode: true`, `synchronous_commit = on`), `use_pg_rewind`.
2. The application connects through a multi-host DATABASE_URL with
   `target_session_attrs=read-write`: libpq tries both nodes and keeps the one that accepts
   writes, so no proxy sits in between.
3. `make load`'s scenario (bench/load.py, caseworkers logging actions) runs, and beside it a
   writer commits one numbered row every 50 ms through the same multi-host address,
   remembering every commit the server acknowledged.
4. Half-way, the primary node is lost the hard way: SIGKILL to its Patroni and to its
   postmaster. The standby's Patroni takes the leader key when it expires and promotes.
5. Reported: seconds from the kill to the first acknowledged write on the new primary;
   errors seen by users (and whether any came later than 10 s after writes resumed); every
   acknowledged row of the writer present on the new primary, and the load test's
   acknowledged action posts against the rows in the database (0 lost).
6. The old primary's Patroni is started again: it rewinds its data folder (pg_rewind) and
   rejoins as a streaming standby of the new primary.

PASS when writes resume within 30 s, no acknowledged write is lost and the old primary
rejoins. Bounded (about 4 minutes), loopback only; removes everything it started.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import suppress
from pathlib import Path

import psycopg

from bench import cluster

TARGET_SECONDS = 30
LOAD_NOTE = "Point d'étape (test de charge)."


class Etcd:
    def __init__(self, folder: Path):
        self.client_port = cluster.free_port()
        self.peer_port = cluster.free_port()
        self.data = folder / "etcd"
        self.log = folder / "etcd.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> subprocess.Popen:
        client = f"http://127.0.0.1:{self.client_port}"
        peer = f"http://127.0.0.1:{self.peer_port}"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [shutil.which("etcd") or "/usr/bin/etcd", "--name", "drill",
                 "--data-dir", str(self.data),
                 "--listen-client-urls", client, "--advertise-client-urls", client,
                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                 "--initial-cluster", f"drill={peer}", "--initial-cluster-state", "new"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                suppress(OSError),
                urllib.request.urlopen(f"{client}/health", timeout=1) as r,  # noqa: S310
            ):
                if json.loads(r.read()).get("health") == "true":
                    return self.process
            time.sleep(0.2)
        raise RuntimeError("etcd did not start")


class PatroniNode:
    def __init__(self, folder: Path, name: str, scope: str, etcd: Etcd):
        self.folder = folder
        self.name = name
        self.node = cluster.Node(folder, name)
        self.rest_port = cluster.free_port()
        self.config = folder / f"{name}.yml"
        self.log = folder / f"{name}-patroni.log"
        self.process: subprocess.Popen | None = None
        settings = {
            "scope": scope,
            "namespace": "/sillon-drill/",
            "name": name,
            "restapi": {
                "listen": f"127.0.0.1:{self.rest_port}",
                "connect_address": f"127.0.0.1:{self.rest_port}",
            },
            "etcd3": {"hosts": f"127.0.0.1:{etcd.client_port}"},
            "bootstrap": {
                "dcs": {
                    "ttl": 15,
                    "loop_wait": 2,
                    "retry_timeout": 5,
                    "maximum_lag_on_failover": 1048576,
                    "synchronous_mode": True,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": {
                            "wal_level": "replica",
                            "hot_standby": "on",
                            "wal_log_hints": "on",
                            "max_wal_senders": 8,
                            "max_replication_slots": 8,
                            "max_connections": 120,
                            "synchronous_commit": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"auth": "trust"}],
                "pg_hba": [
                    "local all all trust",
                    "host all all 127.0.0.1/32 trust",
                    "host replication all 127.0.0.1/32 trust",
                ],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{self.node.port}",
                "connect_address": f"127.0.0.1:{self.node.port}",
                "data_dir": str(self.node.data),
                "bin_dir": str(cluster.bin_dir()),
                "pgpass": str(folder / f"{name}.pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres"},
                    "replication": {"username": "postgres"},
                    "rewind": {"username": "postgres"},
                },
                "parameters": {
                    "unix_socket_directories": str(folder),
                    "shared_buffers": "128MB",
                },
            },
        }
        # JSON is YAML: no YAML writer needed.
        self.config.write_text(json.dumps(settings, indent=1))
        cluster.give_to_server_user(self.config)

    def start(self) -> None:
        log = self.log.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            cluster.as_server_user(["patroni", str(self.config)]),
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()

    def role(self) -> str:
        try:
            url = f"http://127.0.0.1:{self.rest_port}/patroni"
            with urllib.request.urlopen(url, timeout=1) as r:  # noqa: S310 (loopback)
                body = json.loads(r.read())
        except urllib.error.HTTPError as error:  # 503 while starting: the body says why
            body = json.loads(error.read() or b"{}")
        except (OSError, ValueError):
            return ""
        return f"{body.get('role', '')}/{body.get('state', '')}"

    def kill9(self) -> None:
        """The node lost: SIGKILL to Patroni and to the postmaster, nothing shut down."""
        if self.process and self.process.poll() is None:
            # runuser's child is Patroni: kill the whole process group of runuser's child.
            for pid in _descendants(self.process.pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        self.node.kill9()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            for pid in _descendants(self.process.pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        if self.node.running():
            self.node.stop("immediate")
        if self.process and self.process.poll() is None:
            self.process.kill()


def _descendants(pid: int) -> list[int]:
    found = []
    with suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            found.append(int(child))
            found.extend(_descendants(int(child)))
    return found


def wait_for(predicate, seconds: float, step: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


class Writer(threading.Thread):
    """Commits one numbered row every 50 ms through the multi-host address and remembers
    which commits the server acknowledged, and when writes failed and came back."""

    def __init__(self, conninfo: str):
        super().__init__(daemon=True)
        self.conninfo = conninfo
        self.stop_event = threading.Event()
        self.acknowledged: list[int] = []
        self.errors: list[tuple[float, str]] = []
        self.successes: list[float] = []
        self.counter = 0

    def run(self) -> None:
        conn = None
        while not self.stop_event.is_set():
            self.counter += 1
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.conninfo, autocommit=True)
                conn.execute("INSERT INTO drill_acknowledged (n) VALUES (%s)", [self.counter])
                self.acknowledged.append(self.counter)
                self.successes.append(time.time())
            except psycopg.Error as error:
                self.errors.append((time.time(), str(error).splitlines()[0][:120]))
                with suppress(Exception):
                    conn.close()
                conn = None
            self.stop_event.wait(0.05)
        if conn is not None:
            conn.close()


def load_summary(stdout: str) -> dict:
    """The load test's own figures: acknowledged action posts, errors, its CSV folder."""
    summary = {"posts_ok": 0, "errors": 0, "requests": 0, "workdir": None}
    for line in stdout.splitlines():
        if line.startswith("participants:action_create (post)"):
            reqs, fails = line.split()[-5:-3]
            summary["posts_ok"] = int(reqs) - int(fails)
        found = re.search(r"(\d+) errors out of (\d+)", line)
        if found:
            summary["errors"], summary["requests"] = int(found[1]), int(found[2])
        if line.startswith("Logs and CSV: "):
            summary["workdir"] = Path(line.split(": ", 1)[1].strip())
    return summary


def errors_after(workdir: Path | None, moment: float) -> int:
    """Failures the load test counted later than `moment` (its per-second history)."""
    if workdir is None or not (workdir / "load_stats_history.csv").exists():
        return -1
    late, previous = 0, 0
    with (workdir / "load_stats_history.csv").open() as history:
        for row in csv.DictReader(history):
            if row["Name"] != "Aggregated":
                continue
            failures = int(row["Total Failure Count"])
            if float(row["Timestamp"]) > moment:
                late += failures - previous
            previous = failures
    return late


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--time", type=int, default=90, help="Seconds of load.")
    parser.add_argument("--scale", default="small")
    return parser


def load_options(args, kill_script: Path) -> list[str]:
    return [
        "--users", str(args.users), "--time", str(args.time), "--workers", "3",
        "--think", "1,3",
        # Half-way, the kill; nothing to start again: Patroni promotes the standby.
        "--stop-command", str(kill_script), "--start-command", "true", "--down", "0",
        # The drill's database is throw-away: the load runs on it, not on a copy.
        "--in-place",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 — one linear drill
    args = parser().parse_args(argv)
    folder = cluster.workspace("sillon-failover-")
    etcd = Etcd(folder)
    scope = f"sillon-{uuid.uuid4().hex[:8]}"
    first = PatroniNode(folder, "node1", scope, etcd)
    second = PatroniNode(folder, "node2", scope, etcd)
    nodes = {first.name: first, second.name: second}
    processes: list[subprocess.Popen] = []
    checks: list[tuple[str, bool, str]] = []
    try:
        processes.append(etcd.start())
        print(f"1/6 etcd on 127.0.0.1:{etcd.client_port}; Patroni nodes "
              f"{first.name} (PostgreSQL :{first.node.port}) and {second.name} "
              f"(:{second.node.port})")  # fmt: skip
        first.start()
        if not wait_for(lambda: first.role() in ("master/running", "primary/running"), 90):
            raise RuntimeError(f"{first.name} did not become the leader: {first.role()}")
        second.start()
        sync = wait_for(
            lambda: first.node.value(
                "SELECT application_name FROM pg_stat_replication WHERE sync_state = 'sync'"
            ),
            120,
        )
        print(f"    leader {first.name}; synchronous standby: {sync}")
        if sync != second.name:
            raise RuntimeError("no synchronous standby")
        hosts = f"127.0.0.1:{first.node.port},127.0.0.1:{second.node.port}"
        database_url = f"postgres://postgres@{hosts}/sillon?target_session_attrs=read-write"
        first.node.query("CREATE DATABASE sillon")
        seconds = cluster.load_dataset(database_url, scale=args.scale)
        print(f"2/6 DATABASE_URL={database_url}\n    dataset `{args.scale}` in {seconds:.0f} s")
        conninfo = (
            f"host=127.0.0.1,127.0.0.1 port={first.node.port},{second.node.port} dbname=sillon "
            "user=postgres target_session_attrs=read-write connect_timeout=2"
        )
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("CREATE TABLE drill_acknowledged (n bigint PRIMARY KEY)")
            actions_before = conn.execute(
                "SELECT count(*) FROM participants_accompanimentaction WHERE note = %s",
                [LOAD_NOTE],
            ).fetchone()[0]

        kill_script = folder / "kill-primary.sh"
        marker = folder / "killed-at"
        kill_script.write_text(
            "#!/bin/sh\n"
            f"date +%s.%N > {marker}\n"
            f"{cluster.ROOT / '.venv/bin/python'} -m bench.failover_drill --kill-node "
            f"{folder} {first.name}\n"
        )
        kill_script.chmod(0o755)
        (folder / "pids.json").write_text(
            json.dumps({first.name: first.process.pid, "postmaster": first.node.pid()})
        )
        print(f"3/6 load: {args.users} users for {args.time} s (think 1–3 s), a writer every "
              f"50 ms; the primary {first.name} is killed (SIGKILL) half-way")  # fmt: skip
        writer = Writer(conninfo)
        writer.start()
        env = cluster.app_env(database_url)
        load = subprocess.run(  # noqa: S603
            cluster.load_command(load_options(args, kill_script)),
            cwd=cluster.ROOT, env=env, text=True, capture_output=True, check=False,
        )  # fmt: skip
        writer.stop_event.set()
        writer.join(timeout=10)
        killed_at = float(marker.read_text()) if marker.exists() else 0.0
        # The marker is written just before the SIGKILL: writes resume with the first success
        # after the first failure that followed it.
        first_failure = next((t for t, _ in writer.errors if t >= killed_at), None)
        resumed = next((t for t in writer.successes if first_failure and t > first_failure), None)
        writer_errors = [e for e in writer.errors if e[0] >= killed_at]
        downtime = (resumed - killed_at) if resumed and killed_at else float("inf")
        print(f"4/6 after the kill ({time.strftime('%H:%M:%S', time.localtime(killed_at))})")
        new_leader = second.role()
        print(f"    {second.name}: {new_leader}; writes resumed after {downtime:.1f} s; "
              f"writer errors meanwhile: {len(writer_errors)}"
              + (f" (first: {writer_errors[0][1]!r})" if writer_errors else ""))  # fmt: skip
        checks.append(
            (
                "writes resume",
                downtime <= TARGET_SECONDS,
                f"{downtime:.1f} s (target ≤ {TARGET_SECONDS} s)",
            )
        )

        summary = load_summary(load.stdout)
        if not summary["requests"]:  # the load never ran: say why
            print("    load exited with", load.returncode)
            print("\n".join((load.stdout + load.stderr).splitlines()[-25:]))
        late = errors_after(summary["workdir"], (resumed or killed_at) + 10)
        for line in load.stdout.splitlines():
            if line.startswith(("All requests", "participants:action_create (post)", "Restart")):
                print("    load: " + line)
        checks.append(
            (
                "user errors only during the switch",
                late == 0,
                f"{summary['errors']} errors out of {summary['requests']} requests, "
                f"{late} later than 10 s after writes resumed",
            )
        )

        print("5/6 acknowledged writes against the new primary")
        with psycopg.connect(conninfo, autocommit=True) as conn:
            present = {n for (n,) in conn.execute("SELECT n FROM drill_acknowledged").fetchall()}
            actions_after = conn.execute(
                "SELECT count(*) FROM participants_accompanimentaction WHERE note = %s",
                [LOAD_NOTE],
            ).fetchone()[0]
            serving = conn.execute("SELECT inet_server_port()").fetchone()[0]
        lost = [n for n in writer.acknowledged if n not in present]
        actions = actions_after - actions_before
        checks.append(
            (
                "0 acknowledged writes lost",
                not lost and actions >= summary["posts_ok"],
                f"writer: {len(writer.acknowledged)} acknowledged, {len(lost)} missing on the "
                f"new primary (port {serving}); load test: {summary['posts_ok']} action posts "
                f"acknowledged, {actions} new action rows",
            )
        )

        print(f"6/6 {first.name} restarted: rewinds and rejoins")
        rejoin_started = time.monotonic()
        first.start()
        joined = wait_for(
            lambda: second.node.value(
                "SELECT state || '/' || sync_state FROM pg_stat_replication "
                "WHERE application_name = %s",
                [first.name],
            ),
            120,
        )
        rejoin = time.monotonic() - rejoin_started
        patroni_log = first.log.read_text() if first.log.exists() else ""
        rewind_lines = [line for line in patroni_log.splitlines() if "rewind" in line.lower()]
        for line in rewind_lines[:4]:
            print(f"    {first.name} Patroni: {line.strip()[:160]}")
        rewound = any("pg_rewind" in line for line in rewind_lines)
        print(f"    {first.name}: {first.role()}, replication {joined} after {rejoin:.0f} s")
        checks.append(
            (
                "old primary rejoins",
                bool(joined) and joined.startswith("streaming"),
                f"{first.name} streaming from {second.name} ({joined}) {rejoin:.0f} s after "
                f"its restart; pg_rewind ran: {'yes' if rewound else 'no (not needed)'}",
            )
        )
    except Exception as error:  # noqa: BLE001 — reported as a failed drill
        import traceback

        traceback.print_exc()
        checks.append(("drill ran to the end", False, repr(error)))
    finally:
        for node in nodes.values():
            node.stop()
        cluster.cleanup(folder, [], processes)
    for name, ok, detail in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}")
    failed = [name for name, ok, _ in checks if not ok]
    return cluster.verdict(
        not failed,
        "; ".join(detail for _, _, detail in checks[:3]) if not failed else f"failed: {failed}",
    )


def kill_node(folder: Path, name: str) -> None:
    """Called by the load test half-way (its --stop-command): SIGKILL the node."""
    pids = json.loads((folder / "pids.json").read_text())
    for pid in [*_descendants(pids[name]), pids[name], pids["postmaster"]]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--kill-node":
        kill_node(Path(sys.argv[2]), sys.argv[3])
        sys.exit(0)
    sys.exit(main())
