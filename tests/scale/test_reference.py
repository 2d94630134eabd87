"""`make bench` times each territory dashboard against bench.sql_outcomes.territory_dashboard:
the hand-written statements must compute every figure the page prints, the same numbers,
for every period the bench times (the indicator table itself: test_generator.py)."""

import datetime as dt
from dataclasses import asdict

import pytest
from django.db import connection

from bench.periods import LIVE_PERIODS
from bench.sql_outcomes import TRAJECTORY_FIELDS, territory_dashboard
from demo.dataset import generate
from participants import models as pm
from participants.enums import EXIT_CATEGORY, ExitSituation, Housing, NonEntryReason, ReferralSource
from programmes.models import Deployment, Programme, Target
from reporting import indicators, selectors
from reporting.periods import free
from sites.models import Structure, Territory, WorkSite
from tests.scale.test_generator import _as_hand_written

pytestmark = pytest.mark.django_db

# The trajectories are read on this day: the calendar year, the semester and the July–June
# year are running (a projection), the free dates too young for a pace, the quarter not
# started. Then again once every period has ended.
RUNNING_DAY = dt.date(2025, 2, 15)
LAST_BENCH_DAY = max(end for _start, end in LIVE_PERIODS.values())
ENDED_DAY = dt.date(2026, 12, 1)


def _extra_targets() -> None:
    """Targets matching each bench period on every deployment's territory, besides the
    generated calendar years: `accompanied` exactly on the quarter, the semester and the
    free dates; `entries` over the July–June year only by a chain of shorter targets (with a
    longer span that leads nowhere, and two chains that lead to d2: the one taken starts
    with the longer span)."""
    quarter, semester, july_june, free_dates = (
        LIVE_PERIODS[label] for label in list(LIVE_PERIODS)[1:]
    )
    rows = []
    for deployment in Deployment.objects.filter(programme__code__in=["CVG", "IAE"]):
        for value, (start, end) in enumerate((quarter, semester, free_dates), start=40):
            rows.append(("accompanied", value, start, end, deployment))
        rows += [
            ("entries", 11, july_june[0], dt.date(2025, 5, 31), deployment),  # dead end
            ("entries", 12, july_june[0], dt.date(2025, 3, 31), deployment),
            ("entries", 13, dt.date(2024, 7, 1), dt.date(2024, 12, 31), deployment),
            ("entries", 14, dt.date(2025, 4, 1), july_june[1], deployment),
            ("entries", 15, dt.date(2025, 1, 1), dt.date(2025, 3, 31), deployment),
        ]
    Target.objects.bulk_create(
        Target(metric=m, value=v, period_start=s, period_end=e, deployment=d)
        for m, v, s, e, d in rows
    )


