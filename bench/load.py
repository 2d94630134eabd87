"""`make load`: 50 users of bench/locustfile.py against gunicorn and PostgreSQL on loopback.

1. Writes a plan of verified sessions of generated accounts (caseworkers of the largest
   structures with some of their open files, coordinators of régions and the national one,
   funders with a deployment) to a temporary file.
2. Starts gunicorn on 127.0.0.1 (a free port from 8100 up; never 8000), waits for /readyz.
3. Runs locust headless for a bounded time, then prints p50/p95/p99 and errors per page and
   in total against the budget (p95 ≤ 300 ms, 0 errors), and the workers' RSS (≤ 250 MB).
4. With `--stop-command CMD --start-command CMD` it stops PostgreSQL half-way through,
   starts it again `--down` seconds later and checks quality.md R6: errors only while the
   database is down, none from 10 s after it accepts connections again, and no application
   restart. With `--pdf-during-outage` (the restart drill, which runs the background worker)
   a funder also asks for a PDF just before the stop and again during the outage, and both
   must be rendered without a hand restart (bench/outage.py).
5. The run writes (actions logged, PDFs asked, access logs, sessions): it runs against a
   copy of the database (`CREATE DATABASE … TEMPLATE`, dropped at the end), so the dataset
   is left as it was found and the next `make bench` measures the same rows. `--in-place`
   runs against the database itself (the restart drill, whose worker reads it).
6. Canaries (docs/security.md §3, S22): some requests carry a word of this run in their
   query string (a search, a 404, a 403); at the end every log line of the run (gunicorn's
   error and access logs, and `--scan-log` files: the worker's, PostgreSQL's) is searched
   for it, and the run fails if one holds it.

Usage: `make load` (the database named by SILLON_DB_NAME, default `bench`), or
`SILLON_DB_NAME=bench scripts/with-db.sh .venv/bin/python -m bench.load --users 50 --time 120`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The same production-like behaviour as bench/run.py: no DEBUG, second factor required.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DEBUG": "false",
    "OTP_REQUIRED_ROLES": "MANAGER,COORDINATOR,FUNDER,ADMIN",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
}
P95_BUDGET_MS = 300
RSS_BUDGET_MB = 250


def build_plan(path: Path) -> dict:
    os.environ.update({k: v for k, v in SERVER_ENV.items() if k not in os.environ})
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.urls import reverse

    from bench.sessions import verified_session_key
    from participants.models import Parcours, Participant
    from programmes.models import Deployment
    from sites.models import Membership, Territory

    rng = random.Random(1)
    region = (
        Territory.objects.filter(parent__isnull=True, slug__regex=r"^g[0-9]+(r[0-9]+)?-r[0-9]+$")
        .order_by("slug")
        .first()
    )
    if region is None:
        sys.exit("No generated dataset here: run `make dataset` first.")
    tag = region.slug.rsplit("-", 1)[0]
    biggest = (
        Participant.objects.filter(structure__slug__startswith=f"{tag}-")
        .values("structure_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    caseworkers = []
    for row in biggest:
        open_files = list(
            Parcours.objects.filter(
                structure_id=row["structure_id"], status="EN_COURS"
            ).values_list("pk", "participant_id", "participant__last_name")[:200]
        )
        user = (
            Membership.objects.filter(structure_id=row["structure_id"], role="CASEWORKER")
            .first()
            .user
        )
        # The weekly hours grid of the work site with the most open parcours, a recent week.
        site_id = (
            Parcours.objects.filter(structure_id=row["structure_id"], status="EN_COURS")
            .values("work_site_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("work_site_id", flat=True)
            .first()
        )
        caseworkers.append(
            {
                "cookie": verified_session_key(user),
                "hours": reverse(
                    "participants:hours_grid", kwargs={"site_pk": site_id, "year": 2026, "week": 24}
                )
                if site_id
                else "",
                "participants": [
                    {"id": pid, "parcours": parcours, "search": name[:4]}
                    for parcours, pid, name in rng.sample(open_files, min(30, len(open_files)))
                ],
            }
        )
    coordinators = []
    for membership in Membership.objects.filter(
        coordination__slug__startswith=f"{tag}-c-"
    ).select_related("coordination")[:4]:
        national = membership.coordination.slug.endswith("-c-nat")
        territory = (
            region
            if national
            else Territory.objects.get(slug=f"{tag}-r{membership.coordination.slug[-2:]}")
        )
        # Coordinators mostly open a département of their région.
        child = territory.children.order_by("slug").first() or territory
        coordinators.append(
            {
                "cookie": verified_session_key(membership.user),
                "territory": child.slug,
                "programmes": ["CVG", "PHC", "IAE"],
                "national": national,
            }
        )
    # One funder account for every few funder users, each a different funder: exports and
    # PDFs are limited per person (RATE_LIMITS["export"], 30 in 10 minutes), and at 200 users
    # the 20 funder users shared one account (the national funder of every deployment), which
    # met that limit as 20 people would not.
    funders, used = [], set()
    for deployment in Deployment.objects.filter(
        territory__slug__startswith=f"{tag}-", programme__code="CVG"
    ).order_by("pk"):
        funder = deployment.funders.exclude(pk__in=used).order_by("pk").first()
        member = Membership.objects.filter(funder=funder).first() if funder else None
        if member is None:
            continue
        used.add(funder.pk)
        funders.append({"cookie": verified_session_key(member.user), "deployment": deployment.pk})
        if len(funders) == 20:
            break
    plan = {
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "caseworkers": caseworkers,
        "coordinators": coordinators,
        "funders": funders,
    }
    path.write_text(json.dumps(plan))
    return plan


def scratch_copy(database_url: str) -> tuple[str, Callable[[], None]]:
    """A copy of the database for the run (same server, name + `_load`): its URL and the
    function that drops it. FILE_COPY copies the files instead of writing every page to the
    WAL (seconds rather than minutes for the national dataset)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    source = unquote(parts.path.lstrip("/"))
    copy = f"{source}_load"
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(statement) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
    run(drop)
    started = time.monotonic()
    run(
        sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(copy), sql.Identifier(source)
        )
    )
    print(f"Running against a copy of {source!r} ({copy!r}, {time.monotonic() - started:.0f} s)")
    return urlunsplit(parts._replace(path=f"/{copy}")), lambda: run(drop)


