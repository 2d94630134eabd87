"""`make restart-drill`: quality.md R6 on a private PostgreSQL, so nobody else is disturbed.

Starts a throw-away PostgreSQL (pgserver, in a temporary folder), migrates it, generates the
`small` dataset, starts the background worker exactly as `make run` does
(`scripts/worker.sh`: `db_worker --no-reload` under its restart loop), then runs `make
load`'s scenario (bench/load.py) with 50 users and stops that PostgreSQL half-way
(`pg_ctl stop -m fast`, 5 s down, `pg_ctl start`). It passes when:

- errors stop within 10 s of the database accepting connections again, without restarting
  the application;
- a funder's PDF whose rendering the stop cuts and one asked during the outage are both
  rendered and downloaded, with no process restarted by hand (a rendering cut mid-way is
  retried from its stalled page, `REPORT_STALLED_AFTER_MINUTES=1` here);
- no log line of the run (gunicorn's, the worker's, PostgreSQL's) holds the canary sent in
  query strings.

It prints how many times the worker's process was started again by its loop (0 expected:
it waits for its database) and the load average. The server, the worker and the folder are
removed at the end.
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

from bench.cluster import load_command

ROOT = Path(__file__).resolve().parent.parent


def as_server_user(command: str, data: Path) -> str:
    """pgserver runs PostgreSQL as the data folder's owner when started by root."""
    if os.geteuid() != 0:
        return command
    import pwd

    owner = pwd.getpwuid(data.stat().st_uid).pw_name
    return f"su -s /bin/sh {owner} -c {shlex.quote(command)}"


def stop_worker(worker: subprocess.Popen | None) -> None:
    """TERM to the restart loop, which stops the worker (scripts/worker.sh) and ends."""
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=60)
    parser.add_argument("--down", type=int, default=5, help="Seconds the database stays down.")
    return parser


def load_options(args, *, stop: str, start: str, logs: list[Path]) -> list[str]:
    options = [
        "--users", str(args.users), "--time", str(args.time), "--workers", "3",
        "--stop-command", stop, "--start-command", start, "--down", str(args.down),
        # The worker reads this very database: the load runs on it, not on a copy.
        "--pdf-during-outage", "--in-place",
    ]  # fmt: skip
    for log in logs:
        options += ["--scan-log", str(log)]
    return options


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="sillon-r6-"))
    folder.chmod(0o755)  # the server's own user must reach its data folder
    data = folder / "pgdata"
    worker = None
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
        env["REPORT_STALLED_AFTER_MINUTES"] = "1"
        worker_log = folder / "worker.log"
        worker = subprocess.Popen(  # noqa: S603 (our own script)
            [str(ROOT / "scripts/worker.sh")], cwd=ROOT, env=env,
            stdout=open(worker_log, "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip
        result = subprocess.run(  # noqa: S603
            load_command(
                load_options(
                    args,
                    stop=stop,
                    start=start,
                    logs=[worker_log, data / "log", data / "restart.log"],
                )
            ),
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        alive = worker.poll() is None
        stop_worker(worker)
        text = worker_log.read_text(errors="replace")
        restarts = text.count("db_worker ended")
        print(
            f"Worker: {'still running' if alive else 'GONE'} at the end; started again by its "
            f"loop {restarts} time(s); waited for the database "
            f"{text.count('worker.database_lost')} time(s), back "
            f"{text.count('worker.database_back')} time(s)"
        )
        print(f"Load average: {Path('/proc/loadavg').read_text().strip()}")
        kept = Path(tempfile.mkdtemp(prefix="sillon-r6-logs-"))
        for log in (worker_log, data / "log", data / "restart.log"):
            if log.exists():
                shutil.copy(log, kept / f"{log.parent.name}-{log.name}")
        print(f"Worker and PostgreSQL logs: {kept}")
        ok = result.returncode == 0 and alive
        print(f"DRILL: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        stop_worker(worker)
        subprocess.run(  # noqa: S602 (our own command line)
            as_server_user(f"{bin_dir / 'pg_ctl'} -D {data} -m fast -w stop", data),
            shell=True,
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
