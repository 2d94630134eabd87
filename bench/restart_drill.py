"""`make restart-drill`: quality.md R6 on a private PostgreSQL, so nobody else is disturbed.

Starts a throw-away PostgreSQL (pgserver, in a temporary folder), migrates it, generates the
`small` dataset, then runs `make load`'s scenario (bench/load.py) with 50 users and restarts
that PostgreSQL half-way (`pg_ctl stop -m fast`, 5 s down, `pg_ctl start`). It passes when
errors stop within 10 s of the database accepting connections again, without restarting the
application. The server and its folder are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def as_server_user(command: str, data: Path) -> str:
    """pgserver runs PostgreSQL as the data folder's owner when started by root."""
    if os.geteuid() != 0:
        return command
    import pwd

    owner = pwd.getpwuid(data.stat().st_uid).pw_name
    return f"su -s /bin/sh {owner} -c {shlex.quote(command)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=60)
    parser.add_argument("--down", type=int, default=5, help="Seconds the database stays down.")
    args = parser.parse_args(argv)
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="sillon-r6-"))
    folder.chmod(0o755)  # the server's own user must reach its data folder
    data = folder / "pgdata"
    bin_dir = Path(pgserver.__file__).parent / "pginstall" / "bin"
    try:
        server = pgserver.get_server(str(data), cleanup_mode=None)
        server.psql("CREATE DATABASE r6;")
        socket_dir = server.get_uri().split("host=", 1)[1]
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@{quote(socket_dir, safe='')}/r6")
        python = str(ROOT / ".venv/bin/python")
        for command in (
            [python, "manage.py", "migrate", "-v0"],
            [python, "manage.py", "generate_dataset", "--scale", "small", "--seed", "6",
             "--no-progress"],
        ):  # fmt: skip
            subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603
        pg_ctl = bin_dir / "pg_ctl"
        stop = as_server_user(f"{pg_ctl} -D {data} -m fast -w stop", data)
        start = as_server_user(
            f"{pg_ctl} -D {data} -w -l {data}/restart.log start -o '-h \"\" -k {socket_dir}'",
            data,
        )
        script = folder / "restart.sh"
        script.write_text(f"#!/bin/sh\n{stop}\nsleep {args.down}\n{start}\n")
        script.chmod(0o755)
        result = subprocess.run(  # noqa: S603
            [python, "-m", "bench.load", "--users", str(args.users), "--time", str(args.time),
             "--workers", "3", "--restart-command", str(script)],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        return result.returncode
    finally:
        subprocess.run(  # noqa: S602 (our own command line)
            as_server_user(f"{bin_dir / 'pg_ctl'} -D {data} -m fast -w stop", data),
            shell=True,
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
