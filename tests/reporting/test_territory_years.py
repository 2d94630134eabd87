"""The maintained rows — yearly (reporting_territoryyear) and monthly
(reporting_territorymonth, reporting_territorymonthgap) — give exactly the live figures for
calendar years and for every period made of whole months (months, quarters, Convergence
semesters, July-to-June years, several years, and periods drawn by hypothesis) after every
kind of write — the dashboards' tables and the trajectories against targets, read on any
day — and neither readers nor writers lose or block each other's work."""

import datetime as dt
import random
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from participants.enums import ExitSituation, Housing, ParcoursStatus, SnapshotContext
from participants.models import Exit, Parcours, Participant, SituationSnapshot, WorkedHours
from reporting import indicators as ind
from reporting import periods, territory_months, territory_years, trajectories
from reporting.models import (
    TerritoryMonth,
    TerritoryMonthGap,
    TerritoryMonthStale,
    TerritoryYearCoverage,
    TerritoryYearStale,
)
from sites.enums import GeoKind
from sites.models import Structure, Territory, WorkSite
from tests import factories as f
from tests.hypothesis_profiles import examples

D = dt.date
YEARS = range(2021, 2026)
SITUATIONS = [s.value for s in ExitSituation]
HOUSINGS = [h.value for h in Housing]


def _figures(comparison) -> tuple:
    """A comparison as plain data, the structures' rows in a stable order."""
    return (
        comparison.figures,
        {
            tid: sorted(repr(sorted(fig.raw().items())) for fig in rows)
            for tid, rows in comparison.by_structure.items()
        },
    )


# Periods other than calendar years, read from the monthly rows: months, quarters, both
# Convergence semesters (one across a new year), July-to-June years, several years, periods
# starting before or ending after every parcours, and free dates (the edges live).
MONTH_PERIODS = [
    periods.month(2021, 1),
    periods.month(2023, 2),
    periods.quarter(2022, 2),
    periods.quarter(2025, 4),
    periods.semester(2022, 2),
    periods.semester(2024, 1),
    periods.july_june(2023),
    periods.Period(D(2021, 3, 1), D(2025, 11, 30)),
    periods.Period(D(2020, 12, 1), D(2026, 12, 31)),
    # Free dates: both edges, one month only, a single day, across a new year.
    periods.Period(D(2023, 2, 10), D(2023, 5, 20)),
    periods.Period(D(2023, 3, 15), D(2023, 3, 31)),
    periods.Period(D(2022, 6, 1), D(2022, 6, 14)),
    periods.Period(D(2024, 2, 29), D(2024, 2, 29)),
    periods.Period(D(2021, 1, 2), D(2025, 12, 30)),
    periods.Period(D(2022, 12, 31), D(2023, 1, 1)),
]


def _compare_periods(period_list, after: str = "") -> None:
    """Maintained vs live, for every programme and period given: every territory's dashboard
    table (rows, total, months) and the national comparison; `after` names the last write."""
    territory_ids = sorted(Territory.objects.values_list("pk", flat=True))
    structure_ids = sorted(Structure.objects.values_list("pk", flat=True))
    for period in period_list:
        for code in ("CVG", "PHC", "IAE"):
            programme = f.programme(code)
            for territory_id in territory_ids:
                arguments = {
                    "programme": programme,
                    "period": period,
                    "structure_ids": ind.structures_in_territory(territory_id),
                    "territory_id": territory_id,
                }
                cached = territory_months.table(**arguments)
                live = ind.indicator_table(with_months=True, **arguments)
                assert cached is not None, "whole months must be read from the rows"
                assert (cached.total, cached.by_structure, cached.months) == (
                    live.total,
                    live.by_structure,
                    live.months,
                ), (after, territory_id, code, period)
            arguments = {
                "programme": programme,
                "period": period,
                "territory_ids": territory_ids,
                "structure_ids": structure_ids,
            }
            cached = territory_months.comparison(**arguments)
            assert cached is not None, "whole months must be read from the rows"
            assert _figures(cached) == _figures(ind.territory_comparison(**arguments)), (
                after,
                code,
                period,
            )