def free_port() -> int:
    for port in range(8100 + random.randint(0, 800), 8999):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as r:  # noqa: S310 (loopback)
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not become ready")


def wait_database(seconds: float) -> float:
    """The time at which the database accepts connections again (polled every 0.2 s)."""
    from django.db import OperationalError, connection

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection.close()
            connection.ensure_connection()
            return time.time()
        except OperationalError:
            time.sleep(0.2)
    raise RuntimeError("the database did not come back")


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def canary_lines(canary: str, logs: list[Path]) -> dict[str, int]:
    """How many lines of each log hold the canary (a log not written counts as empty)."""
    found = {}
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        found[str(log)] = sum(canary in line for line in text.splitlines())
    return found


def report_canaries(prefix: Path, canary: str, logs: list[Path]) -> bool:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    sent = {r["Name"]: int(r["Request Count"]) for r in rows if r["Name"].startswith("canary")}
    found = canary_lines(canary, logs)
    print(
        f"Canary {canary}: {sum(sent.values())} requests "
        f"({', '.join(f'{k[8:]} {v}' for k, v in sorted(sent.items())) or 'none'}); "
        f"log lines holding it: {sum(found.values())}"
    )
    for log, count in found.items():
        print(f"  {count:>4}  {log}")
    kinds = {"canary: search", "canary: 404", "canary: 403"}
    if not kinds <= sent.keys():
        print(f"  not every kind was sent: {', '.join(sorted(kinds - sent.keys()))} missing")
    return kinds <= sent.keys() and not any(found.values())


