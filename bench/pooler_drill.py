"""`make pooler-drill`: `make load` through PgBouncer in transaction mode.

Starts a PostgreSQL node on loopback with the `small` generated dataset, PgBouncer
(transaction mode, 4 server connections for 4 gunicorn workers) in front of it, sets the
statement and lock timeouts on the login role (PgBouncer refuses the `options` startup
parameter), and runs bench/load.py with DATABASE_URL on PgBouncer and
DATABASE_POOLER=transaction. It passes when the load holds its budget (p95 ≤ 300 ms,
0 errors) and PostgreSQL saw no more client backends than the pool. The row-level security side (two
structures on one server connection) is `tests/tenancy/test_pooler.py`, in `make test`.

With --compare (the default) the same load runs first on a direct connection, so the two
p95 are measured on the machine as it is at that moment. Bounded (about 6 minutes),
loopback only; removes its servers and folder.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

from bench import cluster


def load_options(args) -> list[str]:
    # The drill's database is throw-away: the load runs on it, not on a copy.
    return ["--users", str(args.users), "--time", str(args.time), "--in-place"]


def run_load(env: dict, args) -> tuple[int, int, int, str]:
    """bench.load's p95, errors and requests (and its output) for this environment."""
    load = subprocess.run(  # noqa: S603
        cluster.load_command(load_options(args)),
        cwd=cluster.ROOT, env=env, text=True, capture_output=True, check=False,
    )  # fmt: skip
    found = re.search(r"p95 (\d+) ms.*?(\d+) errors out of (\d+)", load.stdout)
    if not found:
        return -1, -1, 0, load.stdout + load.stderr[-3000:]
    p95, errors, requests = (int(g) for g in found.groups())
    return p95, errors, requests, load.stdout


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=120, help="Seconds of load.")
    # As many server connections as gunicorn workers (4): a request holds one for its whole
    # transaction (the row-level security middleware opens it around the view and its
    # templates), so fewer make requests queue — 2 gave p95 6.7 s against 1.8 s direct.
    parser.add_argument("--pool-size", type=int, default=4)
    parser.add_argument("--scale", default="small")
    parser.add_argument(
        "--compare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Run the same load on a direct connection first (the machine's baseline).",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    folder = cluster.workspace("sillon-pooler-")
    node = cluster.Node(folder, "primary")
    bouncer = cluster.PgBouncer(folder, node, pool_size=args.pool_size)
    processes = []
    try:
        node.initdb()
        node.start()
        node.query("CREATE DATABASE sillon")
        seconds = cluster.load_dataset(node.url(), scale=args.scale)
        print(f"1/3 PostgreSQL on 127.0.0.1:{node.port}, dataset `{args.scale}` in {seconds:.0f} s")
        # What DB_STATEMENT_TIMEOUT_MS / DB_LOCK_TIMEOUT_MS give a direct connection.
        node.query("ALTER ROLE postgres SET statement_timeout = '10s'")
        node.query("ALTER ROLE postgres SET lock_timeout = '5s'")
        processes.append(bouncer.start())
        print(f"2/3 PgBouncer on 127.0.0.1:{bouncer.port}, pool_mode=transaction, "
              f"default_pool_size={args.pool_size}")  # fmt: skip
        direct = None
        if args.compare:
            print(f"    the same load on a direct connection first ({args.time} s), to compare "
                  "on this machine as it is now")  # fmt: skip
            direct = run_load(cluster.app_env(node.url()), args)
            print(f"    direct: p95 {direct[0]} ms, {direct[1]} errors out of {direct[2]}")
        print(f"3/3 bench.load through PgBouncer: {args.users} users, {args.time} s")
        p95, errors, requests, output = run_load(
            cluster.app_env(bouncer.url(), DATABASE_POOLER="transaction"), args
        )
        print(output[-4000:])
        servers = node.value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'sillon' "
            "AND backend_type = 'client backend'"
        )
        ok = p95 <= 300 and errors == 0 and requests > 0 and servers <= args.pool_size
        compared = f"; direct connection p95 {direct[0]} ms, {direct[1]} errors" if direct else ""
        return cluster.verdict(
            ok,
            f"through PgBouncer (transaction mode): p95 {p95} ms (budget ≤ 300), {errors} errors "
            f"out of {requests} requests; {servers} server connections at the end "
            f"(pool {args.pool_size}, 4 gunicorn workers){compared}",
        )
    finally:
        cluster.cleanup(folder, [node], processes)


if __name__ == "__main__":
    sys.exit(main())
