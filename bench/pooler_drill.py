"""`make pooler-drill`: `make load` through PgBouncer in transaction mode.

Starts a PostgreSQL node on loopback with the `small` generated dataset, PgBouncer
(transaction mode, 2 server connections for 4 gunicorn workers) in front of it, sets the
statement and lock timeouts on the login role (PgBouncer refuses the `options` startup
parameter), and runs bench/load.py with DATABASE_URL on PgBouncer and
DATABASE_POOLER=transaction. It passes when the load holds its budget (p95 ≤ 300 ms,
0 errors) and PostgreSQL saw no more client backends than the pool. The row-level security side (two
structures on one server connection) is `tests/tenancy/test_pooler.py`, in `make test`.

Bounded (about 3 minutes), loopback only; removes its servers and folder.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

from bench import cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=120, help="Seconds of load.")
    # Fewer server connections than gunicorn workers (4): clients share them.
    parser.add_argument("--pool-size", type=int, default=2)
    parser.add_argument("--scale", default="small")
    args = parser.parse_args(argv)
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
        env = cluster.app_env(bouncer.url(), DATABASE_POOLER="transaction")
        print(f"3/3 bench.load through PgBouncer: {args.users} users, {args.time} s")
        load = subprocess.run(  # noqa: S603
            [str(cluster.ROOT / ".venv/bin/python"), "-m", "bench.load", "--users",
             str(args.users), "--time", str(args.time)],
            cwd=cluster.ROOT, env=env, text=True, capture_output=True, check=False,
        )  # fmt: skip
        print(load.stdout[-4000:])
        if load.returncode != 0 and "RESULT" not in load.stdout:
            print(load.stderr[-3000:])
        servers = node.value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'sillon' "
            "AND backend_type = 'client backend'"
        )
        found = re.search(r"p95 (\d+) ms.*?(\d+) errors out of (\d+)", load.stdout)
        p95, errors, requests = (int(g) for g in found.groups()) if found else (-1, -1, 0)
        ok = load.returncode == 0 and found is not None and servers <= args.pool_size
        return cluster.verdict(
            ok,
            f"through PgBouncer (transaction mode): p95 {p95} ms (budget ≤ 300), {errors} errors "
            f"out of {requests} requests; {servers} server connections left open "
            f"(pool {args.pool_size}) after {args.users} users on 4 gunicorn workers",
        )
    finally:
        cluster.cleanup(folder, [node], processes)


if __name__ == "__main__":
    sys.exit(main())
