"""`make pitr-drill`: undo a wrong delete by point-in-time recovery (WAL archive + base backup).

1. A PostgreSQL node on loopback with WAL archiving (`archive_mode = on`, `archive_command`
   copying each segment to an archive folder, as a copy to another disk would), loaded with
   a generated dataset (`small` by default; `--scale regional|national`), or with a copy of
   a running server's database (`--from-url`, e.g. the national dataset `make dataset`
   made: a base backup of that server, which is only read).
2. A base backup (`pg_basebackup -X stream`), then writes: a ticker commits a timestamped
   row every 100 ms for the whole drill, and other structures' files change.
3. The target: every row of one structure in every structure-owned table is fingerprinted
   (count and md5 per table), the server's clock is read (the timestamp to return to), and
   a second later the structure's participants are deleted by mistake through the ORM
   (Django's cascade removes their parcours, actions, contracts, hours …).
4. The archive catches up (`pg_switch_wal`), then the base backup is restored into a scratch
   cluster with `recovery_target_time` = the timestamp and `restore_command` reading the
   archive, and promoted.
5. Compared: the structure's rows in the scratch cluster against the fingerprint (100% of
   tables equal), RPO (the target time minus the last ticker row recovered), the restore time
   (copy + WAL replay + promotion).

Bounded (about 2 minutes on `small`), loopback only; removes its servers and folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from urllib.parse import urlsplit

from bench import cluster

DELETE_SCRIPT = """
from participants.models import Participant
deleted, per_model = Participant.objects.filter(structure_id={structure}).delete()
print(deleted)
"""

TABLES_SQL = """
SELECT c.table_name FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE c.table_schema = 'public' AND c.column_name = 'structure_id'
  AND t.table_type = 'BASE TABLE'
ORDER BY 1
"""


def fingerprint(node: cluster.Node, structure: int) -> dict[str, tuple[int, str]]:
    """Per structure-owned table: the structure's row count and the md5 of its rows."""
    result = {}
    with node.connect("sillon") as conn:
        tables = [name for (name,) in conn.execute(TABLES_SQL).fetchall()]
        for table in tables:
            count, digest = conn.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "  # noqa: S608
                f'FROM "{table}" t WHERE structure_id = %s',
                [structure],
            ).fetchone()
            result[table] = (count, digest)
    return result


