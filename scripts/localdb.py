"""Start or stop the project-local PostgreSQL used when DATABASE_URL is unset.

`python scripts/localdb.py start` prints a DATABASE_URL for the `sillon` database of a
server whose data lives under `var/pgdata` (pgserver ships PostgreSQL binaries in its wheel,
so nothing is installed system-wide and it works as root). `stop` shuts it down cleanly.
"""

import os
import shlex
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("SILLON_PGDATA", ROOT / "var" / "pgdata"))
DB_NAME = os.environ.get("SILLON_DB_NAME", "sillon")


def _quiet_platformdirs() -> None:
    # pgserver uses platformdirs, which warns when XDG_RUNTIME_DIR is unset or shared.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(tempfile.gettempdir()) / f"sillon-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    warnings.filterwarnings("ignore", module="platformdirs")


def start() -> str:
    _quiet_platformdirs()
    import pgserver

    DATA.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(DATA), cleanup_mode=None)
    socket_dir = server.get_uri().split("host=", 1)[1]
    # Through psycopg rather than pgserver's psql helper, which runs a shell command.
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if exists.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DB_NAME}"


def stop() -> None:
    _quiet_platformdirs()
    if not (DATA / "postmaster.pid").exists():
        return
    import pgserver

    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    cmd = [str(pg_ctl), "-D", str(DATA), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:
        # pgserver runs the server as an unprivileged user when started as root.
        owner = DATA.stat().st_uid
        import pwd

        cmd = ["su", "-s", "/bin/sh", pwd.getpwuid(owner).pw_name, "-c", shlex.join(cmd)]
    result = subprocess.run(cmd, check=False, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        sys.stderr.write(f"Could not stop the local PostgreSQL: {result.stderr.strip()}\n")


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "start"
    if action == "start":
        print(start())
    elif action == "stop":
        stop()
    else:
        sys.exit("usage: localdb.py start|stop")
