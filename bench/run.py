"""`make bench`: every budget row of quality.md §1, measured on a generated dataset.

Each measurement is a small function returning a `Measure`; a page that does not exist yet
says so ("not available yet") instead of inventing a figure. Server time is the median of
repeated warm runs through Django's test Client (the whole middleware stack: sessions, second
factor, scope, row-level security as the web role), and query counts come from one more run.

Every row states the median and the minimum of its runs and the one-minute load average when
it started and ended. Dashboard rows run the page and hand-written SQL computing every
figure it prints (bench/sql_outcomes.py: the table of bench/sql.py, the follow-up and
orientations, the targets, the trajectory) in turn, interleaved, on a connection that never
prepares statements, for the calendar year and for the periods computed live (quarter,
semester, July-to-June year, free dates); the table-only statement runs in the same loop,
its ratio printed for information.

Usage: `make bench` (the database named by SILLON_DB_NAME, default `bench`: see Makefile), or
`SILLON_DB_NAME=bench scripts/with-db.sh .venv/bin/python -m bench.run [--runs 7] [--only NAME]
[--write docs/performance.md]`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# Production behaviour where it changes timings: no DEBUG, second factor required.
os.environ["DEBUG"] = "false"
os.environ.setdefault("OTP_REQUIRED_ROLES", "MANAGER,COORDINATOR,FUNDER,ADMIN")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.periods import LIVE_PERIODS, YEAR  # noqa: E402
from bench.sessions import login_client  # noqa: E402
from bench.sql import territory_table  # noqa: E402
from bench.sql_outcomes import territory_dashboard  # noqa: E402
from participants import models as pm  # noqa: E402
from programmes.models import CoordinationScope, Deployment, Programme  # noqa: E402
from reporting import audits, services, suppression  # noqa: E402
from reporting.models import PublishedAudit  # noqa: E402
from sites.models import Membership, Structure, Territory, WorkSite  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PERIOD_QUERY = f"du={YEAR[0]:%Y-%m-%d}&au={YEAR[1]:%Y-%m-%d}"


@dataclass
class Measure:
    """One budget row: what was measured, against which budget, and how it went."""

    name: str
    budget: str
    budget_ms: float | None = None
    median_ms: float | None = None
    min_ms: float | None = None
    queries: int | None = None
    # One-minute load average when the row started and when it ended (it averages the last
    # minute, so the second one covers the row's own runs).
    load: tuple[float, float] | None = None
    status: str = ""
    detail: str = ""
    plans: list[tuple[str, str]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.status:
            return self.status
        if self.budget_ms is None or self.median_ms is None:
            return "measured"
        return "OK" if self.median_ms <= self.budget_ms else "OVER BUDGET"

    def timed(self, timing: Timing) -> None:
        self.median_ms, self.min_ms = timing.median, timing.min

    @property
    def load_text(self) -> str:
        return f"{self.load[0]:.1f}–{self.load[1]:.1f}" if self.load else "—"


class NotAvailable(Exception):
    """The page or function measured does not exist (yet) in this checkout."""


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch as exc:
        raise NotAvailable(f"URL {name!r} is not defined") from exc


REQUEST_TIMEOUT = 60  # seconds; a request slower than this is reported, not waited for


class RequestTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise RequestTimeout


def get(client: Client, url: str):
    """One GET, aborted after REQUEST_TIMEOUT seconds (the page is then far over budget)."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(REQUEST_TIMEOUT)
    try:
        # A list may first redirect to the user's remembered filters: follow, as a browser does.
        response = client.get(url, follow=True)
    except RequestTimeout:
        raise RequestTimeout(f"one GET of {url} took more than {REQUEST_TIMEOUT} s") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} → {response.status_code}")
    return response