def _reference_days(period: periods.Period) -> list[dt.date]:
    """Days a trajectory is read on: before P, its first day, the last day of its first month
    and the day after, a day in the middle, the day before its last, its last day (or after
    it: read at its last day)."""
    second_month = (period.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    middle = period.start + (period.end - period.start) / 2
    days = {
        period.start - dt.timedelta(days=1),
        period.start,
        second_month - dt.timedelta(days=1),
        second_month,
        middle,
        period.end - dt.timedelta(days=1),
        period.end,
    }
    return sorted(day for day in days if day <= period.end)


def _compare_trajectories(period_list, after: str = "", days=_reference_days) -> None:
    """Trajectories read from the monthly rows vs computed from the parcours, for every
    programme, period and reference day given: each territory alone, and all of them in one
    statement; a period not made of whole months is left to the parcours."""
    territory_ids = sorted(Territory.objects.values_list("pk", flat=True))
    scopes = [([tid], ind.structures_in_territory(tid)) for tid in territory_ids]
    scopes.append((territory_ids, sorted(Structure.objects.values_list("pk", flat=True))))
    for period in period_list:
        for code in ("CVG", "PHC", "IAE"):
            for today in days(period):
                for tids, ids in scopes:
                    arguments = {
                        "programme": f.programme(code),
                        "period": period,
                        "territory_ids": tids,
                        "structure_ids": ids,
                        "today": today,
                    }
                    maintained = trajectories.maintained_trajectories(**arguments)
                    if territory_months.whole_months(period) is None:
                        assert maintained is None, "free dates are computed from the parcours"
                        continue
                    assert maintained is not None, "whole months must be read from the rows"
                    assert maintained == trajectories.territory_trajectories(**arguments), (
                        after,
                        code,
                        period,
                        today,
                        tids,
                    )


def _compare_every_year(after: str = "", months=MONTH_PERIODS) -> None:
    """Cached vs live, for every programme and year, then for the periods of whole `months`:
    the national comparison and every territory's dashboard table (rows, total, months);
    `after` names the last write."""
    territory_ids = sorted(Territory.objects.values_list("pk", flat=True))
    structure_ids = sorted(Structure.objects.values_list("pk", flat=True))
    for territory_id in territory_ids:
        ids = ind.structures_in_territory(territory_id)
        for code in ("CVG", "PHC", "IAE"):
            for year in YEARS:
                arguments = {
                    "programme": f.programme(code),
                    "period": periods.year(year),
                    "structure_ids": ids,
                    "territory_id": territory_id,
                }
                cached = territory_years.table(**arguments)
                live = ind.indicator_table(with_months=True, **arguments)
                assert cached is not None
                assert (cached.total, cached.by_structure, cached.months) == (
                    live.total,
                    live.by_structure,
                    live.months,
                ), (after, territory_id, code, year)
    for code in ("CVG", "PHC", "IAE"):
        programme = f.programme(code)
        for year in YEARS:
            arguments = {
                "programme": programme,
                "period": periods.year(year),
                "territory_ids": territory_ids,
                "structure_ids": structure_ids,
            }
            cached = territory_years.comparison(**arguments)
            assert cached is not None, "a covered year must be read from the rows"
            assert _figures(cached) == _figures(ind.territory_comparison(**arguments)), (
                after,
                code,
                year,
            )
    _compare_periods(months, after)


def _random_months(rng) -> periods.Period:
    """Whole months between December 2020 and December 2026."""
    first = rng.randrange(73)
    last = rng.randrange(first, 73)
    return _months_period(first, last)


def _months_period(first: int, last: int) -> periods.Period:
    """Months `first` to `last` counted from December 2020 (0), as a period."""
    start = D(2020 + (11 + first) // 12, (11 + first) % 12 + 1, 1)
    after = D(2020 + (12 + last) // 12, (12 + last) % 12 + 1, 1)
    return periods.Period(start, after - dt.timedelta(days=1))


@pytest.fixture
def geography(db):
    """Région > two départements (territories and sub-territories), communes in each."""
    region = f.GeoUnitFactory(kind=GeoKind.REGION, code="R9", name="Région")
    deps = [
        f.GeoUnitFactory(kind=GeoKind.DEPARTEMENT, code=f"9{i}", name=f"Dép {i}", parent=region)
        for i in range(2)
    ]
    communes = [
        f.GeoUnitFactory(code=f"9{i}00{j}", name=f"Commune {i}{j}", parent=deps[i])
        for i in range(2)
        for j in range(2)
    ]
    top = f.TerritoryFactory()
    top.geo_units.add(region)
    subs = []
    for dep in deps:
        sub = f.TerritoryFactory(parent=top)
        sub.geo_units.add(dep)
        subs.append(sub)
    # A territory made of one commune only, overlapping the first département.
    single = f.TerritoryFactory()
    single.geo_units.add(communes[0])
    TerritoryYearCoverage.objects.update_or_create(pk=1, defaults={"through_year": 2026})
    return communes


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_yearly_rows_follow_every_kind_of_write(geography, seed):
    rng = random.Random(seed)
    communes = geography
    structures = [f.StructureFactory(commune=rng.choice(communes)) for _ in range(3)]
    sites = [f.WorkSiteFactory(structure=s, commune=rng.choice(communes)) for s in structures]
    for _ in range(6):
        f.ParticipantFactory(structure=rng.choice(structures))
    programmes = [f.programme(code) for code in ("CVG", "PHC", "IAE")]

    def sites_of(structure_id):
        return [s for s in sites if s.structure_id == structure_id]

    ops = ["open", "closed", "exit", "requalify", "move", "status", "delete", "unexit"]
    ops += ["site", "site_commune", "structure_commune", "warnings", "erase"]
    ops += ["hours", "hours", "hours_edit", "hours_delete", "snapshot", "snapshot_edit"]
    for _ in range(30):
        op = rng.choice(ops)
        existing = list(Parcours.objects.select_related("participant"))
        start = D(2021, 1, 4) + dt.timedelta(days=rng.randint(0, 1600))
        person = rng.choice(list(Participant.objects.all()) or [None])
        if op in ("open", "closed") and person is not None:
            end = start + dt.timedelta(days=rng.randint(0, 500)) if op == "closed" else None
            programme = rng.choice(programmes)
            if end is None and Parcours.objects.filter(
                participant=person, programme=programme, end_date__isnull=True
            ):
                continue
            f.ParcoursFactory(
                participant=person,
                programme=programme,
                start_date=start,
                end_date=end,
                status=ParcoursStatus.SORTI if end else ParcoursStatus.EN_COURS,
                work_site=rng.choice([None, *sites_of(person.structure_id)]),
            )
        elif op == "exit" and existing:
            p = rng.choice(existing)
            if p.end_date is None:
                p.end_date = p.start_date + dt.timedelta(days=rng.randint(0, 700))
                p.status = ParcoursStatus.SORTI
                p.save()
                Exit.objects.create(
                    parcours=p,
                    structure_id=p.structure_id,
                    date=p.end_date,
                    situation=rng.choice(SITUATIONS),
                )
        elif op == "requalify":
            exit_ = Exit.objects.order_by("?").first()
            if exit_ is not None:
                exit_.situation = rng.choice(SITUATIONS)
                exit_.save()
        elif op == "unexit":
            exit_ = Exit.objects.order_by("?").first()
            if exit_ is not None:
                exit_.delete()
        elif op == "move" and existing:
            p = rng.choice(existing)
            p.start_date -= dt.timedelta(days=rng.randint(1, 400))
            p.save()
        elif op == "status" and existing:
            p = rng.choice(existing)
            if p.end_date is None:
                p.status = rng.choice([ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS])
                p.save()
        elif op == "delete" and existing:
            rng.choice(existing).delete()
        elif op == "site" and existing:
            p = rng.choice(existing)
            p.work_site = rng.choice([None, *sites_of(p.structure_id)])
            p.save()
        elif op == "site_commune":
            WorkSite.objects.filter(pk=rng.choice(sites).pk).update(commune=rng.choice(communes))
        elif op == "structure_commune":
            Structure.objects.filter(pk=rng.choice(structures).pk).update(
                commune=rng.choice(communes)
            )
        elif op == "warnings":
            Parcours.objects.update(warnings={"X": "à vérifier"})
        elif op == "erase" and person is not None and rng.random() < 0.3:
            person.delete()
        elif op == "hours" and existing:
            p = rng.choice(existing)
            last = p.end_date or p.start_date + dt.timedelta(days=400)
            # A week is recorded when it overlaps its parcours (services.worked_hours_record).
            monday = p.start_date - dt.timedelta(days=p.start_date.weekday())
            monday += dt.timedelta(weeks=rng.randint(0, max(0, (last - monday).days // 7)))
            WorkedHours.objects.update_or_create(
                structure_id=p.structure_id,
                parcours=p,
                week_start=monday,
                defaults={"hours": Decimal(rng.randint(0, 35)) / 2},
            )
        elif op == "hours_edit":
            WorkedHours.objects.filter(
                pk__in=WorkedHours.objects.order_by("?").values("pk")[:2]
            ).update(hours=Decimal(rng.randint(0, 70)) / 2)
        elif op == "hours_delete":
            WorkedHours.objects.filter(
                pk__in=WorkedHours.objects.order_by("?").values("pk")[:1]
            ).delete()
        elif op == "snapshot" and existing:
            p = rng.choice(existing)
            context = rng.choice([SnapshotContext.ENTREE, SnapshotContext.SORTIE])
            f.SnapshotFactory(
                participant=p.participant,
                parcours=rng.choice([p, None]),
                context=context,
                date=p.end_date
                if context == SnapshotContext.SORTIE and p.end_date
                else p.start_date,
                housing=rng.choice(HOUSINGS),
            )
        elif op == "snapshot_edit":
            SituationSnapshot.objects.filter(
                pk__in=SituationSnapshot.objects.order_by("?").values("pk")[:1]
            ).update(housing=rng.choice(HOUSINGS))
        # Read after every write: a write whose structure no trigger marked shows here.
        target = _random_months(rng)
        day = target.start + dt.timedelta(days=rng.randint(-10, target.days + 10))
        _compare_trajectories([target], after=op, days=lambda _, day=day: [day])
        _compare_every_year(after=op, months=[_random_months(rng), periods.semester(2022, 2)])
    assert not TerritoryYearStale.objects.exists()  # every reader cleared what it recomputed
    assert not TerritoryMonthStale.objects.exists()


# Target periods around the writes of `_one_write` (2021–2023): a calendar year, three
# years, a quarter.
WRITE_TARGETS = [
    periods.year(2023),
    periods.Period(D(2021, 1, 1), D(2023, 12, 31)),
    periods.quarter(2023, 1),
]


def _one_write(kind: str, geography) -> None:
    """A file with an exited parcours at a work site and an open one at the structure; the
    figures are read (nothing stale), then one write of `kind`."""
    structure = f.StructureFactory(commune=geography[0])
    site = f.WorkSiteFactory(structure=structure, commune=geography[1])
    person = f.ParticipantFactory(structure=structure)
    exited = f.ParcoursFactory(
        participant=person,
        start_date=D(2022, 1, 3),
        end_date=D(2023, 2, 1),
        status=ParcoursStatus.SORTI,
        work_site=site,
    )
    exit_ = Exit.objects.create(
        parcours=exited, structure=structure, date=exited.end_date, situation="CDI"
    )
    f.SnapshotFactory(participant=person, parcours=exited, date=exited.start_date)  # street
    open_ = f.ParcoursFactory(
        participant=person, programme=f.programme("PHC"), start_date=D(2023, 3, 6)
    )
    _compare_every_year()
    assert not TerritoryYearStale.objects.exists()
    far = geography[3]  # the other département, outside the one-commune territory
    if kind == "requalify":
        exit_.situation = "CHOMAGE"
        exit_.save()
    elif kind == "unexit":
        exit_.delete()
    elif kind == "site_commune":
        WorkSite.objects.filter(pk=site.pk).update(commune=far)
    elif kind == "structure_commune":
        Structure.objects.filter(pk=structure.pk).update(commune=far)
    elif kind == "dates":
        Parcours.objects.filter(pk=open_.pk).update(start_date=D(2021, 6, 7))
    elif kind == "status":
        Parcours.objects.filter(pk=open_.pk).update(status=ParcoursStatus.ORIENTE)
    elif kind == "programme":
        Parcours.objects.filter(pk=open_.pk).update(programme=f.programme("IAE"))
    elif kind == "site":
        Parcours.objects.filter(pk=open_.pk).update(work_site=site)
    elif kind == "delete":
        open_.delete()
    elif kind == "erase":
        person.delete()
    elif kind == "hours":
        f.WorkedHoursFactory(parcours=open_, week_start=D(2023, 3, 6), hours=Decimal(12))
    elif kind == "hours_week":
        week = f.WorkedHoursFactory(parcours=exited, week_start=D(2022, 12, 26))
        _compare_every_year()
        WorkedHours.objects.filter(pk=week.pk).update(week_start=D(2023, 1, 2))
    elif kind == "participant":
        other = f.ParticipantFactory(structure=structure)
        Parcours.objects.filter(pk=open_.pk).update(participant=other)
    elif kind == "entry_housing_date":
        # The entry snapshot no longer belongs to the parcours, and now follows its start.
        SituationSnapshot.objects.filter(parcours=exited).update(parcours=None, date=D(2022, 6, 1))
    elif kind == "exit_housing":
        f.SnapshotFactory(
            participant=person,
            parcours=exited,
            context=SnapshotContext.SORTIE,
            date=exited.end_date,
            housing=Housing.LOG_AUTONOME,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind",
    [
        "requalify",
        "unexit",
        "site_commune",
        "structure_commune",
        "dates",
        "status",
        "programme",
        "site",
        "delete",
        "erase",
        "hours",
        "hours_week",
        "participant",
        "entry_housing_date",
        "exit_housing",
    ],
)
def test_each_kind_of_write_alone_is_seen_by_the_next_reader(geography, kind):
    _one_write(kind, geography)
    assert TerritoryYearStale.objects.exists() and TerritoryMonthStale.objects.exists()
    # The trajectories first: their reader recomputes the stale months itself.
    _compare_trajectories(WRITE_TARGETS, after=kind)
    assert not TerritoryMonthStale.objects.exists()
    _compare_every_year()


@pytest.mark.django_db
def test_only_writes_that_change_the_figures_mark_the_structure(geography):
    parcours = f.ParcoursFactory(participant__structure__commune=geography[0])
    _compare_every_year()
    Parcours.objects.update(warnings={"X": "à vérifier"})
    Structure.objects.update(name="Autre nom")
    assert not TerritoryYearStale.objects.exists()
    Parcours.objects.update(start_date=D(2021, 2, 1))
    assert list(TerritoryYearStale.objects.values_list("structure_id", flat=True)) == [
        parcours.structure_id
    ]


@pytest.mark.django_db
def test_a_change_of_geography_sends_readers_to_the_live_figures_until_a_rebuild(geography):
    f.ParcoursFactory(participant__structure__commune=geography[3], start_date=D(2022, 5, 2))
    _compare_every_year()
    for territory in Territory.objects.all():
        territory.name += " (renommé)"
        territory.save()  # every column is saved, the parent unchanged
    assert territory_years.covered_through() == 2026
    single = Territory.objects.get(geo_units__code="90000")
    single.parent = Territory.objects.get(geo_units__code="R9")
    single.save()
    assert territory_years.covered_through() is None
    territory_years.rebuild(2026)
    _compare_every_year()
    moved = Territory.objects.get(geo_units__code="R9")
    moved.geo_units.clear()
    arguments = {
        "programme": f.programme("CVG"),
        "period": periods.year(2022),
        "territory_ids": [moved.pk],
        "structure_ids": list(Structure.objects.values_list("pk", flat=True)),
    }
    assert territory_years.comparison(**arguments) is None
    territory_years.rebuild(2026)
    _compare_every_year()


@pytest.mark.django_db
def test_periods_the_rows_do_not_hold_are_left_to_the_live_computation(geography):
    arguments = {
        "programme": f.programme("CVG"),
        "territory_ids": list(Territory.objects.values_list("pk", flat=True)),
        "structure_ids": [],
    }
    assert territory_years.comparison(period=periods.year(2027), **arguments) is None
    semester = periods.Period(D(2025, 1, 1), D(2025, 6, 30))
    assert territory_years.comparison(period=semester, **arguments) is None
    assert territory_years.comparison(period=periods.year(2026), **arguments) is not None


@pytest.mark.django_db
def test_the_background_refresh_clears_every_stale_structure(geography):
    for commune in geography:
        f.ParcoursFactory(participant__structure__commune=commune)
    assert TerritoryYearStale.objects.count() == 4
    assert territory_years.refresh_stale(batch=3) == 8  # 4 yearly and 4 monthly marks
    assert not TerritoryYearStale.objects.exists()
    assert not TerritoryMonthStale.objects.exists()
    _compare_every_year()


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_a_reader_and_its_mark_is_kept(geography):
    """A reader keeps its locks until its transaction ends: a writer of the same structure
    meanwhile is not blocked, and its stale mark, committed after the reader's recompute,
    makes the next reader recompute."""
    TerritoryYearCoverage.objects.update_or_create(pk=1, defaults={"through_year": 2026})
    for code in ("CVG", "PHC", "IAE"):  # committed before the reader's transaction
        f.programme(code)
    structure = f.StructureFactory(commune=geography[0])
    person = f.ParticipantFactory(structure=structure)
    f.ParcoursFactory(participant=person, start_date=D(2023, 3, 6))
    written, errors = threading.Event(), []

    def writer():
        try:
            with transaction.atomic():
                f.ParcoursFactory(
                    participant=person, programme=f.programme("PHC"), start_date=D(2023, 4, 3)
                )
            written.set()
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        _compare_every_year()  # recomputes the structure and keeps its lock until commit
        thread = threading.Thread(target=writer)
        thread.start()
        assert written.wait(10), "a writer must not wait for a reader"
    thread.join(10)
    assert not errors, errors
    assert TerritoryYearStale.objects.filter(structure=structure).exists()
    _compare_every_year()  # the PHC parcours written meanwhile is in the yearly rows
    assert not TerritoryYearStale.objects.exists()


@pytest.mark.django_db
def test_the_command_refreshes_or_rebuilds_when_the_year_or_geography_changed(geography):
    f.ParcoursFactory(participant__structure__commune=geography[1], start_date=D(2024, 9, 2))
    out = StringIO()
    call_command("refresh_territory_years", stdout=out)
    assert out.getvalue().startswith("2 stale mark(s) cleared")  # its years and its months
    TerritoryYearCoverage.objects.all().delete()  # what a change of geography does
    call_command("refresh_territory_years", stdout=out)
    assert "Rebuilt through" in out.getvalue()
    assert territory_years.covered_through() == dt.date.today().year
    _compare_every_year()


def _refresh(structure_ids, max_stale=territory_years.MAX_STALE) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporting_territory_year_refresh(%s::bigint[], %s)", [structure_ids, max_stale]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_too_many_stale_structures_or_no_coverage_send_the_page_to_the_live_figures(geography):
    for commune in geography:
        f.ParcoursFactory(participant__structure__commune=commune)
    stale = sorted(set(TerritoryYearStale.objects.values_list("structure_id", flat=True)))
    assert _refresh(stale, max_stale=3) == -1  # 4 stale structures: computed live
    assert TerritoryYearStale.objects.count() == 4  # and kept for the background job
    TerritoryYearCoverage.objects.all().delete()
    assert _refresh(stale) == -1  # a recompute now would insert nothing: not done
    assert TerritoryYearStale.objects.count() == 4
    territory_years.rebuild(2026)
    assert _refresh(stale) == 0


@pytest.mark.django_db(transaction=True)
def test_a_page_does_not_queue_behind_a_busy_structure(geography):
    """Another transaction holds a structure's lock: after 1 s the page computes live."""
    TerritoryYearCoverage.objects.update_or_create(pk=1, defaults={"through_year": 2026})
    parcours = f.ParcoursFactory(participant__structure__commune=geography[0])
    holding, release = threading.Event(), threading.Event()

    def other_reader():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(1130, %s)", [parcours.structure_id])
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_reader)
    thread.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            assert _refresh([parcours.structure_id]) == -1
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('lock_timeout')")
                assert cursor.fetchone()[0] != "1s"  # the caller's own setting is back
    finally:
        release.set()
        thread.join(10)
    assert TerritoryYearStale.objects.filter(structure_id=parcours.structure_id).exists()


@pytest.mark.django_db
def test_the_database_function_computes_what_the_module_says():
    """The migrations keep frozen copies of COMPUTE_SQL and MONTH_COMPUTE_SQL: the installed
    function must hold the module's statements (a change of one without the other, or
    without a migration, fails here)."""
    filters = {
        "structure_filter": "AND p.structure_id = ANY(ids)",
        "exit_filter": "AND e.structure_id = ANY(ids)",
        "hours_filter": "AND h.structure_id = ANY(ids)",
    }
    definitions = {}
    with connection.cursor() as cursor:
        for function in ("reporting_territory_year_refresh", "reporting_territory_month_refresh"):
            cursor.execute(
                "SELECT pg_get_functiondef(%s::regprocedure)", [f"{function}(bigint[], integer)"]
            )
            (definitions[function],) = cursor.fetchone()
    compute = territory_years.COMPUTE_SQL.format(**filters).strip()
    month_compute = territory_years.MONTH_COMPUTE_SQL.format(**filters).strip()
    assert compute in definitions["reporting_territory_year_refresh"]
    assert month_compute in definitions["reporting_territory_month_refresh"]


def _returning_person(geography):
    """One person at one structure, counted January–February 2023, away in March, back
    April–May 2023 (a second parcours), plus a second person from 15 March to 31 March
    2023 (on the month's last day: present at its end), at the same structure."""
    structure = f.StructureFactory(commune=geography[0])
    person = f.ParticipantFactory(structure=structure)
    for start, end in ((D(2023, 1, 1), D(2023, 2, 28)), (D(2023, 4, 30), D(2023, 5, 1))):
        f.ParcoursFactory(
            participant=person, start_date=start, end_date=end, status=ParcoursStatus.SORTI
        )
    f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=structure),
        start_date=D(2023, 3, 15),
        end_date=D(2023, 3, 31),
        status=ParcoursStatus.SORTI,
    )
    return structure


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "accompanied", "active", "entries", "exits"),
    [
        # One stretch, then the gap of March, then the other: one person, not two.
        (D(2023, 1, 1), D(2023, 5, 31), 2, 0, 3, 3),
        (D(2023, 2, 1), D(2023, 4, 30), 2, 1, 2, 2),  # 30 April: the second parcours' start
        (D(2023, 3, 1), D(2023, 3, 31), 1, 1, 1, 1),  # March: the second person only
        (D(2023, 1, 1), D(2023, 3, 31), 2, 1, 2, 2),
        (D(2023, 4, 1), D(2023, 6, 30), 1, 0, 1, 1),
        (D(2023, 6, 1), D(2023, 12, 31), 0, 0, 0, 0),
        # Free dates: the months holding them, less their edges.
        (D(2023, 2, 20), D(2023, 4, 29), 2, 0, 1, 2),
        (D(2023, 3, 1), D(2023, 4, 29), 1, 0, 1, 1),  # back on 30 April: after P
        (D(2023, 2, 28), D(2023, 4, 30), 2, 1, 2, 2),
        (D(2023, 5, 2), D(2023, 5, 31), 0, 0, 0, 0),
        (D(2023, 5, 1), D(2023, 5, 1), 1, 1, 0, 1),
    ],
)
def test_distinct_people_over_months_and_free_dates_hand_computed(
    geography, start, end, accompanied, active, entries, exits
):
    structure = _returning_person(geography)
    territory = Territory.objects.get(geo_units__code="90000")
    arguments = {
        "programme": f.programme("CVG"),
        "period": periods.Period(start, end),
        "structure_ids": [structure.pk],
        "territory_id": territory.pk,
    }
    table = territory_months.table(**arguments)
    figures = table.by_structure.get(structure.pk)
    got = (
        (figures.accompanied, figures.active_at_end, figures.entries, figures.exits)
        if figures
        else (0, 0, 0, 0)
    )
    assert got == (accompanied, active, entries, exits)
    live = ind.indicator_table(with_months=True, **arguments)
    assert (table.total, table.by_structure, table.months) == (
        live.total,
        live.by_structure,
        live.months,
    )
    # The gap of March is held once per territory holding the commune (the commune's, its
    # département's, the région's), between its last month before and first month after.
    assert set(
        TerritoryMonthGap.objects.filter(structure=structure).values_list(
            "last_month", "next_month", "people"
        )
    ) == {(D(2023, 2, 1), D(2023, 4, 1), 1)}
    assert TerritoryMonthGap.objects.filter(structure=structure).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        # (month, cumulative entries, cumulative persons): back in April after March away,
        # the first person counts once; the second joins in March.
        (
            D(2023, 1, 1),
            D(2023, 6, 30),
            D(2023, 6, 15),
            [(1, 1, 1), (2, 1, 1), (3, 2, 2), (4, 3, 2), (5, 3, 2), (6, 3, 2)],
        ),
        # On 15 March, the start of 30 April is typed ahead: it counts in March.
        (D(2023, 1, 1), D(2023, 6, 30), D(2023, 3, 15), [(1, 1, 1), (2, 1, 1), (3, 3, 2)]),
        # From March, the first person's stretch before the gap lies outside P: back in
        # April, they join P then.
        (
            D(2023, 3, 1),
            D(2023, 6, 30),
            D(2023, 7, 1),
            [(3, 1, 1), (4, 2, 2), (5, 2, 2), (6, 2, 2)],
        ),
        # From February, already there: they do not join again in April.
        (D(2023, 2, 1), D(2023, 6, 30), D(2023, 4, 10), [(2, 0, 1), (3, 1, 2), (4, 2, 2)]),
        # On 1 March, both starts to come (15 March, 30 April) count in March.
        (D(2023, 2, 1), D(2023, 4, 30), D(2023, 3, 1), [(2, 0, 1), (3, 2, 2)]),
        (D(2023, 2, 1), D(2023, 4, 30), D(2023, 1, 31), []),
    ],
)
def test_a_trajectory_over_a_gap_and_starts_typed_ahead_hand_computed(
    geography, start, end, today, expected
):
    structure = _returning_person(geography)
    territory = Territory.objects.get(geo_units__code="90000")
    arguments = {
        "programme": f.programme("CVG"),
        "period": periods.Period(start, end),
        "territory_ids": [territory.pk],
        "structure_ids": [structure.pk],
        "today": today,
    }
    maintained = trajectories.maintained_trajectories(**arguments)
    assert [
        (m.month.month, m.cum_entries, m.cum_accompanied) for m in maintained[territory.pk]
    ] == expected
    # One structure: it contributes every newcomer and entry of its months.
    for m in maintained[territory.pk]:
        assert (m.entries_structures, m.entries_top) == ((1, m.entries) if m.entries else (0, 0))
        assert (m.persons_structures, m.persons_top) == ((1, m.persons) if m.persons else (0, 0))
    assert maintained == trajectories.territory_trajectories(**arguments)