def report(prefix: Path, restart_at: float | None, ready_again: float | None) -> bool:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    print(f"\n{'Page':<48} {'reqs':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    ok = True
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(
            f"{name[:48]:<48} {row['Request Count']:>6} {row['Failure Count']:>5} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    p95, failures = float(total["95%"]), int(total["Failure Count"])
    verdict_p95 = "OK" if p95 <= P95_BUDGET_MS else "OVER BUDGET"
    print(
        f"\nAll requests: p95 {p95:.0f} ms (budget ≤ {P95_BUDGET_MS} ms: {verdict_p95}), ", end=""
    )
    print(f"{failures} errors out of {total['Request Count']} (budget 0)")
    # With a restart, latency and errors during the outage say nothing: R6 is judged alone.
    ok = restart_at is not None or (p95 <= P95_BUDGET_MS and failures == 0)
    if restart_at is not None:
        late = 0
        history = list(csv.DictReader(open(f"{prefix}_stats_history.csv")))  # noqa: SIM115
        previous = 0
        for row in history:
            if row["Name"] != "Aggregated":
                continue
            failures_so_far = int(row["Total Failure Count"])
            if ready_again is not None and float(row["Timestamp"]) > ready_again + 10:
                late += failures_so_far - previous
            previous = failures_so_far
        print(
            f"Restart (R6): the database accepted connections again "
            f"{(ready_again or 0) - restart_at:.1f} s after the restart began; errors later "
            f"than 10 s after that: {late}"
        )
        ok = late == 0
    return ok


def outage(args, host: str, plan: dict, canary: str, started: float):
    """Stop PostgreSQL, wait `--down` s, start it; with `--pdf-during-outage`, a funder asks
    for a PDF just before the stop and during the outage, and the PDFs are followed until
    rendered (at most 150 s after the database is back). Returns (the moment the stop
    began, the moment the database accepted connections again, the PDFs asked)."""
    from bench import outage as pdfs

    asked, during, client = [], None, None
    if args.pdf_during_outage:
        client = pdfs.FunderClient(host, plan, canary)
        in_flight = pdfs.Asked("PDF asked just before the stop, stopped while rendering")
        if client.ask(in_flight):
            # Stop the database while the worker renders it, if it starts within 10 s.
            pdfs.wait_for(in_flight, "RUNNING", seconds=10)
        during = pdfs.Asked("PDF asked during the outage")
        asked = [in_flight, during]
    restart_at = time.time()
    print(f"Stopping PostgreSQL at +{restart_at - started:.1f} s: {args.stop_command}")
    subprocess.run(args.stop_command, shell=True, check=False)  # noqa: S602
    stop_asking, asker = threading.Event(), None
    if during is not None:
        asker = threading.Thread(
            target=client.ask_until_accepted,
            args=(during, stop_asking, time.time() + args.down + 60),
        )
        asker.start()
    time.sleep(args.down)
    print(f"Starting PostgreSQL: {args.start_command}")
    subprocess.run(args.start_command, shell=True, check=False)  # noqa: S602
    ready_again = wait_database(seconds=120)
    print(f"PostgreSQL accepts connections again at +{ready_again - started:.1f} s")
    if asker is not None:
        asker.join()
        deadline = ready_again + 150
        followers = [
            threading.Thread(target=pdfs.follow, args=(client, one, deadline))
            for one in asked
            if one.uuid
        ]
        for follower in followers:
            follower.start()
        for follower in followers:
            follower.join()
    return restart_at, ready_again, asked


def parser() -> argparse.ArgumentParser:
    """The load's options (the cluster drills check theirs against it, bench/cluster.py)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    # People log in over a minute or so, not all in the same second: 50 users in 25 s.
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--time", type=int, default=180, help="Seconds of load.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
    parser.add_argument("--stop-command", default="", help="Stop PostgreSQL half-way (R6).")
    parser.add_argument("--start-command", default="", help="Start it again (R6).")
    parser.add_argument("--down", type=float, default=5, help="Seconds between stop and start.")
    parser.add_argument(
        "--pdf-during-outage",
        action="store_true",
        help="A funder asks for PDFs around the outage (needs a running worker).",
    )
    parser.add_argument(
        "--scan-log", action="append", default=[], help="Another log to search for the canary."
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="Run against the database itself, not a copy (its rows then change).",
    )
    parser.add_argument(
        "--think",
        default="5,15",
        help="Seconds between a user's clicks, MIN,MAX (stress variant: 1,3).",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if bool(args.stop_command) != bool(args.start_command):
        sys.exit("--stop-command and --start-command go together.")
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set (run through scripts/with-db.sh).")
    drop_copy = None
    if not args.in_place:
        os.environ["DATABASE_URL"], drop_copy = scratch_copy(os.environ["DATABASE_URL"])
    try:
        return _run(args)
    finally:
        if drop_copy is not None:
            from django.db import connections

            connections.close_all()
            drop_copy()


def _run(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="sillon-load-"))
    plan_path = workdir / "plan.json"
    plan = build_plan(plan_path)
    print(f"{args.users} users, think time {args.think.replace(',', '–')} s between clicks")
    print(
        f"Plan: {len(plan['caseworkers'])} caseworkers, {len(plan['coordinators'])} "
        f"coordinators, {len(plan['funders'])} funders"
    )
    canary = f"Zq{secrets.token_hex(5)}canari"
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    media = workdir / "media"
    media.mkdir()
    env = dict(os.environ, **SERVER_ENV, MEDIA_ROOT=str(media))
    gunicorn = subprocess.Popen(  # noqa: S603 (our own arguments)
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--timeout", "60", "--preload", "--access-logfile", "-",
         # docs/deployment.md's format: no request line (a query string holds what people
         # typed), no referrer.
         "--access-logformat", '%(t)s "%(m)s" %(s)s %(b)s %(M)sms'],
        cwd=ROOT, env=env, stdout=open(workdir / "access.log", "w"),  # noqa: SIM115
        stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    restart_at = ready_again = None
    try:
        wait_ready(host)
        prefix = workdir / "load"
        locust = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"),
             "--headless", "-u", str(args.users), "-r", str(args.spawn_rate),
             "-t", f"{args.time}s", "--host", host, "--csv", str(prefix), "--csv-full-history",
             "--only-summary", "--stop-timeout", "10"],
            cwd=ROOT, env=dict(os.environ, SILLON_LOAD_PLAN=str(plan_path),
                               SILLON_LOAD_THINK=args.think, SILLON_LOAD_CANARY=canary),
            stdout=open(workdir / "locust.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip
        started = time.time()
        asked = []
        if args.stop_command:
            time.sleep(args.time / 2)
            restart_at, ready_again, asked = outage(args, host, plan, canary, started)
        locust.wait()
        workers = children(gunicorn.pid)
        rss = [rss_mb(pid) for pid in workers]
        ok = report(prefix, restart_at, ready_again)
        if asked:
            from bench import outage as pdfs

            print("\nFunder PDFs around the outage (no process restarted by hand):")
            for one in asked:
                print(pdfs.describe(one, ready_again))
            ok = ok and all(one.pdf_ok for one in asked)
        logs = [workdir / "gunicorn.log", workdir / "access.log", *map(Path, args.scan_log)]
        ok = report_canaries(prefix, canary, logs) and ok
        print(f"Load average at the end: {Path('/proc/loadavg').read_text().strip()}")
        if rss:
            worst = max(rss)
            print(
                f"Worker RSS after the run: {', '.join(f'{r:.0f}' for r in rss)} MB "
                f"(budget ≤ {RSS_BUDGET_MB} MB: {'OK' if worst <= RSS_BUDGET_MB else 'OVER'})"
            )
            ok = ok and worst <= RSS_BUDGET_MB
        print(f"Logs and CSV: {workdir}")
        print(f"RESULT: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()


if __name__ == "__main__":
    sys.exit(main())
