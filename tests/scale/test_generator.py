"""The dataset generator at `small` scale: reproducible, valid, and refusing a used database."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Q

from bench.periods import LIVE_PERIODS
from bench.sql import territory_figures, territory_table
from demo.dataset import SCALES, Progress, generate
from demo.dataset.shape import AS_OF
from participants import models as pm
from participants import rules
from participants.enums import EXIT_CATEGORY, DgefpCategory
from programmes.models import Programme
from sites.models import Territory
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
PERSON_TABLES = [
    pm.Participant,
    pm.Parcours,
    pm.Contract,
    pm.HoursStage,
    pm.WorkedHours,
    pm.SituationSnapshot,
    pm.AccompanimentAction,
    pm.Exit,
    pm.FollowupCheck,
]


def _fingerprint() -> dict:
    """Row counts and every territory × programme's figures for 2025, keyed by slug/code."""
    counts = {m.__name__: m.objects.count() for m in PERSON_TABLES}
    figures = {}
    for territory in Territory.objects.order_by("slug"):
        for programme in Programme.objects.order_by("code"):
            figures[(territory.slug, programme.code)] = territory_figures(
                territory_id=territory.pk, programme_id=programme.pk, start=YEAR[0], end=YEAR[1]
            )
    names = list(pm.Participant.objects.order_by("external_id").values_list("last_name", flat=True))
    return {"counts": counts, "figures": figures, "names": names}


def _generate_and_roll_back(seed: int) -> dict:
    with transaction.atomic():
        result = generate("small", seed)
        fingerprint = _fingerprint()
        fingerprint["reported"] = result.counts
        transaction.set_rollback(True)
    return fingerprint


def test_same_seed_gives_the_same_rows_and_figures():
    first = _generate_and_roll_back(7)
    second = _generate_and_roll_back(7)
    assert first == second
    # The counts are those of the `small` scale (hours and actions are calibrated, not exact).
    small = SCALES["small"]
    assert first["counts"]["Participant"] == small.participants
    assert first["counts"]["Parcours"] == small.parcours
    assert abs(first["counts"]["WorkedHours"] - small.worked_hours) < 0.1 * small.worked_hours
    assert abs(first["counts"]["AccompanimentAction"] - small.actions) < 0.1 * small.actions
    # The dashboards of the generated territories have something to show.
    assert sum(fig["accompanied"] for fig in first["figures"].values()) > 100


def test_another_seed_gives_other_data():
    assert _generate_and_roll_back(7)["names"] != _generate_and_roll_back(8)["names"]


def test_generated_rows_respect_the_domain_rules():
    result = generate("small", 3, progress=Progress(stream=StringIO()))
    assert result.counts["participants"] == SCALES["small"].participants
    # Every week starts on a Monday; the tenant key is copied down from the parcours.
    assert not pm.WorkedHours.objects.exclude(week_start__iso_week_day=1).exists()
    with connection.cursor() as cursor:
        for child in ("workedhours", "contract", "hoursstage", "accompanimentaction", "exit"):
            cursor.execute(
                f"SELECT COUNT(*) FROM participants_{child} c "  # noqa: S608 (fixed names)
                "JOIN participants_parcours p ON p.id = c.parcours_id "
                "WHERE c.structure_id <> p.structure_id"
            )
            assert cursor.fetchone()[0] == 0, child
        cursor.execute(
            "SELECT COUNT(*) FROM participants_parcours p JOIN participants_participant pa "
            "ON pa.id = p.participant_id WHERE p.structure_id <> pa.structure_id"
        )
        assert cursor.fetchone()[0] == 0
    # Exits: same date as the parcours end, DGEFP category derived from the situation.
    for situation, category, date, end in pm.Exit.objects.values_list(
        "situation", "dgefp_category", "date", "parcours__end_date"
    ):
        assert EXIT_CATEGORY[situation] == category
        assert date == end
    assert not pm.Parcours.objects.filter(status="SORTI", exit__isnull=True).exists()
    # Premières Heures starts at 4 h/week and never goes beyond 20.
    stages = pm.HoursStage.objects.filter(parcours__programme__code="PHC")
    assert stages.exists()
    assert all(4 <= h <= 20 for h in stages.values_list("weekly_hours", flat=True))
    assert not stages.filter(start_date=models_first_start()).exclude(weekly_hours=4).exists()
    # Synthetic geography never reuses a real INSEE code.
    assert not Territory.objects.exclude(geo_units__code__startswith="Z").exists()
    _referrals_and_checks_as_the_services_record_them()


