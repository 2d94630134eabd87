"""Referrals and follow-up checks of the generated dataset: who referred each parcours and
when (ORIENTE and NON_ENTRE included), and the checks scheduled after each exit of a
programme with a follow-up, done or still open, as the services would have recorded them
(participants.services.orientations and followups; the schedule is
`participants.rules.followup_due_dates`, which the follow-up service calls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from participants import models as pm
from participants import rules
from participants.enums import EXIT_CATEGORY, DgefpCategory, ParcoursStatus, Resource

from .copying import CopyTable, _reserve_ids
from .plan import Parcours, _iso
from .shape import (
    ENTRY_HOUSING,
    EXIT_WEIGHTS,
    FOLLOWUP_DONE,
    FOLLOWUP_DONE_RECENT,
    FOLLOWUP_HOUSING_KEPT,
    FOLLOWUP_REACHED,
    NON_ENTRY_REASONS,
    REFERRAL_DELAY_DAYS,
    REFERRAL_SOURCES,
    REFERRED_SHARE,
    Picker,
)

NOT_STARTED = (ParcoursStatus.ORIENTE, ParcoursStatus.NON_ENTRE)
# What a check of a reached person never records: the exit codes of a person lost from view.
NOT_A_SITUATION = {"SANS_NOUVELLES", "ABANDON"}
RESOURCES = [resource.value for resource in Resource]


@dataclass(frozen=True)
class Referral:
    by: str = ""
    on: int | None = None  # date ordinal
    non_entry_reason: str = ""
    decided_on: int | None = None  # a NON_ENTRE parcours' end date: the decision


def followup_until(programme, exit_day: int) -> int | None:
    """The follow-up's last day as `parcours_exit` sets it (`rules.default_followup_until`),
    as a date ordinal."""
    until = rules.default_followup_until(
        programme=programme, exit_date=dt.date.fromordinal(exit_day)
    )
    return until.toordinal() if until else None


class FollowupSteps:
    """The referral and follow-up steps of `Generator` (which holds the state)."""

    def _referrals(self) -> list[Referral]:
        """One `Referral` per parcours, in `self.parcours` order (its own random stream:
        the other tables' draws do not move)."""
        rng = self.stream("referrals")
        sources = {code: Picker(weights) for code, weights in REFERRAL_SOURCES.items()}
        reasons = Picker(NON_ENTRY_REASONS)
        referrals = []
        for p in self.parcours:
            if p.status in NOT_STARTED:
                # Referred on the day the parcours was opened; a non-entry is decided within
                # a few weeks, never after the dataset's last day.
                by = sources[p.programme](rng)
                if p.status == ParcoursStatus.NON_ENTRE:
                    decided = min(p.start + rng.randint(7, 40), self.as_of)
                    referrals.append(Referral(by, p.start, reasons(rng), decided))
                else:
                    referrals.append(Referral(by, p.start))
            elif p.previous is None and rng.random() < REFERRED_SHARE[p.programme]:
                delay = rng.randint(*REFERRAL_DELAY_DAYS)
                referrals.append(Referral(sources[p.programme](rng), p.start - delay))
            else:
                referrals.append(Referral())
        return referrals

    def _copy_followups(self) -> None:
        """The checks of every exit of a programme with a follow-up, except neutralised exits
        (nobody is called): those due in the past mostly done, the rest open."""
        rng = self.stream("followups")
        housing_pick = {code: Picker(w) for code, w in ENTRY_HOUSING.items()}
        situation_pick = {
            code: Picker(
                {
                    situation: weight
                    for situation, weight in weights.items()
                    if situation not in NOT_A_SITUATION
                    and EXIT_CATEGORY[situation] != DgefpCategory.NEUTRALISEE
                }
            )
            for code, weights in EXIT_WEIGHTS.items()
        }
        late = settings.FOLLOWUP_LATE_DAYS
        rows: list[tuple] = []
        for p in self.parcours:
            programme = self.programmes[p.programme]
            if not p.end or not programme.followup_months:
                continue
            until = followup_until(programme, p.end)
            due_dates = rules.followup_due_dates(
                programme=programme,
                exit_date=dt.date.fromordinal(p.end),
                situation=p.situation,
                followup_until=dt.date.fromordinal(until),
            )
            for months, due in due_dates:
                rows.append(
                    self._check(
                        rng, p, months, due.toordinal(), until + late, situation_pick, housing_pick
                    )
                )
        first = _reserve_ids(pm.FollowupCheck, len(rows))
        cols = ["id", "structure_id", "created_at", "updated_at", "parcours_id", "months"]
        cols += ["due_on", "done_on", "reached", "situation", "dgefp_category", "housing"]
        cols += ["resource", "comment", "version"]
        writer = CopyTable(pm.FollowupCheck, cols)

        def lines() -> Iterator[str]:
            for offset, check in enumerate(rows):
                p, months, due, done, reached, situation, housing, resource = check
                created = _iso(p.end) + " 17:00:00+00"
                updated = _iso(done) + " 11:00:00+00" if done else created
                yield (
                    f"{first + offset}\t{self.structures[p.structure].id}\t{created}\t"
                    f"{updated}\t{p.id}\t{months}\t{_iso(due)}\t"
                    f"{_iso(done) if done else chr(92) + 'N'}\t"
                    f"{('t' if reached else 'f') if done else chr(92) + 'N'}\t{situation}\t"
                    f"{EXIT_CATEGORY.get(situation, '')}\t{housing}\t{resource}\t\t1"
                )

        self.counts["followup_checks"] = writer.copy(lines())
        self.progress.done("follow-up checks", len(rows))

    def _check(self, rng, p: Parcours, months, due, closes, situation_pick, housing_pick):
        """One check: (parcours, months, due, done day or None, reached, situation, housing,
        resource)."""
        recent = due > self.as_of - 30
        if due > self.as_of or rng.random() >= (FOLLOWUP_DONE_RECENT if recent else FOLLOWUP_DONE):
            return (p, months, due, None, None, "", "", "")
        done = min(max(due + rng.randint(-14, 30), p.end), self.as_of, closes)
        if rng.random() >= FOLLOWUP_REACHED:
            return (p, months, due, done, False, "", "", "")
        situation = situation_pick[p.programme](rng)
        kept = p.exit_housing if rng.random() < FOLLOWUP_HOUSING_KEPT else None
        housing = kept or housing_pick[p.programme](rng)
        return (p, months, due, done, True, situation, housing, rng.choice(RESOURCES))