def _followups_and_referrals() -> None:
    """The generator writes neither follow-up checks nor referrals: some of each, the same at
    every run, over every case the figures tell apart (checks done or not, reached or not, at
    3, 6 and 12 months, every situation and housing; referrals from every source, transfers
    included, entries, non-entries for every reason)."""
    situations, housings = list(ExitSituation), [*Housing, ""]
    # More exits neutralised (a fifth of Convergence's): their checks do not count.
    cvg_exits = pm.Exit.objects.filter(parcours__programme__code="CVG")
    neutralised = [pk for pk in cvg_exits.values_list("parcours_id", flat=True) if pk % 5 == 0]
    pm.Exit.objects.filter(parcours_id__in=neutralised).update(
        situation=ExitSituation.DECES, dgefp_category=EXIT_CATEGORY[ExitSituation.DECES]
    )
    # These checks replace the generator's (which follow its rates): every case, on purpose.
    pm.FollowupCheck.objects.all().delete()
    checks = []
    exited = pm.Parcours.objects.filter(exit__isnull=False).values_list(
        "pk", "structure_id", "end_date"
    )
    for pk, structure_id, end in exited.order_by("pk"):
        for months in (3, 6, 12):
            if (pk + months) % 3 == 0:
                continue
            done = None if pk % 7 == 0 else end + dt.timedelta(days=30 * months + pk % 50 - 25)
            if done and done > LAST_BENCH_DAY:  # done early, so that recent exits count too
                done = end + dt.timedelta(days=pk % 60)
            reached = None if done is None else pk % 4 != 1
            situation = situations[(pk + months) % len(situations)] if reached else ""
            checks.append(
                pm.FollowupCheck(
                    parcours_id=pk,
                    structure_id=structure_id,
                    months=months,
                    due_on=end + dt.timedelta(days=30 * months),
                    done_on=done,
                    reached=reached,
                    situation=situation,
                    dgefp_category=EXIT_CATEGORY.get(situation, ""),
                    housing=housings[(pk * months) % len(housings)] if reached else "",
                )
            )
    pm.FollowupCheck.objects.bulk_create(checks, batch_size=2000)
    sources, reasons = [str(s) for s in ReferralSource], [str(r) for r in NonEntryReason]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE participants_parcours
            SET referred_on = start_date - (id %% 90)::int,
                referred_by = (%(sources)s::text[])[id %% %(n_sources)s + 1],
                non_entry_reason = CASE WHEN status = 'NON_ENTRE'
                    THEN (%(reasons)s::text[])[id %% %(n_reasons)s + 1] ELSE '' END,
                end_date = CASE WHEN status = 'NON_ENTRE' AND end_date IS NULL
                    THEN start_date + (id %% 20)::int ELSE end_date END
            WHERE id %% 3 <> 0
            """,
            {
                "sources": sources,
                "n_sources": len(sources),
                "reasons": reasons,
                "n_reasons": len(reasons),
            },
        )


def _a_site_across_the_border() -> None:
    """A structure of one département works in another (a work site there): its parcours at
    that site count in the other département (the generator places every site at home)."""
    first, second = (
        Territory.objects.filter(pk__in=Deployment.objects.values("territory_id"))
        .exclude(parent__isnull=True)
        .order_by("slug")[:2]
    )
    home = set(indicators.structures_in_territory(first.pk))
    abroad = set(indicators.structures_in_territory(second.pk))
    structure = Structure.objects.filter(pk__in=home - abroad).order_by("pk").first()
    elsewhere = Structure.objects.filter(pk__in=abroad - home).order_by("pk").first()
    site = WorkSite.objects.create(structure=structure, name="Chantier", commune=elsewhere.commune)
    moved = pm.Parcours.objects.filter(structure=structure).order_by("pk")
    pm.Parcours.objects.filter(pk__in=list(moved.values_list("pk", flat=True)[::3])).update(
        work_site=site
    )
    assert structure.pk in indicators.structures_in_territory(second.pk)


def _snapshots_not_on_the_parcours() -> None:
    """Housing recorded without a link to the parcours (the generator links every snapshot),
    on Convergence exits: an exit housing read from the person's unlinked snapshot of the
    exit day (one of the day before never counts, even alone), an entry housing read from
    the person's latest entry snapshot on or before the start (a later one never counts),
    and parcours with both their own snapshots and later unlinked ones (their own come
    first). Each unlinked housing differs from the right one where a wrong rule would change
    a count (housed or not)."""
    exits = pm.Parcours.objects.filter(programme__code="CVG", exit__isnull=False)
    rows = list(exits.values_list("pk", "structure_id", "participant_id", "start_date", "end_date"))
    cases = {pk: pk % 8 for pk, *_ in rows}
    own = pm.SituationSnapshot.objects.filter(parcours_id__in=list(cases))
    unlinked_exit = [pk for pk, case in cases.items() if case in (1, 3)]
    unlinked_entry = [pk for pk, case in cases.items() if case in (2, 6)]
    own.filter(context="SORTIE", parcours_id__in=unlinked_exit).delete()
    own.filter(context="ENTREE", parcours_id__in=unlinked_entry).delete()
    added = []
    for pk, structure_id, participant_id, start, end in rows:
        day = dt.timedelta(days=1)
        if cases[pk] == 1:  # the exit day's counts, not the day before's
            unlinked = [("SORTIE", end, "LOG_ACCOMPAGNE"), ("SORTIE", end - day, "RUE")]
        elif cases[pk] == 3:  # the day before's only: no exit housing
            unlinked = [("SORTIE", end - day, "LOG_AUTONOME")]
        elif cases[pk] in (2, 6):  # the latest on or before the start; never one after it
            unlinked = [
                ("ENTREE", start - 10 * day, "RUE"),
                ("ENTREE", start - 20 * day, "LOG_AUTONOME"),
                ("ENTREE", dt.date(2026, 6, 1), "LOG_AUTONOME"),
            ]
        elif cases[pk] == 7:  # the parcours' own first, even when older
            own.filter(parcours_id=pk, context="ENTREE").update(date=start - 30 * day)
            unlinked = [("ENTREE", start, "LOG_AUTONOME"), ("SORTIE", end, "HOTEL")]
        elif cases[pk] == 5:  # the parcours' own first (housed or not: see 7)
            unlinked = [("SORTIE", end, "LOG_AUTONOME")]
        else:
            unlinked = []
        added += [
            pm.SituationSnapshot(
                structure_id=structure_id, participant_id=participant_id, context=context,
                date=date, housing=housing,
            )
            for context, date, housing in unlinked
        ]  # fmt: skip
    pm.SituationSnapshot.objects.bulk_create(added)
    # The follow-up reads the exit housing by the same rule: a reached 12-month check done in
    # 2025, housed, on each of those exits.
    for pk, structure_id, _participant, _start, end in rows:
        if cases[pk] in (1, 3, 5, 7):
            pm.FollowupCheck.objects.update_or_create(
                parcours_id=pk,
                months=12,
                defaults={
                    "structure_id": structure_id,
                    "due_on": end + dt.timedelta(days=360),
                    "done_on": dt.date(2025, 6, 15),
                    "reached": True,
                    "situation": ExitSituation.CDI,
                    "dgefp_category": EXIT_CATEGORY[ExitSituation.CDI],
                    "housing": "LOG_AUTONOME",
                },
            )


def _page(territory, programme, start, end, today):
    report_scope = selectors.ReportScope(
        programme=programme,
        territory=territory,
        structure_ids=frozenset(indicators.structures_in_territory(territory.pk)),
    )
    dashboard = selectors.dashboard_figures(
        report_scope=report_scope, period=free(start, end), today=today
    )
    listed = selectors.territory_targets(report_scope=report_scope)
    return dashboard, listed


def _outcomes(after) -> dict:
    """The page's follow-up and orientations in the shape of the reference."""
    followup = {}
    for months in (6, 12):
        rows = {sid: asdict(c) for sid, c in after.followup[months].items()}
        if rows:
            rows[None] = asdict(after.followup_total[months])
        followup[months] = rows
    orientations = {sid: asdict(c) for sid, c in after.orientations.items()}
    orientations[None] = asdict(after.orientations_total)
    for row in orientations.values():
        row["non_entries_by_reason"] = dict(row["non_entries_by_reason"])
    return {"followup": followup, "orientations": orientations}