class Ticker(threading.Thread):
    """Commits a timestamped row every 100 ms: the last one recovered measures the RPO."""

    def __init__(self, node: cluster.Node):
        super().__init__(daemon=True)
        self.node = node
        self.stop_event = threading.Event()
        self.count = 0

    def run(self) -> None:
        with self.node.connect("sillon") as conn:
            while not self.stop_event.is_set():
                conn.execute("INSERT INTO drill_ticks (at) VALUES (clock_timestamp())")
                self.count += 1
                self.stop_event.wait(0.1)


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 — one linear drill
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument(
        "--from-url",
        help="the database of a running server to drill on (copied, never written), "
        "instead of generating a dataset",
    )
    args = parser.parse_args(argv)
    folder = cluster.workspace("sillon-pitr-")
    archive = folder / "archive"
    base = folder / "base"
    archive.mkdir()
    cluster.give_to_server_user(archive)
    primary = cluster.Node(folder, "primary")
    scratch = cluster.Node(folder, "scratch")
    checks: list[tuple[str, bool, str]] = []
    try:
        archiving = {
            "archive_mode": "on",
            "archive_command": f"'test ! -f {archive}/%f && cp %p {archive}/%f'",
        }
        started = time.monotonic()
        if args.from_url:
            dataset = f"copy of {urlsplit(args.from_url).path.lstrip('/')}"
            primary.copy_of(args.from_url)
            primary.configure(**archiving)
            primary.start(timeout=600)
            source_db = urlsplit(args.from_url).path.lstrip("/")
            primary.query("DROP DATABASE IF EXISTS sillon")
            primary.query(f'ALTER DATABASE "{source_db}" RENAME TO sillon')
        else:
            dataset = f"`{args.scale}`"
            primary.initdb(**archiving)
            primary.start()
            primary.query("CREATE DATABASE sillon")
            cluster.load_dataset(primary.url(), scale=args.scale)
        seconds = time.monotonic() - started
        participants = primary.value("SELECT count(*) FROM participants_participant", db="sillon")
        db_size = primary.value("SELECT pg_size_pretty(pg_database_size('sillon'))")
        print(f"1/5 primary on 127.0.0.1:{primary.port}, WAL archived to {archive}; "
              f"dataset {dataset} ({participants:,} participants, {db_size}) "
              f"in {seconds:.0f} s")  # fmt: skip
        primary.query("CREATE TABLE drill_ticks (at timestamptz NOT NULL)", db="sillon")

        started = time.monotonic()
        cluster.run(
            [str(cluster.bin_dir() / "pg_basebackup"), "-h", "127.0.0.1", "-p",
             str(primary.port), "-U", "postgres", "-D", str(base), "-X", "stream", "-c", "fast"],
            server=True,
        )  # fmt: skip
        backup_seconds = time.monotonic() - started
        print(f"2/5 base backup in {backup_seconds:.1f} s; writes go on (ticker every 100 ms)")
        ticker = Ticker(primary)
        ticker.start()
        structure, size = primary.query(
            "SELECT structure_id, count(*) FROM participants_participant GROUP BY 1 "
            "ORDER BY 2 DESC, 1 LIMIT 1",
            db="sillon",
        )[0]
        # Other structures' files change after the backup: replayed from the archive (a
        # bounded sample, so that the national dataset's 300,000 files are not all rewritten).
        primary.query(
            "UPDATE participants_participant SET first_name = first_name WHERE id IN "
            "(SELECT id FROM participants_participant WHERE structure_id <> %s "
            "ORDER BY id LIMIT 5000)",
            [structure],
            db="sillon",
        )
        time.sleep(2)

        before = fingerprint(primary, structure)
        target = primary.value("SELECT clock_timestamp()")
        print(f"3/5 target {target.isoformat()}: structure {structure}, {size} participants, "
              f"{sum(n for n, _ in before.values()):,} rows in {len(before)} tables")  # fmt: skip
        time.sleep(1)
        deletion = cluster.manage(
            "shell", "-c", DELETE_SCRIPT.format(structure=int(structure)),
            env=cluster.app_env(primary.url()),
        )  # fmt: skip
        deleted_at = primary.value("SELECT clock_timestamp()")
        left = primary.value(
            "SELECT count(*) FROM participants_participant WHERE structure_id = %s",
            [structure],
            db="sillon",
        )
        deleted = (deletion.stdout.strip().splitlines() or ["?"])[-1]
        print(f"    deleted by mistake at {deleted_at.isoformat()}: "
              f"{deleted} rows (cascade), {left} participants left")  # fmt: skip
        time.sleep(2)
        ticker.stop_event.set()
        ticker.join()
        segment = primary.value("SELECT pg_walfile_name(pg_current_wal_lsn())")
        primary.query("SELECT pg_switch_wal()")
        archived = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            archived, failed = primary.query(
                "SELECT last_archived_wal, failed_count FROM pg_stat_archiver"
            )[0]
            if archived and archived >= segment:
                break
            time.sleep(0.5)
        print(f"4/5 archive caught up to {archived} (failures: {failed}); restoring to "
              f"{target.isoformat()} into a scratch cluster")  # fmt: skip

        started = time.monotonic()
        shutil.copytree(base, scratch.data)
        for path in [scratch.data, *scratch.data.rglob("*")]:
            cluster.give_to_server_user(path)
        scratch.data.chmod(0o700)
        (scratch.data / "recovery.signal").touch()
        cluster.give_to_server_user(scratch.data / "recovery.signal")
        scratch.configure(
            archive_mode="off",
            restore_command=f"'cp {archive}/%f %p'",
            recovery_target_time=f"'{target.isoformat()}'",
            recovery_target_action="'promote'",
        )
        scratch.start(timeout=600)
        deadline = time.monotonic() + 600
        while scratch.value("SELECT pg_is_in_recovery()"):
            if time.monotonic() > deadline:
                raise RuntimeError("recovery did not finish")
            time.sleep(0.2)
        restore_seconds = time.monotonic() - started
        after = fingerprint(scratch, structure)
        last_tick = scratch.value("SELECT max(at) FROM drill_ticks", db="sillon")
        ticks_after_target = scratch.value(
            "SELECT count(*) FROM drill_ticks WHERE at > %s", [target], db="sillon"
        )
        rpo = (target - last_tick).total_seconds()
        equal = sum(1 for table in before if after.get(table) == before[table])
        print(f"5/5 restored and promoted in {restore_seconds:.1f} s")
        for table in before:
            if after.get(table) != before[table]:
                print(f"    DIFFERENT {table}: before {before[table][0]} rows, restored "
                      f"{after.get(table, (None,))[0]}")  # fmt: skip
        rows = sum(n for n, _ in before.values())
        checks.append(
            (
                "structure restored",
                equal == len(before) and size > 0 and left == 0,
                f"{equal}/{len(before)} tables equal (100% = {rows:,} rows of structure "
                f"{structure}); deleted on the primary: {left} participants left",
            )
        )
        checks.append(
            (
                "RPO",
                0 <= rpo <= 1 and ticks_after_target == 0,
                f"last recovered write {rpo * 1000:.0f} ms before the target, none after it",
            )
        )
        checks.append(("archive", failed == 0, f"{failed} archive failures"))
        checks.append(
            (
                "restore time",
                True,
                f"{restore_seconds:.1f} s (copy + replay + promote), base backup "
                f"{backup_seconds:.1f} s, dataset {dataset} ({participants:,} participants)",
            )
        )
    except Exception as error:  # noqa: BLE001 — reported as a failed drill
        import traceback

        traceback.print_exc()
        checks.append(("drill ran to the end", False, repr(error)))
    finally:
        cluster.cleanup(folder, [scratch, primary])
    for name, ok, detail in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}")
    failed_checks = [name for name, ok, _ in checks if not ok]
    return cluster.verdict(
        not failed_checks,
        "; ".join(detail for _, _, detail in checks)
        if not failed_checks
        else f"failed: {failed_checks}",
    )


if __name__ == "__main__":
    sys.exit(main())
