"""`make backup-drill`: dump, restore into a scratch database, and prove the copy is whole.

quality.md R4: `pg_dump -Fc` of the database, `pg_restore` into a scratch database (exit 0),
every table's row count equal to the manifest written at dump time (100% of tables), and
`manage.py migrate --check` clean against the restored copy. The scratch database is
dropped at the end unless --keep. Exit status 0 only when everything matches.

The PostgreSQL client programs come from PATH, else from the pgserver wheel (the project's
local PostgreSQL), so the drill runs the same on a laptop and on a server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def pg_bin(name: str) -> str:
    """A PostgreSQL client program matching the server: pgserver's, else PATH's."""
    try:
        import pgserver

        candidate = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: install the PostgreSQL client programs.")
    return found


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def libpq_url(url: str) -> str:
    """django-environ URLs carry a percent-encoded socket directory as the host; libpq wants
    it as a `host` parameter."""
    parts = urlsplit(url)
    host = unquote(parts.hostname or "") if parts.hostname else ""
    if host.startswith("/") or "%2f" in (parts.netloc or "").lower():
        socket_dir = unquote(parts.netloc.rsplit("@", 1)[-1])
        user = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
        query = f"host={quote(socket_dir)}"
        return urlunsplit(("postgresql", f"{user}@" if user else "", parts.path, query, ""))
    return url.replace("postgres://", "postgresql://", 1)


def psql(url: str, sql: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own arguments)
        [pg_bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", libpq_url(url)],
        input=sql,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


COUNT_SQL = """
SELECT format('SELECT %L AS t, count(*) AS n FROM %I.%I', schemaname || '.' || tablename,
              schemaname, tablename)
FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
ORDER BY schemaname, tablename
"""


def row_counts(url: str) -> dict[str, int]:
    """Exact row count of every table (count(*), not statistics)."""
    statements = [s for s in psql(url, COUNT_SQL).splitlines() if s.strip()]
    if not statements:
        return {}
    union = "\nUNION ALL\n".join(statements)
    # A superuser connection: row-level security does not hide rows from the drill.
    out = psql(url, f"SELECT json_object_agg(t, n) FROM ({union}) counts;")  # noqa: S608 (%I-quoted names)
    return {k: int(v) for k, v in json.loads(out.strip() or "{}").items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--scratch", default="sillon_restore_drill")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database.")
    parser.add_argument("--dump-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("DATABASE_URL is not set (run through scripts/with-db.sh).")
    source = args.database_url
    source_name = urlsplit(source).path.lstrip("/")
    if args.scratch == source_name:
        sys.exit("The scratch database must differ from the source.")
    scratch = with_database(source, args.scratch)
    admin = with_database(source, "postgres")
    dump_dir = args.dump_dir or Path(tempfile.mkdtemp(prefix="sillon-drill-"))
    dump_dir.mkdir(parents=True, exist_ok=True)
    dump = dump_dir / f"{source_name}.dump"
    manifest_path = dump_dir / f"{source_name}.manifest.json"

    print(f"1/4 pg_dump -Fc {source_name} → {dump}")
    started = time.monotonic()
    # The manifest is taken in the same snapshot as the dump would be ideal; on a quiet
    # database (a drill, or a backup window) counting just before is equivalent.
    manifest = row_counts(source)
    subprocess.run(  # noqa: S603
        [pg_bin("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), "-d", libpq_url(source)],
        check=True,
    )
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    dump_seconds = time.monotonic() - started
    size_mb = dump.stat().st_size / 1e6
    print(f"    {len(manifest)} tables, {sum(manifest.values()):,} rows, {size_mb:,.1f} MB, "
          f"{dump_seconds:.1f} s")  # fmt: skip

    print(f"2/4 pg_restore into scratch database {args.scratch}")
    started = time.monotonic()
    psql(admin, f'DROP DATABASE IF EXISTS "{args.scratch}";')
    psql(admin, f'CREATE DATABASE "{args.scratch}";')
    restore = subprocess.run(  # noqa: S603
        [pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "-j", "2", "-d",
         libpq_url(scratch), str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    restore_seconds = time.monotonic() - started
    print(f"    pg_restore exit {restore.returncode}, {restore_seconds:.1f} s")
    if restore.returncode != 0:
        print(restore.stderr[-2000:])

    print("3/4 row counts, table by table")
    restored = row_counts(scratch)
    mismatches = {t: (n, restored.get(t)) for t, n in manifest.items() if restored.get(t) != n} | {
        t: (None, n) for t, n in restored.items() if t not in manifest
    }
    equal = len(manifest) - len([t for t in mismatches if t in manifest])
    print(f"    {equal}/{len(manifest)} tables equal ({100 * equal / max(len(manifest), 1):.0f}%)")
    for table, (expected, found) in sorted(mismatches.items()):
        print(f"    MISMATCH {table}: dump {expected}, restored {found}")

    print("4/4 manage.py migrate --check against the restored copy")
    env = dict(os.environ, DATABASE_URL=scratch)
    check = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"    migrate --check exit {check.returncode}")
    if check.returncode != 0:
        print(check.stdout[-2000:], check.stderr[-2000:])

    if not args.keep:
        psql(admin, f'DROP DATABASE IF EXISTS "{args.scratch}";')
        shutil.rmtree(dump_dir, ignore_errors=True) if args.dump_dir is None else None
    ok = restore.returncode == 0 and not mismatches and check.returncode == 0
    print(
        f"RESULT: {'PASS' if ok else 'FAIL'} — restore exit {restore.returncode}, "
        f"{equal}/{len(manifest)} tables with equal row counts, migrate --check exit "
        f"{check.returncode}; dump {dump_seconds:.1f} s, restore (RTO part) "
        f"{restore_seconds:.1f} s."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