@pytest.mark.django_db
def test_periods_beyond_the_rows_are_left_to_the_live_computation(geography):
    f.ParcoursFactory(participant__structure__commune=geography[0], start_date=D(2023, 3, 6))
    arguments = {
        "programme": f.programme("CVG"),
        "territory_ids": list(Territory.objects.values_list("pk", flat=True)),
        "structure_ids": list(Structure.objects.values_list("pk", flat=True)),
    }
    for period in (
        periods.quarter(2027, 1),
        periods.Period(D(2026, 12, 2), D(2027, 1, 5)),
        periods.semester(2026, 2),
    ):
        assert territory_months.comparison(period=period, **arguments) is None
    for period in (periods.quarter(2026, 4), periods.Period(D(2026, 12, 2), D(2026, 12, 5))):
        assert territory_months.comparison(period=period, **arguments) is not None


@pytest.fixture
def busy_world(geography):
    """Three structures, people with several parcours (back after a break, overlapping,
    open), exits, hours and snapshots, at work sites in different communes."""
    rng = random.Random(17)
    communes = geography
    structures = [f.StructureFactory(commune=rng.choice(communes)) for _ in range(3)]
    sites = [f.WorkSiteFactory(structure=s, commune=rng.choice(communes)) for s in structures]
    programmes = [f.programme(code) for code in ("CVG", "PHC", "IAE")]
    for _ in range(8):
        structure = rng.choice(structures)
        person = f.ParticipantFactory(structure=structure)
        start = D(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1500))
        for _ in range(rng.randint(1, 3)):
            programme = rng.choice(programmes)
            end = start + dt.timedelta(days=rng.randint(0, 300))
            is_open = rng.random() < 0.2 and not Parcours.objects.filter(
                participant=person, programme=programme, end_date__isnull=True
            )
            parcours = f.ParcoursFactory(
                participant=person,
                programme=programme,
                start_date=start,
                end_date=None if is_open else end,
                status=ParcoursStatus.EN_COURS if is_open else ParcoursStatus.SORTI,
                work_site=rng.choice([None, *(s for s in sites if s.structure == structure)]),
            )
            f.SnapshotFactory(
                participant=person,
                parcours=rng.choice([parcours, None]),
                context=SnapshotContext.ENTREE,
                date=start,
                housing=rng.choice(HOUSINGS),
            )
            if not is_open:
                Exit.objects.create(
                    parcours=parcours,
                    structure=structure,
                    date=end,
                    dgefp_category=rng.choice(ind.CATEGORY_CODES),
                    situation=rng.choice(SITUATIONS),
                )
                f.SnapshotFactory(
                    participant=person,
                    parcours=parcours,
                    context=SnapshotContext.SORTIE,
                    date=end,
                    housing=rng.choice(HOUSINGS),
                )
            monday = start - dt.timedelta(days=start.weekday())
            last = end if not is_open else D(2026, 6, 29)
            # A week is recorded when it overlaps its parcours (services.worked_hours_record).
            for week in range(0, min(40, (last - monday).days // 7 + 1), 3):
                f.WorkedHoursFactory(
                    parcours=parcours,
                    week_start=monday + dt.timedelta(weeks=week),
                    hours=Decimal(rng.randint(1, 70)) / 2,
                )
            # Back after a break of 0 to 90 days (a gap of whole months, or none).
            start = end + dt.timedelta(days=rng.randint(-30, 90))
    territory_years.rebuild(2026)


@pytest.mark.django_db
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=st.integers(0, 72), length=st.integers(0, 72))
def test_any_whole_months_read_from_the_rows_equal_the_live_figures(busy_world, first, length):
    assert TerritoryMonth.objects.exists() and TerritoryMonthGap.objects.exists()
    period = _months_period(first, min(72, first + length))
    _compare_periods([period], after=str(period))


@pytest.mark.django_db
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.dates(D(2020, 12, 1), D(2026, 12, 31)), days=st.integers(0, 800))
# Exits after P in its last month, whose categories the edges take off (found by hypothesis
# with the upper edge's exits left unread; fixed here so that every run checks them).
@example(start=D(2023, 8, 1), days=132)
@example(start=D(2024, 9, 1), days=30)
def test_any_free_dates_read_from_the_rows_equal_the_live_figures(busy_world, start, days):
    period = periods.Period(start, min(D(2026, 12, 31), start + dt.timedelta(days=days)))
    _compare_periods([period], after=str(period))