def _table(rows: dict, programme) -> dict:
    """The hand-written table, housing aside outside Convergence (it reads it for CVG only),
    the monthly series summed over the structures."""
    months: dict = {}
    for sid, row in rows.items():
        if programme.code != "CVG":
            row["housing_denominator"] = row["housing_numerator"] = 0
        for name in ("entries_by_month", "exits_by_month"):
            for month, n in row.pop(name).items():
                if sid is not None and n:
                    months.setdefault(month, [0, 0])[name.startswith("exits")] += n
    return {"rows": rows, "months": {m: tuple(n) for m, n in months.items()}}


def _page_table(dashboard) -> dict:
    rows = {pk: _as_hand_written(figures) for pk, figures in dashboard.table.by_structure.items()}
    rows[None] = _as_hand_written(dashboard.total)
    if dashboard.scope.programme.code != "CVG":
        for row in rows.values():
            row["housing_denominator"] = row["housing_numerator"] = 0
    months = {
        m.month.isoformat(): (m.entries, m.exits) for m in dashboard.months if m.entries or m.exits
    }
    return {"rows": rows, "months": months}


def _trajectory(trajectory) -> dict | None:
    if trajectory is None:
        return None
    return {
        "metric": trajectory.metric,
        "target": trajectory.target,
        "reference": trajectory.reference,
        "months": [
            dict(zip(TRAJECTORY_FIELDS, asdict(point).values(), strict=True))
            for point in trajectory.months
        ],
        "projection": trajectory.projection(),
    }


def test_the_hand_written_dashboard_matches_the_page_for_every_bench_period():
    generate("small", 5)
    _extra_targets()
    _followups_and_referrals()
    _a_site_across_the_border()
    _snapshots_not_on_the_parcours()
    territories = Territory.objects.filter(parent__isnull=True) | Territory.objects.filter(
        pk__in=Deployment.objects.values("territory_id")
    )
    seen = {"followup": 0, "orientations": 0, "targets": 0, "trajectories": 0, "chains": 0}
    for territory in territories.distinct().order_by("slug"):
        for programme in Programme.objects.filter(code__in=["CVG", "IAE"]).order_by("code"):
            for label, (start, end) in LIVE_PERIODS.items():
                for today in (RUNNING_DAY, ENDED_DAY):
                    where = (territory.slug, programme.code, label, today)
                    dashboard, listed = _page(territory, programme, start, end, today)
                    with connection.cursor() as cursor:
                        mine = territory_dashboard(
                            cursor,
                            territory_id=territory.pk,
                            programme_id=programme.pk,
                            start=start,
                            end=end,
                            today=today,
                        )
                    # The table as the page reads it (maintained rows): the gauge's realised
                    # value is its total's (test_generator.py compares it with the live one).
                    assert _table(mine["table"], programme) == _page_table(dashboard), where
                    assert mine["outcomes"] == _outcomes(dashboard.outcomes), where
                    assert mine["targets"]["matched"] == dashboard.targets, where
                    assert sorted(mine["targets"]["listed"]) == sorted(
                        (t.period.start, t.period.end, t.metric, t.value) for t in listed
                    ), where
                    assert mine["trajectory"] == _trajectory(dashboard.trajectory), where
                    seen["followup"] += any(mine["outcomes"]["followup"][12].values())
                    seen["orientations"] += mine["outcomes"]["orientations"][None]["referrals"] > 0
                    seen["targets"] += bool(dashboard.targets)
                    seen["trajectories"] += bool(
                        dashboard.trajectory and dashboard.trajectory.months
                    )
                    seen["chains"] += label.startswith("July") and "entries" in dashboard.targets
    # Every part was compared on figures that are there, not only on empty ones.
    assert all(seen.values()), seen