@dataclass
class Timing:
    """Milliseconds of repeated runs of one thing."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)


def timed_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def time_get(client: Client, url: str, runs: int, warmup: int = 2) -> tuple[Timing, int, list]:
    """(`runs` warm GETs, query count, captured queries of one more run)."""
    for _ in range(warmup):
        get(client, url)
    samples = [timed_ms(lambda: get(client, url)) for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    queries = [q for q in captured.captured_queries if not is_transaction_control(q["sql"])]
    return Timing(samples), len(queries), list(captured.captured_queries)


def time_get_unaudited(client: Client, url: str, runs: int) -> Timing:
    """GETs made after forgetting the small-count audits the process keeps: the first view
    of a dashboard after one of its counts changed."""
    samples = []
    for _ in range(runs):
        suppression.forget_audits()
        samples.append(timed_ms(lambda: get(client, url)))
    return Timing(samples)


# BEGIN / COMMIT and the savepoint of ATOMIC_REQUESTS inside the request's transaction are
# not queries: counted apart (docs/performance.md says so next to the figures).
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def is_transaction_control(sql: str) -> bool:
    return sql.lstrip().upper().startswith(_TRANSACTION_CONTROL)


def load_average() -> float:
    return os.getloadavg()[0]


def guarded(m: Measure, fn: Callable[[], None]) -> Measure:
    """Run one measurement; a missing page, a timeout or an error becomes its verdict. The
    load average is read when the row starts and when it ends."""
    started = load_average()
    try:
        fn()
    except NotAvailable as exc:
        m.status, m.detail = "not available yet", str(exc)
    except RequestTimeout as exc:
        m.status = "OVER BUDGET (aborted)"
        m.detail = "; ".join(filter(None, [m.detail, str(exc)]))
    except Exception as exc:  # report the failure as a figure, never hide it
        first = exc
        while first.__context__ is not None:
            first = first.__context__
        m.status = "ERROR"
        m.detail = "; ".join(
            filter(None, [m.detail, f"{type(first).__name__}: {str(first).strip()[:200]}"])
        )
    m.load = (started, load_average())
    return m


def call_with_deadline(fn: Callable[[], object]):
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(REQUEST_TIMEOUT)
    try:
        return fn()
    except RequestTimeout:
        raise RequestTimeout(f"one call took more than {REQUEST_TIMEOUT} s") from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def time_call(fn: Callable[[], object], runs: int, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        call_with_deadline(fn)
    return Timing([timed_ms(lambda: call_with_deadline(fn)) for _ in range(runs)])


def explain(sql: str, scope_user=None, aggregate: bool = False) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured query, as the web role within the user's
    scope when one is given (row-level security changes plans). Coordinators' aggregates run
    with their territory's structures opened for the query (rls_structures): `aggregate`
    opens every structure the same way, since the captured SQL already filters them."""
    from sites.tenancy import scope_for_user
    from sites.tenancy.rls import set_all_structures, web_role

    with transaction.atomic():
        if scope_user is not None:
            with web_role(scope_for_user(scope_user)), connection.cursor() as cursor:
                if aggregate:
                    set_all_structures()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                rows = cursor.fetchall()
        else:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                rows = cursor.fetchall()
        transaction.set_rollback(True)  # EXPLAIN ANALYZE runs the query: write nothing
    return "\n".join(r[0] for r in rows)


def slowest(captured: list, n: int = 1) -> list[dict]:
    """The slowest statements a page sent: never BEGIN/COMMIT/SAVEPOINT, which a busy
    machine can make "slow" and which EXPLAIN refuses (the file row's former crash)."""
    statements = [q for q in captured if not is_transaction_control(q["sql"])]
    return sorted(statements, key=lambda q: float(q["time"] or 0), reverse=True)[:n]


# --- The dataset ---------------------------------------------------------------------------


@dataclass
class Dataset:
    tag: str
    counts: dict[str, int]
    region: Territory
    departement: Territory
    coordinator: object
    national_coordinator: object
    structure: Structure
    caseworker: object
    participant_id: int


