"""The month rows of worked hours follow every write on the weeks, exactly (database
triggers), and the dashboards read the same hours from them as from the weeks."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection

from participants import models as pm
from participants import services
from reporting import indicators as ind
from reporting.hours_by_month import covers_whole_months, rebuild
from reporting.models import HoursByMonth
from reporting.periods import Period, year
from sites.tenancy import scope_for_user
from sites.tenancy.rls import web_role
from tests import factories as f

pytestmark = pytest.mark.django_db

MONDAYS = [dt.date(2024, 12, 30) + dt.timedelta(weeks=n) for n in range(10)]  # Dec → Mar


def _months_from_weeks() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT structure_id, parcours_id, date_trunc('month', week_start)::date, SUM(hours)
               FROM participants_workedhours GROUP BY 1, 2, 3 HAVING SUM(hours) <> 0"""
        )
        return {row[:3]: row[3] for row in cursor.fetchall()}


def _month_rows() -> dict:
    return {
        (r.structure_id, r.parcours_id, r.month): r.hours
        for r in HoursByMonth.objects.exclude(hours=0)
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_month_rows_follow_every_kind_of_write(seed):
    rng = random.Random(seed)
    parcours = [f.ParcoursFactory(), f.ParcoursFactory(), f.ParcoursFactory()]
    for _ in range(40):
        op = rng.choice(["create", "create", "bulk_create", "update", "move", "bulk", "delete"])
        weeks = list(pm.WorkedHours.objects.all())
        p = rng.choice(parcours)
        taken = {(w.parcours_id, w.week_start) for w in weeks}
        free = [m for m in MONDAYS if (p.pk, m) not in taken]
        if op == "create" and free:
            f.WorkedHoursFactory(parcours=p, week_start=rng.choice(free), hours=rng.randint(0, 35))
        elif op == "bulk_create" and free:
            pm.WorkedHours.objects.bulk_create(
                pm.WorkedHours(
                    structure_id=p.structure_id, parcours=p, week_start=m, hours=Decimal("7.5")
                )
                for m in rng.sample(free, min(3, len(free)))
            )
        elif op == "update" and weeks:
            week = rng.choice(weeks)
            week.hours = Decimal(rng.randint(0, 35)) + Decimal("0.25")
            week.save()
        elif op == "move" and weeks:  # another month, possibly
            week = rng.choice(weeks)
            targets = [m for m in MONDAYS if (week.parcours_id, m) not in taken]
            if targets:
                week.week_start = rng.choice(targets)
                week.save()
        elif op == "bulk":
            pm.WorkedHours.objects.filter(parcours=p).update(hours=Decimal(12))
        elif op == "delete" and weeks:
            rng.choice(weeks).delete()
        assert _month_rows() == _months_from_weeks(), op
    pm.WorkedHours.objects.all().delete()
    assert not HoursByMonth.objects.exists()  # months at zero are removed


def test_the_web_role_keeps_the_month_rows_within_its_structure(structure_a, caseworker_a):
    parcours = f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=structure_a),
        programme=f.programme("CVG"),
        start_date=dt.date(2025, 1, 6),
    )
    with web_role(scope_for_user(caseworker_a)):
        services.worked_hours_record(
            parcours=parcours, week_start=dt.date(2025, 3, 3), hours=Decimal(6), actor=caseworker_a
        )
    assert _month_rows() == {(parcours.structure_id, parcours.pk, dt.date(2025, 3, 1)): Decimal(6)}


def test_rebuild_gives_the_same_rows():
    p = f.ParcoursFactory()
    for monday, hours in zip(MONDAYS, [4, 8, 0, 12, 16], strict=False):
        f.WorkedHoursFactory(parcours=p, week_start=monday, hours=hours)
    before = _month_rows()
    rebuild()
    assert _month_rows() == before == _months_from_weeks()


def test_whole_months():
    assert covers_whole_months(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert covers_whole_months(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert not covers_whole_months(dt.date(2025, 1, 2), dt.date(2025, 12, 31))
    assert not covers_whole_months(dt.date(2025, 1, 1), dt.date(2025, 12, 30))


def test_dashboards_read_the_same_hours_from_months_and_weeks(monkeypatch):
    p = f.ParcoursFactory(start_date=dt.date(2024, 11, 4))
    for monday in MONDAYS:
        f.WorkedHoursFactory(parcours=p, week_start=monday, hours=Decimal("9.5"))

    def table(period):
        return ind.indicator_table(
            programme=p.programme,
            period=period,
            structure_ids=[p.structure_id],
        )

    for period in (year(2025), Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28))):
        from_months = table(period).total.hours_worked
        monkeypatch.setattr(ind, "covers_whole_months", lambda start, end: False)
        from_weeks = table(period).total.hours_worked
        monkeypatch.undo()
        assert from_months == from_weeks > 0
