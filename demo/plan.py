"""The demo's people and parcours, drawn in memory before anything is written.

Each structure × programme draws from its own seeded stream, over calendar dates, so the
same seed gives the same people whatever the day: `today` only cuts the story (a parcours
still running today has no exit yet, activity stops at the last full week) and places the
few situations "Aujourd'hui" is about (demo/story.py) relative to it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from participants import rules
from participants.enums import HOUSED, ParcoursStatus, ReferralSource

from . import catalogue as cat
from .dataset.shape import ENTRY_HOUSING, EXIT_WEIGHTS, HOUSING_ACCESS, Picker

SEED = 2021
REFERRALS = {
    ReferralSource.MARAUDE: 30,
    ReferralSource.SIAO: 35,
    ReferralSource.SPIP: 10,
    ReferralSource.FRANCE_TRAVAIL: 10,
    ReferralSource.CCAS: 15,
}
NON_ENTRY_REASONS = {
    "INJOIGNABLE": 35,
    "REFUS": 15,
    "INADAPTEE": 10,
    "SANTE": 15,
    "AUTRE_SOLUTION": 15,
    "DEPART": 10,
}
# Mean length (gamma shape, scale in days), clamped to the programme's rules.
DURATION = {
    "CVG": (3.0, 230.0, 90, 1790),
    "PHC": (2.0, 105.0, 30, 500),
    "IAE": (2.0, 150.0, 60, 700),
}
# Contracts are renewed: a new one of this many months when the previous ends.
CONTRACT_MONTHS = {"CVG": 12, "PHC": 4, "IAE": 6}
# Accompaniment actions a week, by programme.
ACTIONS_PER_WEEK = {"CVG": 0.6, "PHC": 0.5, "IAE": 0.25}


@dataclass(eq=False)
class Person:
    structure_id: int
    external_id: str
    sex: str
    birth_date: dt.date
    referent_id: int
    orienteur: str
    last_name: str = ""
    first_name: str = ""
    phone: str = ""
    id: int = 0
    last_contact: dt.date | None = None


@dataclass(eq=False)
class Planned:
    """One parcours before it is written."""

    person: Person
    structure_id: int
    programme: str
    start: dt.date
    site_id: int | None
    deployment_id: int | None
    status: str = ParcoursStatus.EN_COURS
    end: dt.date | None = None
    situation: str = ""
    previous: Planned | None = None
    entry_housing: str = "INCONNU"
    exit_housing: str = "INCONNU"
    stages: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    entry_snapshot_on: dt.date | None = None
    referred_by: str = ""
    referred_on: dt.date | None = None
    non_entry_reason: str = ""
    prolongation_reason: str = ""
    employer_id: int = 0
    placement_company: str = ""
    # No hours worked nor action from this day (a person out of touch).
    silent_from: dt.date | None = None
    id: int = 0


@dataclass
class Unit:
    """A structure × programme the demo fills: its entries year after year."""

    structure_id: int
    slug: str
    programme: str
    deployment_id: int | None
    opened: dt.date
    entries: dict[int, int]
    site_ids: list[int]
    referent_id: int
    employer_id: int
    continues_to_cvg: bool
    referrals_from: int = 2023
    # An association intermédiaire places people with companies (mise à disposition).
    placements: list[str] = field(default_factory=list)


class Planner:
    """Draws every parcours of the demo's units."""

    def __init__(self, today: dt.date, share: float = 1.0, seed: int = SEED):
        self.today = today
        self.share = share
        self.seed = seed
        self.people: list[Person] = []
        self.parcours: list[Planned] = []
        self.counter: dict[int, int] = {}
        self.housing = {code: Picker(w) for code, w in ENTRY_HOUSING.items()}
        self.exits = {code: Picker(w) for code, w in EXIT_WEIGHTS.items()}
        self.referrals = Picker(REFERRALS)
        self.non_entry = Picker(NON_ENTRY_REASONS)

    def stream(self, *key) -> random.Random:
        return random.Random(":".join(str(k) for k in (self.seed, *key)))

    def person(self, rng: random.Random, unit: Unit, slug: str, birth_from: dt.date) -> Person:
        n = self.counter[unit.structure_id] = self.counter.get(unit.structure_id, 0) + 1
        person = Person(
            structure_id=unit.structure_id,
            external_id=f"DEMO-{slug}-{n:04d}",
            sex="F" if rng.random() < 0.3 else "M",
            birth_date=birth_from - dt.timedelta(days=rng.randrange(19 * 366, 62 * 365)),
            referent_id=unit.referent_id,
            orienteur="",
        )
        self.people.append(person)
        return person

    # -- drawing ---------------------------------------------------------------------------

    def fill(self, unit: Unit) -> None:
        """The unit's entries, year after year up to today. Each entry draws from its own
        stream: a later `today` adds entries and exits, and changes nothing before."""
        for year in range(unit.opened.year, self.today.year + 1):
            first = max(dt.date(year, 1, 1), unit.opened)
            last = min(dt.date(year, 12, 31), self.today - dt.timedelta(days=1))
            if last < first:
                continue
            full = cat.entries_in(unit.entries, year)
            count = full * ((last - first).days + 1) / ((dt.date(year, 12, 31) - first).days + 1)
            count = round(count * self.share) if self.share < 1 else round(count)
            span = (dt.date(year, 12, 31) - first).days + 1
            for i in range(count):
                rng = self.stream(unit.slug, unit.programme, year, i)
                start = first + dt.timedelta(days=rng.randrange(span))
                if start >= self.today:
                    start = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
                self.enrol(rng, unit, start)

    def enrol(
        self,
        rng: random.Random,
        unit: Unit,
        start: dt.date,
        *,
        person: Person | None = None,
        previous: Planned | None = None,
        programme: str | None = None,
        housing: str | None = None,
        keep_open: bool = False,
    ) -> Planned:
        """A parcours from `start`, with its exit when it ends before today (unless
        `keep_open`) and the parcours it continues to."""
        code = programme or unit.programme
        person = person or self.person(rng, unit, unit.slug, start)
        p = Planned(
            person=person,
            structure_id=unit.structure_id,
            programme=code,
            start=start,
            site_id=rng.choice(unit.site_ids),
            deployment_id=unit.deployment_id if code == unit.programme else None,
            previous=previous,
            employer_id=unit.employer_id if code == unit.programme else unit.structure_id,
        )
        p.entry_housing = housing or self.housing[code](rng)
        if unit.placements and code == unit.programme:
            p.placement_company = rng.choice(unit.placements)
        if previous is None and start.year >= unit.referrals_from and rng.random() < 0.6:
            p.referred_by = self.referrals(rng)
            p.referred_on = start - dt.timedelta(days=rng.randint(3, 45))
            if rng.random() < 0.2:
                self.non_entry_of(rng, unit, p)
        person.orienteur = person.orienteur or ReferralSource(p.referred_by or "AUTRE").label
        shape, scale, low, high = DURATION[code]
        end = start + dt.timedelta(days=max(low, min(high, int(rng.gammavariate(shape, scale)))))
        # Most entry situations are recorded in the first weeks, a few late.
        delay = rng.randint(0, 20) if rng.random() < 0.9 else rng.randint(31, 60)
        p.entry_snapshot_on = min(start + dt.timedelta(days=delay), end)
        if keep_open:
            end = self.today + dt.timedelta(days=1)
        if code == "CVG" and (min(end, self.today) - start).days > 730:
            p.prolongation_reason = "Difficultés particulièrement importantes (santé, logement)."
        hours = Decimal(4) if code == "PHC" else Decimal(rng.choice([20, 24, 26, 26, 30]))
        p.stages.append((start, hours))
        while code == "PHC" and hours < 20 and rng.random() < 0.85:
            day = p.stages[-1][0] + dt.timedelta(days=rng.randint(28, 63))
            if day >= min(end, self.today):
                break
            hours = min(Decimal(20), hours + rng.choice([2, 4, 4, 6]))
            p.stages.append((day, hours))
        if p.entry_snapshot_on >= self.today:
            p.entry_snapshot_on = None
        self.parcours.append(p)
        if end < self.today and not keep_open:
            self.close(rng, unit, p, end)
        return p

    def close(self, rng: random.Random, unit: Unit, p: Planned, end: dt.date) -> None:
        p.status, p.end = ParcoursStatus.SORTI, end
        situation = self.exits[p.programme](rng)
        if situation == "SUITE_CVG" and not unit.continues_to_cvg:
            situation = "SUITE_CDDI"
        p.situation = situation
        if p.entry_housing in HOUSED:
            p.exit_housing = p.entry_housing
        elif rng.random() < HOUSING_ACCESS[p.programme]:
            p.exit_housing = "LOG_ACCOMPAGNE" if rng.random() < 0.55 else "LOG_AUTONOME"
        else:
            p.exit_housing = p.entry_housing
        following = {"SUITE_CVG": "CVG", "SUITE_CDDI": "IAE"}.get(situation)
        if following and end + dt.timedelta(days=1) < self.today:
            self.enrol(
                rng,
                unit,
                end + dt.timedelta(days=1),
                person=p.person,
                previous=p,
                programme=following,
                housing=p.exit_housing,
            )

    def non_entry_of(self, rng: random.Random, unit: Unit, entered: Planned) -> None:
        """Another person referred about the same time who never started."""
        referred = entered.referred_on
        decided = min(referred + dt.timedelta(days=rng.randint(7, 40)), self.today)
        person = self.person(rng, unit, unit.slug, referred)
        self.parcours.append(
            Planned(
                person=person,
                structure_id=unit.structure_id,
                programme=unit.programme,
                start=referred,
                site_id=None,
                deployment_id=unit.deployment_id,
                status=ParcoursStatus.NON_ENTRE,
                end=decided,
                referred_by=self.referrals(rng),
                referred_on=referred,
                non_entry_reason=self.non_entry(rng),
            )
        )
        person.orienteur = ReferralSource(self.parcours[-1].referred_by).label


def contract_periods(p: Planned, today: dt.date) -> list[tuple[dt.date, dt.date, dt.date | None]]:
    """(start, planned end, actual end) of the parcours' contracts: renewed until the exit,
    or until one covers today."""
    months = CONTRACT_MONTHS[p.programme]
    periods, start = [], p.start
    while True:
        planned = rules.add_months(start, months) - dt.timedelta(days=1)
        if p.end is not None and planned >= p.end:
            periods.append((start, planned, p.end))
            return periods
        if p.end is None and planned >= today:
            periods.append((start, planned, None))
            return periods
        periods.append((start, planned, planned))
        start = planned + dt.timedelta(days=1)