def find_dataset() -> Dataset:
    region = (
        Territory.objects.filter(parent__isnull=True, slug__regex=r"^g[0-9]+(r[0-9]+)?-r[0-9]+$")
        .annotate(n=Count("children"))
        .order_by("-n", "slug")
        .first()
    )
    if region is None:
        sys.exit(
            "No generated dataset here: run `make dataset` (generate_dataset) into this database."
        )
    tag = region.slug.rsplit("-", 1)[0]
    counts = {
        "structures": Structure.objects.filter(slug__startswith=f"{tag}-").count(),
        "territories": Territory.objects.filter(slug__startswith=f"{tag}-").count(),
    }
    with connection.cursor() as cursor:
        for model in (
            pm.Participant,
            pm.Parcours,
            pm.AccompanimentAction,
            pm.WorkedHours,
            pm.SituationSnapshot,
        ):
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608
            counts[model._meta.db_table.removeprefix("participants_")] = cursor.fetchone()[0]
    # The département of the région with the most Convergence parcours (it runs IAE too).
    departement = max(
        region.children.order_by("slug"),
        key=lambda t: pm.Parcours.objects.filter(
            programme__code="CVG",
            structure__slug__startswith=f"{tag}-",
            work_site__commune__parent__parent=t.geo_units.first(),
        ).count(),
    )
    coordination_id = (
        CoordinationScope.objects.filter(territory=region)
        .exclude(coordination__slug__endswith="-c-nat")
        .values_list("coordination_id", flat=True)
        .first()
    )
    coordinator = Membership.objects.filter(coordination_id=coordination_id).first().user
    national = Membership.objects.filter(coordination__slug=f"{tag}-c-nat").first().user
    # The largest structure and, in it, the participant with the longest file.
    structure_id = (
        pm.Participant.objects.filter(structure__slug__startswith=f"{tag}-")
        .values("structure_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["structure_id"]
    )
    structure = Structure.objects.get(pk=structure_id)
    caseworker = Membership.objects.filter(structure=structure, role="CASEWORKER").first().user
    participant_id = (
        pm.Parcours.objects.filter(structure=structure, programme__code="CVG")
        .annotate(n=Count("actions"))
        .order_by("-n")
        .values_list("participant_id", flat=True)
        .first()
    ) or pm.Participant.objects.filter(structure=structure).values_list("pk", flat=True).first()
    return Dataset(
        tag,
        counts,
        region,
        departement,
        coordinator,
        national,
        structure,
        caseworker,
        participant_id,
    )


# --- Measurements --------------------------------------------------------------------------


class Reference:
    """The hand-written SQL (bench/sql.py, bench/sql_outcomes.py) on a connection of its
    own, as the table owner: parameters bound by the server and never prepared
    (`prepare_threshold=None`), so every run is planned for its own values (a custom plan),
    as the page's statements are; a generic plan after a few runs would flatter or spoil
    the ratio. No statement timeout: it is not a web request."""

    def __init__(self):
        import psycopg

        given = connection.get_connection_params()
        kwargs = {
            k: given[k] for k in ("dbname", "user", "password", "host", "port") if given.get(k)
        }
        self.conn = psycopg.connect(**kwargs, autocommit=True, prepare_threshold=None)
        self.conn.execute("SET statement_timeout = 0")

    def table(self, **kwargs) -> dict:
        """The indicator table and the monthly series only (bench.sql)."""
        with self.conn.cursor() as cursor:
            return territory_table(cursor, **kwargs)

    def dashboard(self, **kwargs) -> dict:
        """Every figure the dashboard prints (bench.sql_outcomes): the table, the follow-up
        and orientations, the targets and the trajectory, read on the page's day."""
        with self.conn.cursor() as cursor:
            return territory_dashboard(cursor, today=timezone.localdate(), **kwargs)

    def close(self) -> None:
        self.conn.close()


def interleaved(*fns: Callable[[], object], runs: int) -> list[Timing]:
    """Each timed in turn, after one warm run each, the order turning at every run (page,
    reference, other reference; then reference, other reference, page…), so that all see
    the same machine: one timing each, in the order given."""
    for fn in fns:
        call_with_deadline(fn)
    samples: list[list[float]] = [[] for _ in fns]
    for i in range(runs):
        for k in range(len(fns)):
            j = (i + k) % len(fns)
            samples[j].append(timed_ms(lambda fn=fns[j]: call_with_deadline(fn)))
    return [Timing(s) for s in samples]


def dashboard_row(
    ds: Dataset,
    client: Client,
    reference: Reference,
    territory: Territory,
    code: str,
    label: str,
    runs: int,
    *,
    first_view: bool = False,
    stored_audit: bool = False,
    plans: bool = False,
) -> Measure:
    """One territory dashboard for one period, interleaved with the hand-written SQL of all
    its figures (judged: ≤ 1.5 ×) and with the table-only statement (for information). With
    `first_view`, also its first view after a count changed (judged: ≤ 150 ms): audited by
    the page, and with `stored_audit` after the background job stored the audit (the
    calendar years; the figure judged then)."""
    start, end = LIVE_PERIODS[label]
    m = Measure(
        f"Territory dashboard {code} × {territory.name} ({territory.slug}), {label}",
        "≤ 150 ms and ≤ 1.5 × the hand-written SQL",
        150,
    )
    programme = Programme.objects.get(code=code)
    url = _url("reporting:territory", programme=code, territory=territory.slug)
    url += f"?du={start:%Y-%m-%d}&au={end:%Y-%m-%d}"
    figures: dict = {}
    arguments = {"territory_id": territory.pk, "programme_id": programme.pk}
    arguments |= {"start": start, "end": end}

    def hand():
        figures.update(reference.dashboard(**arguments))

    def table_only():
        reference.table(**arguments)

    def page():
        _, m.queries, captured = time_get(client, url, runs=1, warmup=1)
        page_timing, sql, table_sql = interleaved(
            lambda: get(client, url), hand, table_only, runs=runs
        )
        m.timed(page_timing)
        total = figures["table"].get(None, {})
        trajectory = figures["trajectory"]
        ratio = m.median_ms / sql.median
        m.detail = (
            f"hand-written SQL of every figure {sql.median:.1f} ms (min {sql.min:.1f}), "
            f"ratio {ratio:.2f} ({'OK' if ratio <= 1.5 else 'OVER'} vs 1.5); of the table "
            f"only {table_sql.median:.1f} ms (min {table_sql.min:.1f}), ratio "
            f"{m.median_ms / table_sql.median:.2f} (information); all interleaved; "
            f"accompanied {total.get('accompanied', 0):,}, exits {total.get('exits', 0):,}, "
            + (
                f"trajectory on {trajectory['metric']} ({len(trajectory['months'])} months)"
                if trajectory
                else "no target on the period (no trajectory)"
            )
        )
        first = None
        if first_view:
            # Rolled back: the stored audits are left as they were found.
            with transaction.atomic():
                PublishedAudit.objects.all().delete()
                unaudited = time_get_unaudited(client, url, runs)
                if stored_audit:
                    with audits.storing():  # what the background job does after a change
                        services.dashboard_audit_store(programme.pk, territory.pk, start.year)
                    first = time_get_unaudited(client, url, runs)
                else:  # the job stores the calendar years only: the page audits
                    first = unaudited
                transaction.set_rollback(True)
            m.detail += (
                f"; first view after a count changed: audit on the page {unaudited.median:.1f}"
                f" ms (min {unaudited.min:.1f})"
            )
            if stored_audit:
                m.detail += f", audit stored by the job {first.median:.1f} ms (min {first.min:.1f})"
        if first is not None and first.median > 150:
            m.status = "OVER BUDGET"
        if m.median_ms > 150 or ratio > 1.5:
            m.status = "OVER BUDGET"
        if plans:
            for q in slowest(captured, 2):
                plan = explain(q["sql"], ds.coordinator, aggregate=True)
                m.plans.append((q["sql"][:160], plan))

    return guarded(m, page)


def bench_territory(ds: Dataset, runs: int) -> list[Measure]:
    """The calendar year on the largest région and one of its départements."""
    client = Client()
    login_client(client, ds.coordinator)
    reference = Reference()
    try:
        return [
            dashboard_row(
                ds,
                client,
                reference,
                territory,
                code,
                "calendar year 2025",
                runs,
                first_view=True,
                stored_audit=True,
                plans=territory == ds.region,
            )
            for territory in (ds.region, ds.departement)
            for code in ("CVG", "IAE")
        ]
    finally:
        reference.close()


def bench_periods(ds: Dataset, runs: int) -> list[Measure]:
    """Every other period on the largest région, computed live unless maintained rows
    cover it, with its first view after a change (the page audits its grid)."""
    client = Client()
    login_client(client, ds.coordinator)
    reference = Reference()
    try:
        return [
            dashboard_row(
                ds, client, reference, ds.region, code, label, runs, first_view=True, plans=True
            )
            for code in ("IAE", "CVG")
            for label in LIVE_PERIODS
            if label != "calendar year 2025"
        ]
    finally:
        reference.close()


def bench_trajectory(ds: Dataset, runs: int) -> list[Measure]:
    """The IAE région's 2025 dashboard when a target's period is 2025: the page then draws
    the trajectory too. The dataset's régions have no deployment of their own (their
    départements do): one is added with its target inside a transaction rolled back after
    the row, so the dataset is left as it was found."""
    m = Measure(
        f"Territory dashboard IAE × {ds.region.name} ({ds.region.slug}), calendar year 2025,"
        " with a target of 2025 (trajectory)",
        "≤ 150 ms",
        150,
    )
    client = Client()
    login_client(client, ds.coordinator)
    url = _url("reporting:territory", programme="IAE", territory=ds.region.slug)
    url += f"?{PERIOD_QUERY}"

    def page():
        with transaction.atomic():
            deployment, _ = Deployment.objects.get_or_create(
                programme=Programme.objects.get(code="IAE"),
                territory=ds.region,
                defaults={"start_date": YEAR[0]},
            )
            target, _ = deployment.targets.get_or_create(
                metric="accompanied",
                period_start=YEAR[0],
                period_end=YEAR[1],
                defaults={"value": 20_000},
            )
            timing, m.queries, _ = time_get(client, url, runs)
            m.timed(timing)
            drawn = "Trajectoire par rapport" in get(client, url).content.decode()
            m.detail = f"target {target.value:,} persons accompanied; trajectory drawn: {drawn}"
            if not drawn:
                m.status = "ERROR"
            transaction.set_rollback(True)

    return [guarded(m, page)]


def bench_national(ds: Dataset, runs: int) -> list[Measure]:
    """The national view for the calendar year (with its first view after a change) and for
    every other period the dashboards are timed on (maintained monthly rows, free dates'
    edges computed live over every structure of the country)."""
    measures = []
    client = Client()
    login_client(client, ds.national_coordinator)
    for code in ("CVG", "IAE"):
        for label, (start, end) in LIVE_PERIODS.items():
            m = Measure(f"National dashboard {code}, all territories, {label}", "≤ 500 ms", 500)
            query = f"du={start:%Y-%m-%d}&au={end:%Y-%m-%d}"

            def page(m=m, code=code, query=query, calendar_year=(start, end) == YEAR):
                url = f"{_url('reporting:national', programme=code)}?{query}"
                timing, m.queries, captured = time_get(client, url, runs)
                m.timed(timing)
                if calendar_year:
                    unaudited = time_get_unaudited(client, url, runs)
                    m.detail = (
                        f"first view after a count changed (audit redone) "
                        f"{unaudited.median:.1f} ms (min {unaudited.min:.1f})"
                    )
                q = slowest(captured)[0]
                plan = explain(q["sql"], ds.national_coordinator, aggregate=True)
                m.plans.append((q["sql"][:160], plan))

            measures.append(guarded(m, page))
    return measures


def bench_list(ds: Dataset, runs: int) -> list[Measure]:
    client = Client()
    login_client(client, ds.caseworker)
    try:
        base = _url("participants:list")
    except NotAvailable as exc:
        return [
            Measure(
                "Participant list", "≤ 100 ms", 100, status="not available yet", detail=str(exc)
            )
        ]
    cvg = Programme.objects.get(code="CVG").pk
    common_name = (
        pm.Participant.objects.filter(structure=ds.structure)
        .values("last_name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["last_name"]
    )
    variants = {
        # The first visit redirects to the remembered filters (default: status EN_COURS).
        "default: file active, page 1 of 50 rows": "status=EN_COURS",
        "everyone, page 1": "page=1",
        "page 5": "page=5",
        "100 rows a page": "per_page=100",
        f"search « {common_name[:4]} »": f"q={common_name[:4]}",
        "programme CVG": f"programme={cvg}",
        "status EN_COURS, sort -last_name": "status=EN_COURS&sort=-last_name",
        "entered in 2025": "entry_after=2025-01-01&entry_before=2025-12-31",
    }
    measures = []
    for label, query in variants.items():
        longer = query.startswith("per_page=")
        # quality.md: "50 rows a page, any filter/sort: ≤ 100 ms; queries per page constant
        # (≤ 12) whatever the page size" — a longer page is held to the query count only.
        m = Measure(
            f"Participant list ({ds.structure.slug}, {label})",
            LONGER_PAGE_BUDGET if longer else "≤ 100 ms; ≤ 12 queries",
            None if longer else 100,
        )

        def page(m=m, query=query, label=label, longer=longer):
            timing, m.queries, captured = time_get(client, f"{base}?{query}", runs)
            m.timed(timing)
            if m.queries > 12 or (longer and m.queries != measures[0].queries):
                m.status = "OVER BUDGET"
            elif longer:
                m.status = "OK"
                m.detail = f"{m.queries} queries, as for 50 rows"
            if label.startswith("default"):
                q = slowest(captured)[0]
                m.plans.append((q["sql"][:160], explain(q["sql"], ds.caseworker)))

        measures.append(guarded(m, page))
    return measures


LONGER_PAGE_BUDGET = "same queries as 50 rows (≤ 12); time not budgeted"


def bench_file(ds: Dataset, runs: int) -> list[Measure]:
    client = Client()
    login_client(client, ds.caseworker)
    n_actions = pm.AccompanimentAction.objects.filter(
        parcours__participant_id=ds.participant_id
    ).count()
    n_weeks = pm.WorkedHours.objects.filter(parcours__participant_id=ds.participant_id).count()
    m = Measure(
        f"Participant file (#{ds.participant_id}: {n_actions} actions, {n_weeks} weeks of hours)",
        "≤ 100 ms; constant query count",
        100,
    )

    def page():
        url = _url("participants:detail", participant_pk=ds.participant_id)
        timing, m.queries, captured = time_get(client, url, runs)
        m.timed(timing)
        q = slowest(captured)[0]
        m.plans.append((q["sql"][:160], explain(q["sql"], ds.caseworker)))

    return [guarded(m, page)]


def bench_hours(ds: Dataset, runs: int) -> list[Measure]:
    """The weekly hours grid of the structure's busiest work site, on its busiest recent week
    (the page a caseworker fills every Monday; one row a person at work that week)."""
    client = Client()
    login_client(client, ds.caseworker)
    busiest = (
        pm.WorkedHours.objects.filter(structure=ds.structure, work_site__isnull=False)
        .values("work_site_id", "week_start")
        .annotate(n=Count("id"))
        .order_by("-week_start", "-n")
        .first()
    )
    year, week, _ = busiest["week_start"].isocalendar()
    m = Measure(
        f"Hours grid (work site #{busiest['work_site_id']}, {busiest['n']} weeks recorded, "
        f"week {week} of {year})",
        "≤ 100 ms; constant query count",
        100,
    )

    def page():
        url = _url("participants:hours_grid", site_pk=busiest["work_site_id"], year=year, week=week)
        timing, m.queries, _captured = time_get(client, url, runs)
        m.timed(timing)
        # The page has a row for every parcours at work that week, recorded or not.
        shown = get(client, url).content.count(b' id="who-')
        m.detail = f"{shown} rows shown"

    return [guarded(m, page)]


def bench_today(ds: Dataset, runs: int) -> list[Measure]:
    """ "Aujourd'hui" in the largest structure, for its caseworker's own people and for the
    whole structure (every kind of item, one query each: the count must not grow); and in
    the structure with the most follow-up checks left to do (the largest has no
    Convergence)."""
    checks = (
        pm.FollowupCheck.objects.filter(
            done_on__isnull=True, structure__slug__startswith=f"{ds.tag}-"
        )
        .values("structure_id")
        .annotate(n=Count("id"))
        .order_by("-n", "structure_id")
        .first()
    )
    cases = [(ds.caseworker, ds.structure, "moi", "my people")]
    cases.append((ds.caseworker, ds.structure, "structure", "whole structure"))
    if checks:
        followed = Structure.objects.get(pk=checks["structure_id"])
        worker = Membership.objects.filter(structure=followed, role="CASEWORKER").first()
        if worker:
            label = f"whole structure, {checks['n']} follow-up checks open"
            cases.append((worker.user, followed, "structure", label))
    measures = []
    for user, structure, who, label in cases:
        client = Client()
        login_client(client, user)
        people = pm.Participant.objects.filter(structure=structure).count()
        m = Measure(
            f"Aujourd'hui, {label} (structure of {people} people)",
            "≤ 100 ms; constant query count",
            100,
        )

        def page(m=m, who=who, client=client, user=user):
            url = _url("participants:today") + f"?qui={who}"
            timing, m.queries, captured = time_get(client, url, runs)
            m.timed(timing)
            q = slowest(captured)[0]
            m.plans.append((q["sql"][:160], explain(q["sql"], user)))

        measures.append(guarded(m, page))
    return measures


def bench_pdf(ds: Dataset, runs: int) -> list[Measure]:
    m = Measure("Funder PDF, CVG deployment × 2025 (figures + WeasyPrint)", "≤ 1 s", 1000)
    try:
        from reporting import services
        from reporting.periods import free
    except ImportError as exc:
        m.status, m.detail = "not available yet", str(exc)
        return [m]
    from sites.tenancy import scope_for_user
    from sites.tenancy.rls import web_role

    deployment = (
        Deployment.objects.filter(programme__code="CVG", territory=ds.departement).first()
        or Deployment.objects.filter(programme__code="CVG").first()
    )
    funder = deployment.funders.order_by("pk").first()
    user = Membership.objects.filter(funder=funder).first().user
    scope = scope_for_user(user)
    period = free(*YEAR)
    sizes = []

    def generate():
        with transaction.atomic():
            with web_role(scope):
                snapshot = services.report_snapshot_create(
                    scope=scope, deployment_id=deployment.pk, period=period, user=user
                )
            rendered = services.report_snapshot_render(snapshot_id=snapshot.pk)
            sizes.append(len(bytes(rendered.pdf)))
            transaction.set_rollback(True)

    def run():
        m.timed(time_call(generate, max(3, runs // 2)))
        m.detail = f"{deployment}, funder {funder}, PDF {sizes[-1] / 1024:.0f} KiB"

    return [guarded(m, run)]


IMPORT_HEADER = [
    "external_id",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "programme",
    "work_site",
    "start_date",
    "end_date",
    "exit_situation",
    "weekly_hours",
    "housing_at_entry",
    "housing_at_exit",
]


def import_csv(rows: int = 10_000, seed: int = 1) -> bytes:
    """A valid 10,000-row file in the format of docs/import-format.md (issue 3, item 10):
    one row per parcours, a third of the people with two parcours (Premières Heures, then
    Convergence)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(IMPORT_HEADER)
    written, person = 0, 0
    while written < rows:
        person += 1
        ext = f"IMP-{person:06d}"
        last, first = f"Nom{person:05d}", rng.choice(["Camille", "Dominique", "Sacha", "Alex"])
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000))
        sex = rng.choice(["F", "M", ""])
        start = dt.date(2022, 1, 3) + dt.timedelta(days=rng.randint(0, 900))
        two = rng.random() < 0.45 and written + 2 <= rows
        if two:
            end = start + dt.timedelta(days=rng.randint(60, 300))
            writer.writerow(
                [ext, last, first, f"{birth:%d/%m/%Y}", sex, "PHC", "Chantier A",
                 f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}", "SUITE_CVG", "8", "RUE", "CHU"]
            )  # fmt: skip
            start2 = end + dt.timedelta(days=1)
            writer.writerow(
                [ext, last, first, f"{birth:%d/%m/%Y}", sex, "CVG", "Chantier A",
                 f"{start2:%Y-%m-%d}", "", "", "26", "CHU", ""]
            )  # fmt: skip
            written += 2
        else:
            ended = rng.random() < 0.5
            end = start + dt.timedelta(days=rng.randint(30, 600))
            writer.writerow(
                [ext, last, first, f"{birth:%Y-%m-%d}", sex, "IAE", "Chantier A",
                 f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}" if ended else "",
                 "CDI" if ended else "", "26", "TIERS", "LOG_AUTONOME" if ended else ""]
            )  # fmt: skip
            written += 1
    return out.getvalue().encode("utf-8")


def bench_import(ds: Dataset, runs: int) -> list[Measure]:
    first = Measure("Import of 10,000 rows (new structure, --commit)", "≤ 30 s", 30_000)
    again = Measure("Re-import of the same file", "0 rows added, 0 changed")
    try:
        from participants.importing.runner import import_file
    except ImportError as exc:
        for m in (first, again):
            m.status, m.detail = "not available yet", str(exc)
        return [first, again]
    data = import_csv()
    with transaction.atomic():
        structure = Structure.objects.create(
            name="Structure d'import (bench)",
            slug=f"{ds.tag}-import-bench",
            kind="ACI",
            commune=ds.structure.commune,
        )
        WorkSite.objects.create(structure=structure, name="Chantier A", commune=structure.commune)
        load_before = load_average()
        started = time.perf_counter()
        report = import_file(data, structure=structure, actor=None, commit=True)
        first.median_ms = first.min_ms = (time.perf_counter() - started) * 1000
        first.load = (load_before, load_average())
        first.detail = f"single run; {report.summary()}"
        if report.invalid_rows:
            first.status = f"{report.invalid_rows} invalid rows"
        started = time.perf_counter()
        report2 = import_file(data, structure=structure, actor=None, commit=True)
        again.median_ms = again.min_ms = (time.perf_counter() - started) * 1000
        again.load = (first.load[1], load_average())
        again.detail = f"{report2.summary()}"
        again.status = (
            "OK" if report2.rows_created == 0 and report2.rows_updated == 0 else "OVER BUDGET"
        )
        transaction.set_rollback(True)  # leave the benchmark dataset as it was
    return [first, again]


BENCHES: dict[str, Callable[[Dataset, int], list[Measure]]] = {
    "territory": bench_territory,
    "periods": bench_periods,
    "trajectory": bench_trajectory,
    "national": bench_national,
    "list": bench_list,
    "file": bench_file,
    "hours": bench_hours,
    "today": bench_today,
    "pdf": bench_pdf,
    "import": bench_import,
}


# --- Report --------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.python_implementation()} "
        f"{platform.python_version()}, PostgreSQL {pg} (shared_buffers {buffers}), "
        f"load average at start {load[0]:.1f} (each row states its own: the one-minute "
        "load average when it started and when it ended)"
    )


def render(ds: Dataset, measures: list[Measure], command: str, started: dt.datetime) -> str:
    git = subprocess.run(  # noqa: S603 (fixed arguments)
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    lines = [
        f"Run of {started:%d/%m/%Y %H:%M} UTC, commit {git}.",
        "",
        f"- Machine: {machine()}",
        "- Dataset: "
        + ", ".join(f"{v:,} {k}" for k, v in ds.counts.items())
        + f" (prefix `{ds.tag}`)",
        f"- Command: `{command}`",
        "",
        "| What | Budget | Median | Min | Load | Queries | Verdict | Detail |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        median = f"{m.median_ms:,.1f} ms" if m.median_ms is not None else "—"
        least = f"{m.min_ms:,.1f} ms" if m.min_ms is not None else "—"
        queries = str(m.queries) if m.queries is not None else "—"
        lines.append(
            f"| {m.name} | {m.budget} | {median} | {least} | {m.load_text} | {queries} "
            f"| {m.verdict} | {m.detail} |"
        )
    plans = [(m.name, sql, plan) for m in measures for sql, plan in m.plans]
    if plans:
        lines += ["", "### EXPLAIN (ANALYZE, BUFFERS) of the slowest queries", ""]
        for name, sql, plan in plans:
            lines += [f"**{name}**: `{sql.strip()}…`", "", "```", plan, "```", ""]
    return "\n".join(lines)


def write(doc: Path, body: str) -> None:
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = doc.read_text() if doc.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    doc.write_text(f"{head}{start}\n{body}\n{end}{tail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    parser.add_argument("--write", type=Path, help="Markdown file to update (between markers).")
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    ds = find_dataset()
    print(f"Dataset {ds.tag}: " + ", ".join(f"{v:,} {k}" for k, v in ds.counts.items()))
    measures: list[Measure] = []
    for name in args.only or list(BENCHES):
        print(f"→ {name}", flush=True)
        try:
            found = BENCHES[name](ds, args.runs)
        except Exception as exc:  # report the failure as a figure, never hide it
            found = [Measure(name, "", status="ERROR", detail=f"{type(exc).__name__}: {exc}")]
        for m in found:
            measured = f"{m.median_ms:10,.1f} ms" if m.median_ms is not None else " " * 13
            least = f"min {m.min_ms:,.1f}" if m.min_ms is not None else ""
            queries = f"{m.queries:>3} q" if m.queries is not None else "     "
            print(
                f"  {m.verdict:<17} {measured} {least:>12} load {m.load_text:<9} {queries}  "
                f"{m.name} [{m.budget}] {m.detail}"
            )
        measures.extend(found)
    if args.write:
        command = "make bench" + (f" BENCH_ARGS='{' '.join(argv or sys.argv[1:])}'")
        write(args.write, render(ds, measures, command, started))
        print(f"Written to {args.write}")


if __name__ == "__main__":
    main()
