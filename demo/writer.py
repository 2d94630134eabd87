"""Writing the planned people in bulk: a few statements per table (PostgreSQL COPY for the
weeks of hours and the actions), with what the services would have written alongside —
contracts renewed until the exit, paliers, entry and exit situations, the exit with its
DGEFP category and follow-up end, the follow-up checks it schedules, the stored warnings
and each person's last contact. The database's triggers keep the derived tables (current
parcours, monthly hours, the dashboards' yearly rows) as for any write."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings

from participants import models as pm
from participants import rules
from participants.enums import (
    EXIT_CATEGORY,
    BarrierLevel,
    ContractKind,
    ParcoursStatus,
    Resource,
    SnapshotContext,
)
from programmes.models import Programme

from .dataset.copying import CopyTable, _reserve_ids
from .dataset.shape import ACTION_KINDS, ACTION_THEMES, BARRIER_FIELDS, NOTES, PARTNERS, Picker
from .plan import ACTIONS_PER_WEEK, Planned, Planner, contract_periods

# A follow-up check reached: where the person is (weights).
CHECK_SITUATIONS = {
    "CDI": 10,
    "CDD_6M_PLUS": 12,
    "CDD_MOINS_6M": 10,
    "INTERIM_MOINS_6M": 6,
    "FORMATION": 10,
    "AUTRE_SIAE": 6,
    "CHOMAGE": 30,
    "INACTIVITE": 16,
}
CHECK_HOUSING = {"LOG_AUTONOME": 25, "LOG_ACCOMPAGNE": 30, "CHRS": 15, "TIERS": 15, "RUE": 15}
CHECK_RESOURCES = {"SALAIRE": 35, "RSA": 35, "ARE": 20, "SANS_RESSOURCES": 10}
LEVELS = [BarrierLevel.AUCUN.value, BarrierLevel.PARTIEL.value, BarrierLevel.IMPORTANT.value]


def monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


class Writer:
    def __init__(self, planner: Planner, *, author_of: dict[int, int], quiet_site_id: int | None):
        self.planner = planner
        self.today = planner.today
        self.rng = planner.stream("writer")
        self.author_of = author_of
        # The work site whose hours of last week nobody entered yet.
        self.quiet_site_id = quiet_site_id
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.last_week = self.today - dt.timedelta(days=self.today.weekday() + 7)
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        weeks, actions = self._activity()
        self._people()
        self._parcours()
        self._contracts_and_stages()
        self._snapshots()
        self._exits_and_checks()
        self._copy_weeks(weeks)
        self._copy_actions(actions)
        return self.counts

    # -- activity, drawn first: it decides each person's last contact ------------------------

    def _activity(self):
        weeks, actions = [], []
        kinds, themes = Picker(ACTION_KINDS), Picker(ACTION_THEMES)
        for p in self.planner.parcours:
            if p.status == ParcoursStatus.NON_ENTRE:
                p.person.last_contact = max(p.person.last_contact or p.end, p.end)
                continue
            rng = random.Random(f"{self.planner.seed}:activity:{p.person.external_id}:{p.start}")
            last = min(p.end or self.today, self.last_week + dt.timedelta(days=6))
            monday = monday_on_or_after(p.start)
            contact = p.start
            while monday <= last:
                silent = p.silent_from is not None and monday >= p.silent_from
                skipped = p.site_id == self.quiet_site_id and monday == self.last_week
                planned = [h for day, h in p.stages if day <= monday + dt.timedelta(days=6)][-1]
                if not skipped:
                    r = rng.random()
                    worked = (
                        Decimal(0)
                        if silent or r < 0.06
                        else planned
                        if r < 0.7
                        else max(Decimal(0), planned - rng.choice([1, 2, 3, 4]))
                    )
                    weeks.append((p, monday, worked, planned))
                    if worked:
                        contact = max(contact, monday + dt.timedelta(days=4))
                if not silent and rng.random() < ACTIONS_PER_WEEK[p.programme]:
                    day = min(monday + dt.timedelta(days=rng.randrange(5)), p.end or last)
                    if day < self.today:
                        actions.append(
                            (p, day, kinds(rng), themes(rng), rng.choice([30, 45, 60, 90]))
                        )
                        contact = max(contact, day)
                monday += dt.timedelta(days=7)
            if p.end:
                contact = max(contact, p.end)
            contact = min(contact, self.today)
            p.person.last_contact = max(p.person.last_contact or contact, contact)
        return weeks, actions

    # -- rows --------------------------------------------------------------------------------

    def _people(self) -> None:
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.planner.seed)
        rows = []
        for person in self.planner.people:
            female = person.sex == "F"
            person.first_name = fake.first_name_female() if female else fake.first_name_male()
            person.last_name = fake.last_name()
            person.phone = fake.phone_number() if self.rng.random() < 0.6 else ""
            rows.append(
                pm.Participant(
                    structure_id=person.structure_id,
                    external_id=person.external_id,
                    last_name=person.last_name,
                    first_name=person.first_name,
                    sex=person.sex,
                    birth_date=person.birth_date,
                    phone=person.phone,
                    orienteur=person.orienteur,
                    referent_id=person.referent_id,
                    last_contact_on=person.last_contact,
                )
            )
        pm.Participant.objects.bulk_create(rows, batch_size=2000)
        for person, row in zip(self.planner.people, rows, strict=True):
            person.id = row.pk
        self.counts["participants"] = len(rows)

    def _warnings(self, p: Planned) -> dict:
        programme = self.programmes[p.programme]
        warnings = rules.long_parcours_warning(
            programme=programme, start_date=p.start, end_date=p.end, today=self.today
        )
        if p.status in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
            warnings.update(
                rules.entry_snapshot_warning(
                    programme=programme,
                    start_date=p.start,
                    first_entry_snapshot=p.entry_snapshot_on,
                    today=self.today,
                )
            )
        return warnings

    def _parcours(self) -> None:
        # Written by depth, so that a continuation's previous parcours has its id.
        pending = list(self.planner.parcours)
        depth = 0
        while pending:
            level = [p for p in pending if _depth(p) == depth]
            rows = [
                pm.Parcours(
                    structure_id=p.structure_id,
                    participant_id=p.person.id,
                    programme_id=self.programmes[p.programme].pk,
                    deployment_id=p.deployment_id,
                    work_site_id=p.site_id,
                    status=p.status,
                    start_date=p.start,
                    end_date=p.end,
                    previous_id=p.previous.id if p.previous else None,
                    prolongation_reason=p.prolongation_reason,
                    referred_by=p.referred_by,
                    referred_on=p.referred_on,
                    non_entry_reason=p.non_entry_reason,
                    warnings=self._warnings(p),
                )
                for p in level
            ]
            pm.Parcours.objects.bulk_create(rows, batch_size=2000)
            for p, row in zip(level, rows, strict=True):
                p.id = row.pk
            pending = [p for p in pending if _depth(p) != depth]
            depth += 1
        self.counts["parcours"] = len(self.planner.parcours)

    def _started(self):
        return [p for p in self.planner.parcours if p.status != ParcoursStatus.NON_ENTRE]

    def _contracts_and_stages(self) -> None:
        contracts, stages = [], []
        for p in self._started():
            placed = p.employer_id != p.structure_id or bool(p.placement_company)
            for start, planned, actual in contract_periods(p, self.today):
                contracts.append(
                    pm.Contract(
                        structure_id=p.structure_id,
                        parcours_id=p.id,
                        kind=ContractKind.AI_MISE_A_DISPOSITION if placed else ContractKind.CDDI,
                        employer_id=p.employer_id,
                        host_id=p.structure_id,
                        placement_company=p.placement_company,
                        start_date=start,
                        planned_end_date=planned,
                        actual_end_date=actual,
                        weekly_hours=p.stages[-1][1],
                    )
                )
            if self.programmes[p.programme].has_hours_stages:
                stages += [
                    pm.HoursStage(
                        structure_id=p.structure_id, parcours_id=p.id, start_date=d, weekly_hours=h
                    )
                    for d, h in p.stages
                ]
        pm.Contract.objects.bulk_create(contracts, batch_size=2000)
        pm.HoursStage.objects.bulk_create(stages, batch_size=2000)
        self.counts["contracts"], self.counts["hours_stages"] = len(contracts), len(stages)

    def _snapshot(self, p: Planned, day: dt.date, context: str, housing: str):
        rng = self.rng
        barriers = {
            name: LEVELS[min(2, int(rng.random() * (3.6 if p.programme != "IAE" else 2.4)))]
            for name in BARRIER_FIELDS
        }
        return pm.SituationSnapshot(
            structure_id=p.structure_id,
            participant_id=p.person.id,
            parcours_id=p.id,
            date=day,
            context=context,
            housing=housing,
            street_history=True,
            resources=rng.sample([r.value for r in Resource], rng.choice((1, 1, 2))),
            has_health_insurance=rng.random() < 0.8,
            has_complementary=rng.random() < 0.5,
            has_gp=rng.random() < 0.5,
            **barriers,
        )

    def _snapshots(self) -> None:
        rows = []
        for p in self._started():
            if p.entry_snapshot_on:
                rows.append(
                    self._snapshot(p, p.entry_snapshot_on, SnapshotContext.ENTREE, p.entry_housing)
                )
            if p.end:
                rows.append(self._snapshot(p, p.end, SnapshotContext.SORTIE, p.exit_housing))
        pm.SituationSnapshot.objects.bulk_create(rows, batch_size=2000)
        self.counts["snapshots"] = len(rows)

    def _exits_and_checks(self) -> None:
        exits, checks = [], []
        late = dt.timedelta(days=settings.FOLLOWUP_LATE_DAYS)
        situations, housing = Picker(CHECK_SITUATIONS), Picker(CHECK_HOUSING)
        resources = Picker(CHECK_RESOURCES)
        for p in self._started():
            if not p.end:
                continue
            programme = self.programmes[p.programme]
            until = rules.default_followup_until(programme=programme, exit_date=p.end)
            exits.append(
                pm.Exit(
                    structure_id=p.structure_id,
                    parcours_id=p.id,
                    date=p.end,
                    situation=p.situation,
                    dgefp_category=EXIT_CATEGORY[p.situation],
                    followup_until=until,
                )
            )
            # The checks services.followup_schedule would schedule; those due a while ago
            # are mostly done (reached or not), the recent ones wait ("Aujourd'hui").
            due_dates = rules.followup_due_dates(
                programme=programme, exit_date=p.end, situation=p.situation, followup_until=until
            )
            for months, due in due_dates:
                check = pm.FollowupCheck(
                    structure_id=p.structure_id, parcours_id=p.id, months=months, due_on=due
                )
                age = (self.today - due).days
                if (
                    age > 45
                    or (age > 7 and self.rng.random() < 0.5)
                    or (age > late.days and self.rng.random() < 0.9)
                ):
                    check.done_on = min(
                        due + dt.timedelta(days=self.rng.randint(-7, 20)), self.today
                    )
                    check.reached = self.rng.random() < 0.75
                    check.recorded_by_id = self.author_of[p.structure_id]
                    if check.reached:
                        check.situation = situations(self.rng)
                        check.dgefp_category = EXIT_CATEGORY[check.situation]
                        check.housing = housing(self.rng)
                        check.resource = resources(self.rng)
                checks.append(check)
        pm.Exit.objects.bulk_create(exits, batch_size=2000)
        pm.FollowupCheck.objects.bulk_create(checks, batch_size=2000)
        self.counts["exits"], self.counts["followup_checks"] = len(exits), len(checks)

    def _copy_weeks(self, weeks) -> None:
        first = _reserve_ids(pm.WorkedHours, len(weeks))
        cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "work_site_id"]
        cols += ["week_start", "hours", "paid_hours", "absence_hours"]

        def lines():
            for n, (p, monday, worked, planned) in enumerate(weeks, start=first):
                created = f"{monday + dt.timedelta(days=4)} 16:00:00+00"
                yield (
                    f"{n}\t{p.structure_id}\t{created}\t{created}\t{p.id}\t{p.site_id}\t"
                    f"{monday}\t{worked}\t{planned}\t{planned - worked}"
                )

        self.counts["worked_hours"] = CopyTable(pm.WorkedHours, cols).copy(lines())

    def _copy_actions(self, actions) -> None:
        first = _reserve_ids(pm.AccompanimentAction, len(actions))
        cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "date"]
        cols += ["kind", "theme", "duration_minutes", "author_id", "partner", "note"]
        rng = self.rng

        def lines():
            for n, (p, day, kind, theme, minutes) in enumerate(actions, start=first):
                created = f"{day} 15:00:00+00"
                yield (
                    f"{n}\t{p.structure_id}\t{created}\t{created}\t{p.id}\t{day}\t{kind}\t"
                    f"{theme}\t{minutes}\t{self.author_of[p.structure_id]}\t"
                    f"{rng.choice(PARTNERS)}\t{rng.choice(NOTES)}"
                )

        self.counts["actions"] = CopyTable(pm.AccompanimentAction, cols).copy(lines())


def _depth(p: Planned) -> int:
    depth = 0
    while p.previous is not None:
        p, depth = p.previous, depth + 1
    return depth