def _referrals_and_checks_as_the_services_record_them():
    parcours = pm.Parcours.objects.all()
    # Referrals: dated on or before the entry, by a partner (a transfer is not generated);
    # the people not yet started were referred on their parcours' date; a non-entry has
    # its decision (the end date) and its reason, an entry after referral none.
    referred = parcours.exclude(referred_on=None)
    assert referred.count() > parcours.count() // 3
    assert not referred.filter(referred_on__gt=F("start_date")).exists()
    assert not referred.filter(referred_by__in=["", "TRANSFERT"]).exists()
    assert not parcours.filter(referred_on=None).exclude(referred_by="").exists()
    waiting = parcours.filter(status__in=["ORIENTE", "NON_ENTRE"])
    assert waiting.exists()
    assert not waiting.filter(referred_on=None).exists()
    assert not waiting.exclude(referred_on=F("start_date")).exists()
    non_entries = parcours.filter(status="NON_ENTRE")
    assert not non_entries.filter(Q(end_date=None) | Q(non_entry_reason="")).exists()
    assert not parcours.exclude(status="NON_ENTRE").exclude(non_entry_reason="").exists()
    assert not parcours.filter(previous__isnull=False).exclude(referred_on=None).exists()
    # Follow-up checks: those `followup_schedule` makes for each exit (none after a
    # neutralised one, none past the follow-up's end), done ones answered within it.
    checks = pm.FollowupCheck.objects.select_related("parcours__exit", "parcours__programme")
    assert checks.filter(done_on=None).exists() and checks.filter(reached=True).exists()
    assert checks.filter(reached=False).exists()
    for exit_ in pm.Exit.objects.select_related("parcours__programme"):
        programme = exit_.parcours.programme
        expected = sorted(
            months
            for months in programme.followup_check_months
            if EXIT_CATEGORY[exit_.situation] != DgefpCategory.NEUTRALISEE
            and programme.followup_months
            and rules.add_months(exit_.date, months) <= exit_.followup_until
        )
        if programme.followup_months:
            assert exit_.followup_until == rules.add_months(exit_.date, programme.followup_months)
        scheduled = sorted(c.months for c in checks if c.parcours_id == exit_.parcours_id)
        assert scheduled == expected, exit_.parcours_id
    for check in checks:
        exit_ = check.parcours.exit
        assert check.due_on == rules.add_months(exit_.date, check.months)
        assert check.dgefp_category == EXIT_CATEGORY.get(check.situation, "")
        assert check.structure_id == check.parcours.structure_id
        if check.done_on is None:
            assert check.reached is None and not check.situation
        else:
            assert exit_.date <= check.done_on <= AS_OF
            assert check.done_on <= exit_.followup_until + dt.timedelta(
                days=settings.FOLLOWUP_LATE_DAYS
            )
            assert bool(check.situation) == check.reached
            assert EXIT_CATEGORY.get(check.situation) != DgefpCategory.NEUTRALISEE


def models_first_start():
    """The start date of each PHC parcours (its first palier)."""
    from django.db.models import OuterRef, Subquery

    return Subquery(pm.Parcours.objects.filter(pk=OuterRef("parcours_id")).values("start_date")[:1])


def test_hand_written_sql_matches_the_reporting_indicators():
    """The benchmark's reference query computes the same figures as the dashboard."""
    indicators = pytest.importorskip("reporting.indicators")
    from reporting.periods import free

    generate("small", 5)
    period = free(*YEAR)
    compared = 0
    for territory in Territory.objects.all():
        for programme in Programme.objects.filter(code__in=["CVG", "PHC", "IAE"]):
            ids = indicators.structures_in_territory(territory.pk)
            total = indicators.indicator_table(
                programme=programme,
                period=period,
                structure_ids=ids,
                territory_id=territory.pk,
            ).total
            mine = territory_figures(
                territory_id=territory.pk, programme_id=programme.pk, start=YEAR[0], end=YEAR[1]
            )
            assert total.accompanied == mine["accompanied"]
            assert total.active_at_end == mine["active_at_end"]
            assert total.entries == mine["entries"]
            assert total.exits == mine["exits"]
            assert total.dynamic_exits == mine["dynamic_exits"]
            assert total.duration_days == mine["duration_days"]
            assert total.hours_worked == mine["hours_worked"]
            assert total.phc_continuations == mine["phc_continuations"]
            if programme.code == "CVG":
                assert total.housing_denominator == mine["housing_denominator"]
                assert total.housing_numerator == mine["housing_numerator"]
            compared += 1
    assert compared >= 12


# The periods `make bench` times: the calendar year and the live ones.
BENCH_PERIODS = list(LIVE_PERIODS.values())


