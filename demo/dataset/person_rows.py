"""The person-level rows written by COPY: participants, parcours, contracts, stages,
snapshots, exits, weeks of hours and actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection

from participants import models as pm
from participants.enums import (
    EXIT_CATEGORY,
    HOUSED,
    BarrierLevel,
    ContractKind,
    Resource,
    SnapshotContext,
)

from .copying import CopyTable, _reserve_ids
from .followups import followup_until
from .plan import Parcours, _iso
from .shape import (
    ACTION_INTENSITY,
    ACTION_KINDS,
    ACTION_THEMES,
    BARRIER_FIELDS,
    ENTRY_HOUSING,
    HOURS_COVERAGE,
    NOTES,
    ORIENTEURS,
    PARTNERS,
    Picker,
)


class PersonRowSteps:
    """The person-level rows' steps of `Generator` (which holds the state), written by
    COPY."""

    def _copy_people(self) -> None:
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.seed + 2)
        last_names = [fake.last_name() for _ in range(3000)]
        female = [fake.first_name_female() for _ in range(600)]
        male = [fake.first_name_male() for _ in range(600)]
        rng = self.stream("participants")
        n_people = len(self.person_order)
        first_pid = _reserve_ids(pm.Participant, n_people)
        person_id = [0] * len(self.person_structure)
        for offset, person in enumerate(self.person_order):
            person_id[person] = first_pid + offset
        last_contact = [0] * len(self.person_structure)
        first_start = [0] * len(self.person_structure)
        for p in self.parcours:
            last_contact[p.participant] = max(last_contact[p.participant], p.end or self.as_of)
            if not first_start[p.participant]:
                first_start[p.participant] = p.start
        structures = self.structures
        # Participants.
        cols = ["id", "structure_id", "created_at", "updated_at", "external_id", "last_name"]
        cols += ["first_name", "birth_date", "sex", "orienteur", "referent_id", "last_contact_on"]
        cols += ["version", "phone", "email", "address", "pass_iae_number"]
        cols += ["notice_given_on", "notice_version", "anonymised_at"]
        writer = CopyTable(pm.Participant, cols)

        def participant_lines() -> Iterator[str]:
            for offset, person in enumerate(self.person_order):
                info = structures[self.person_structure[person]]
                sex = "F" if rng.random() < 0.32 else "M"
                first = rng.choice(female if sex == "F" else male)
                start = first_start[person]
                birth = _iso(start - rng.randint(18 * 365, 62 * 365))
                created = _iso(start) + " 09:00:00+00"
                contact = min(last_contact[person], self.as_of)
                yield (
                    f"{first_pid + offset}\t{info.id}\t{created}\t{created}\t"
                    f"{self.tag}-{person + 1:07d}\t{rng.choice(last_names)}\t{first}\t"
                    f"{birth}\t{sex}\t{rng.choice(ORIENTEURS)}\t{info.author_id}\t"
                    f"{_iso(contact)}\t1\t\t\t\t\t{_iso(start)}\tv1\t\\N"
                )
                if offset % 5000 == 0:
                    self.progress.update("participants", offset, n_people)

        self.counts["participants"] = writer.copy(participant_lines())
        self.progress.done("participants", n_people)
        self._copy_parcours(person_id)
        self._copy_contracts_stages()
        self._copy_snapshots_exits(person_id)
        self._copy_followups()
        self._copy_weekly(hours=True)
        self._copy_weekly(hours=False)

    def _copy_parcours(self, person_id: list[int]) -> None:
        parcours = self.parcours
        first = _reserve_ids(pm.Parcours, len(parcours))
        for offset, p in enumerate(parcours):
            p.id = first + offset
        codes = {code: prog.pk for code, prog in self.programmes.items()}
        cols = ["id", "structure_id", "created_at", "updated_at", "participant_id"]
        cols += ["programme_id", "deployment_id", "work_site_id", "status", "start_date"]
        cols += ["end_date", "previous_id", "prolongation_reason", "warnings", "version"]
        cols += ["referred_by", "referred_on", "non_entry_reason"]
        writer = CopyTable(pm.Parcours, cols)
        reason = "Difficultés particulièrement importantes (jeu de test)."
        referrals = self._referrals()

        def lines() -> Iterator[str]:
            for offset, p in enumerate(parcours):
                created = _iso(p.start) + " 09:00:00+00"
                long_cvg = p.programme == "CVG" and (p.end or self.as_of) - p.start > 730
                referral = referrals[offset]
                end = p.end or referral.decided_on
                yield (
                    f"{p.id}\t{self.structures[p.structure].id}\t{created}\t{created}\t"
                    f"{person_id[p.participant]}\t{codes[p.programme]}\t"
                    f"{p.deployment if p.deployment else chr(92) + 'N'}\t{p.site}\t{p.status}\t"
                    f"{_iso(p.start)}\t{_iso(end) if end else chr(92) + 'N'}\t"
                    f"{p.previous.id if p.previous else chr(92) + 'N'}\t"
                    f"{reason if long_cvg else ''}\t{{}}\t1\t{referral.by}\t"
                    f"{_iso(referral.on) if referral.on else chr(92) + 'N'}\t"
                    f"{referral.non_entry_reason}"
                )
                if offset % 5000 == 0:
                    self.progress.update("parcours", offset, len(parcours))

        self.counts["parcours"] = writer.copy(lines())
        self.progress.done("parcours", len(parcours))

    def _copy_contracts_stages(self) -> None:
        started = [p for p in self.parcours if p.status in ("EN_COURS", "SORTI")]
        first = _reserve_ids(pm.Contract, len(started))
        cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "kind"]
        cols += ["employer_id", "host_id", "placement_company", "start_date", "planned_end_date"]
        cols += ["actual_end_date", "weekly_hours", "derogation_from", "derogation_to"]
        writer = CopyTable(pm.Contract, cols)
        null = "\\N"

        def lines() -> Iterator[str]:
            for offset, p in enumerate(started):
                info = self.structures[p.structure]
                created = _iso(p.start) + " 09:00:00+00"
                planned = p.start + (364 if p.programme in ("CVG", "IAE") else 182)
                employer = info.employer_for_dph if p.programme == "DPH" else info.id
                kind = "AI_MISE_A_DISPOSITION" if employer != info.id else ContractKind.CDDI.value
                derogation = (
                    f"{_iso(p.start)}\t{_iso(max(planned, p.end or planned))}"
                    if p.derogation
                    else f"{null}\t{null}"
                )
                yield (
                    f"{first + offset}\t{info.id}\t{created}\t{created}\t{p.id}\t{kind}\t"
                    f"{employer}\t{info.id}\t\t{_iso(p.start)}\t{_iso(planned)}\t"
                    f"{_iso(p.end) if p.end else null}\t{p.hours[0][1]:.1f}\t{derogation}"
                )

        self.counts["contracts"] = writer.copy(lines())
        self.progress.done("contracts", len(started))
        staged = [p for p in started if p.programme in ("PHC", "DPH")]
        n_stages = sum(len(p.hours) for p in staged)
        first = _reserve_ids(pm.HoursStage, n_stages)
        cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "start_date"]
        cols += ["weekly_hours"]
        writer = CopyTable(pm.HoursStage, cols)

        def stage_lines() -> Iterator[str]:
            n = first
            for p in staged:
                sid = self.structures[p.structure].id
                for day, hours in p.hours:
                    created = _iso(day) + " 09:00:00+00"
                    yield f"{n}\t{sid}\t{created}\t{created}\t{p.id}\t{_iso(day)}\t{hours:.1f}"
                    n += 1

        self.counts["hours_stages"] = writer.copy(stage_lines())
        self.progress.done("hours stages", n_stages)

    def _copy_snapshots_exits(self, person_id: list[int]) -> None:
        rng = self.stream("snapshots")
        started = [p for p in self.parcours if p.status in ("EN_COURS", "SORTI")]
        resource_values = [r.value for r in Resource]
        levels = [
            BarrierLevel.AUCUN.value,
            BarrierLevel.PARTIEL.value,
            BarrierLevel.IMPORTANT.value,
        ]
        n_snapshots = len(started) + sum(1 for p in started if p.end)
        first = _reserve_ids(pm.SituationSnapshot, n_snapshots)
        cols = ["id", "structure_id", "created_at", "updated_at", "participant_id", "parcours_id"]
        cols += ["date", "context", "housing", "street_history", "resources", *BARRIER_FIELDS]
        cols += ["has_health_insurance", "has_complementary", "has_gp", "has_rqth", "has_aah"]
        writer = CopyTable(pm.SituationSnapshot, cols)
        street = {h for h, w in ENTRY_HOUSING["CVG"].items() if w} - set(HOUSED)

        def snapshot(n: int, p: Parcours, day: int, context: str, housing: str) -> str:
            created = _iso(day) + " 09:00:00+00"
            resources = rng.sample(resource_values, rng.choice((1, 1, 2)))
            barriers = "\t".join(
                levels[min(2, int(rng.random() * (3.6 if p.programme != "IAE" else 2.4)))]
                for _ in BARRIER_FIELDS
            )
            flags = "\t".join("t" if rng.random() < q else "f" for q in (0.8, 0.5, 0.55, 0.1, 0.07))
            street_history = "t" if (housing in street or p.programme != "IAE") else "f"
            return (
                f"{n}\t{self.structures[p.structure].id}\t{created}\t{created}\t"
                f"{person_id[p.participant]}\t{p.id}\t{_iso(day)}\t{context}\t{housing}\t"
                f"{street_history}\t{{{','.join(resources)}}}\t{barriers}\t{flags}"
            )

        def lines() -> Iterator[str]:
            n = first
            for i, p in enumerate(started):
                # Most entry snapshots come within 30 days (the rule warns beyond).
                delay = rng.randint(0, 20) if rng.random() < 0.9 else rng.randint(31, 60)
                day = min(p.start + delay, p.end or self.as_of)
                yield snapshot(n, p, day, SnapshotContext.ENTREE.value, p.entry_housing)
                n += 1
                if p.end:
                    yield snapshot(n, p, p.end, SnapshotContext.SORTIE.value, p.exit_housing)
                    n += 1
                if i % 5000 == 0:
                    self.progress.update("situations", n - first, n_snapshots)

        self.counts["snapshots"] = writer.copy(lines())
        self.progress.done("situations", n_snapshots)
        exited = [p for p in started if p.end]
        first = _reserve_ids(pm.Exit, len(exited))
        cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "date"]
        cols += ["situation", "dgefp_category", "followup_until", "comment"]
        writer = CopyTable(pm.Exit, cols)

        def exit_lines() -> Iterator[str]:
            for offset, p in enumerate(exited):
                created = _iso(p.end) + " 17:00:00+00"
                last_day = followup_until(self.programmes[p.programme], p.end)
                until = _iso(last_day) if last_day else "\\N"
                yield (
                    f"{first + offset}\t{self.structures[p.structure].id}\t{created}\t"
                    f"{created}\t{p.id}\t{_iso(p.end)}\t{p.situation}\t"
                    f"{EXIT_CATEGORY[p.situation]}\t{until}\t"
                )

        self.counts["exits"] = writer.copy(exit_lines())
        self.progress.done("exits", len(exited))

    def _weeks(self) -> tuple[int, list[list[Parcours]]]:
        """Parcours bucketed by the ISO week (Monday) they start working."""
        first_monday = self.window_start - dt.date.fromordinal(self.window_start).weekday()
        n_weeks = (self.as_of - first_monday) // 7 + 1
        starting: list[list[Parcours]] = [[] for _ in range(n_weeks)]
        for p in self.parcours:
            if p.status not in ("EN_COURS", "SORTI"):
                continue
            monday = p.start + (-p.start + first_monday) % 7  # first Monday on or after start
            last = min(p.end or self.as_of, self.as_of)
            if monday <= last:
                starting[(monday - first_monday) // 7].append(p)
        return first_monday, starting

    def _copy_weekly(self, hours: bool) -> None:
        """Worked hours (one row per kept week) or actions, generated week after week so the
        heap is in time order, as in a real database."""
        first_monday, starting = self._weeks()
        coverage_of = [HOURS_COVERAGE.get(s.kind, 0.95) for s in self.structures]
        # Calibrate the keep rate (hours) or the weekly action rate to the scale's totals.
        total_weight = 0.0
        for bucket_index, bucket in enumerate(starting):
            monday = first_monday + 7 * bucket_index
            for p in bucket:
                weeks = (min(p.end or self.as_of, self.as_of) - monday) // 7 + 1
                if hours:
                    total_weight += weeks * coverage_of[p.structure]
                else:
                    total_weight += weeks * ACTION_INTENSITY[p.programme]
        if hours:
            target = self.scale.worked_hours
            rate = min(1.0 / 0.95, target / total_weight) if total_weight else 0.0
            model, label = pm.WorkedHours, "worked hours"
        else:
            target = self.scale.actions
            rate = target / total_weight if total_weight else 0.0
            model, label = pm.AccompanimentAction, "actions"
        rng = self.stream("hours" if hours else "actions")
        # Upper bound on ids: reserve generously, then give the unused ones back.
        reserve = int(target * 1.2) + 1000
        first_id = _reserve_ids(model, reserve)
        if hours:
            cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id"]
            cols += ["work_site_id", "week_start", "hours", "paid_hours", "absence_hours"]
        else:
            cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "date"]
            cols += ["kind", "theme", "duration_minutes", "author_id", "partner", "note"]
        writer = CopyTable(model, cols)
        kind_pick, theme_pick = Picker(ACTION_KINDS), Picker(ACTION_THEMES)
        structures = self.structures
        random_ = rng.random
        counter = [first_id]

        def lines() -> Iterator[str]:
            n = first_id
            active: list[Parcours] = []
            for week, bucket in enumerate(starting):
                monday = first_monday + 7 * week
                active.extend(bucket)
                still = []
                monday_iso = _iso(monday)
                created = f"{_iso(monday + 4)} 16:00:00+00"
                for p in active:
                    if (p.end or self.as_of) < monday:
                        continue
                    still.append(p)
                    info = structures[p.structure]
                    if hours:
                        if random_() >= coverage_of[p.structure] * rate:
                            continue
                        planned = p.hours[0][1]
                        for day, h in p.hours:
                            if day <= monday + 6:
                                planned = h
                        r = random_()
                        if r < 0.05:
                            worked = 0.0
                        elif r < 0.6:
                            worked = planned
                        else:
                            worked = round(planned * (0.3 + 0.7 * random_()) * 2) / 2
                        yield (
                            f"{n}\t{info.id}\t{created}\t{created}\t{p.id}\t{p.site}\t"
                            f"{monday_iso}\t{worked:.2f}\t{planned:.2f}\t{planned - worked:.2f}"
                        )
                        n += 1
                    else:
                        expected = ACTION_INTENSITY[p.programme] * rate
                        k = int(expected) + (1 if random_() < expected - int(expected) else 0)
                        for _ in range(k):
                            day = min(monday + int(random_() * 5), p.end or self.as_of)
                            day = max(day, p.start)
                            yield (
                                f"{n}\t{info.id}\t{_iso(day)} 15:00:00+00\t"
                                f"{_iso(day)} 15:00:00+00\t{p.id}\t{_iso(day)}\t"
                                f"{kind_pick(rng)}\t{theme_pick(rng)}\t"
                                f"{rng.choice((30, 45, 60, 60, 90, 120))}\t{info.author_id}\t"
                                f"{rng.choice(PARTNERS)}\t{rng.choice(NOTES)}"
                            )
                            n += 1
                active = still
                counter[0] = n
                self.progress.update(label, n - first_id, target)

        count = writer.copy(lines())
        if count > reserve:
            raise RuntimeError(f"{label}: {count} rows exceed the {reserve} ids reserved")
        self.counts["worked_hours" if hours else "actions"] = count
        self.progress.done(label, count)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence, max(counter[0] - 1, 1)])