@pytest.mark.django_db
def test_a_reader_recomputes_only_the_rows_it_reads(geography):
    """A calendar year's reader recomputes the yearly rows and leaves the months stale; a
    reader of months recomputes them; more stale structures than a page recomputes send it
    to the live figures and leave the marks to the background job."""
    f.ParcoursFactory(participant__structure__commune=geography[0], start_date=D(2023, 3, 6))
    arguments = {
        "programme": f.programme("CVG"),
        "territory_ids": list(Territory.objects.values_list("pk", flat=True)),
        "structure_ids": list(Structure.objects.values_list("pk", flat=True)),
    }
    assert territory_months.comparison(period=periods.year(2023), **arguments) is not None
    assert not TerritoryYearStale.objects.exists()
    assert TerritoryMonthStale.objects.exists()
    assert territory_months.comparison(period=periods.quarter(2023, 1), **arguments) is not None
    assert not TerritoryMonthStale.objects.exists()
    for commune in geography * 2:  # more structures than a page recomputes
        f.ParcoursFactory(participant__structure__commune=commune, start_date=D(2023, 3, 6))
    arguments["structure_ids"] = list(Structure.objects.values_list("pk", flat=True))
    assert TerritoryMonthStale.objects.values("structure").distinct().count() > (
        territory_months.MAX_STALE
    )
    assert territory_months.comparison(period=periods.quarter(2023, 1), **arguments) is None
    assert territory_years.refresh_stale() > 0
    assert not TerritoryMonthStale.objects.exists()
    _compare_periods([periods.quarter(2023, 1)])


# Target periods of a trajectory: a calendar year, two years, a quarter, a Convergence
# semester, a July-to-June year, the year running today (it ends after today), and free
# dates (computed from the parcours).
TARGET_PERIODS = [
    periods.year(2023),
    periods.Period(D(2022, 1, 1), D(2023, 12, 31)),
    periods.quarter(2024, 2),
    periods.semester(2023, 2),
    periods.july_june(2022),
    periods.year(2026),
    periods.Period(D(2023, 2, 10), D(2023, 5, 20)),
]


@pytest.mark.django_db
def test_trajectories_read_from_the_monthly_rows_equal_the_live_statement(busy_world):
    _compare_trajectories(TARGET_PERIODS)
    # Read today, as the page does.
    today = dt.date.today()
    _compare_trajectories(TARGET_PERIODS, days=lambda _: [today])


@pytest.mark.django_db
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=st.integers(0, 72), length=st.integers(0, 72), day=st.integers(-5, 2300))
def test_any_trajectory_of_whole_months_read_from_the_rows_equals_the_live_one(
    busy_world, first, length, day
):
    period = _months_period(first, min(72, first + length))
    today = period.start + dt.timedelta(days=day)
    _compare_trajectories([period], after=str(period), days=lambda _: [today])