def _as_hand_written(figures) -> dict:
    """An `Indicators` in the shape of `bench.sql.territory_table`'s figures (months aside)."""
    row = {
        name: getattr(figures, name)
        for name in (
            "accompanied", "active_at_end", "entries", "exits", "dynamic_exits",
            "duration_days", "hours_worked", "housing_denominator", "housing_numerator",
            "phc_continuations",
        )
    }  # fmt: skip
    row.update({f"exits_{code}": n for code, n in figures.exits_by_category.items()})
    return row


def test_the_hand_written_table_matches_the_dashboard_for_every_bench_period():
    """`make bench` compares each live period's page with bench.sql.territory_table: both
    compute the same figures, structure by structure, and the same monthly series."""
    from reporting import indicators
    from reporting.periods import free

    generate("small", 5)
    compared = 0
    for territory in Territory.objects.filter(parent__isnull=True):
        ids = indicators.structures_in_territory(territory.pk)
        for programme in Programme.objects.filter(code__in=["CVG", "IAE"]):
            for start, end in BENCH_PERIODS:
                live = indicators.indicator_table(
                    programme=programme,
                    period=free(start, end),
                    structure_ids=ids,
                    territory_id=territory.pk,
                    with_months=True,
                )
                with connection.cursor() as cursor:
                    mine = territory_table(
                        cursor,
                        territory_id=territory.pk,
                        programme_id=programme.pk,
                        start=start,
                        end=end,
                    )
                total = mine.pop(None)
                months = [(m.month.isoformat(), m.entries, m.exits) for m in live.months]
                by_month = [
                    (
                        m,
                        sum(row["entries_by_month"].get(m, 0) for row in mine.values()),
                        sum(row["exits_by_month"].get(m, 0) for row in mine.values()),
                    )
                    for m, _, _ in months
                ]
                assert months == by_month
                for name in ("entries_by_month", "exits_by_month"):
                    del total[name]
                    for row in mine.values():
                        del row[name]
                if programme.code != "CVG":  # the reference reads housing for CVG only
                    for row in [total, *mine.values()]:
                        row["housing_denominator"] = row["housing_numerator"] = 0
                expected = {
                    pk: _as_hand_written(figures) for pk, figures in live.by_structure.items()
                }
                if programme.code != "CVG":
                    for row in expected.values():
                        row["housing_denominator"] = row["housing_numerator"] = 0
                assert mine == expected
                expected_total = _as_hand_written(live.total)
                if programme.code != "CVG":
                    expected_total["housing_denominator"] = 0
                    expected_total["housing_numerator"] = 0
                assert total == expected_total
                compared += 1
    assert compared >= 10


def test_the_national_view_reads_the_same_figures_as_a_live_computation():
    """The generator loads with triggers off, then rebuilds the national view's yearly rows."""
    from reporting import indicators, periods, territory_years
    from sites.models import Structure

    generate("small", 5)
    arguments = {
        "territory_ids": list(Territory.objects.values_list("pk", flat=True)),
        "structure_ids": list(Structure.objects.values_list("pk", flat=True)),
    }
    for programme in Programme.objects.filter(code__in=["CVG", "PHC", "IAE"]):
        for year in range(2021, 2027):
            arguments |= {
                "programme": programme,
                "period": periods.year(year),
            }
            cached = territory_years.comparison(**arguments)
            live = indicators.territory_comparison(**arguments)
            assert cached.figures == live.figures, (programme.code, year)
            for territory_id, rows in live.by_structure.items():
                theirs = sorted(repr(sorted(fig.raw().items())) for fig in rows)
                mine = cached.by_structure[territory_id]
                assert sorted(repr(sorted(fig.raw().items())) for fig in mine) == theirs
    assert sum(fig.accompanied for fig in cached.figures.values()) > 0


def test_refuses_a_database_with_participants_unless_forced():
    f.ParticipantFactory()
    # A territory already uses this seed's slug prefix: the run must take another one.
    f.TerritoryFactory(slug="g1-d001")
    with pytest.raises(CommandError):
        call_command("generate_dataset", "--scale", "small", "--seed", "1", stdout=StringIO())
    out = StringIO()
    call_command(
        "generate_dataset",
        "--scale",
        "small",
        "--seed",
        "1",
        "--force",
        "--no-progress",
        stdout=out,
    )
    assert pm.Participant.objects.count() == 1 + SCALES["small"].participants
    assert Territory.objects.filter(slug__startswith="g1r2-").count() == 4
    assert "g1r2" in out.getvalue()
