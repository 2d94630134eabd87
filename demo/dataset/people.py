"""The people and their parcours, drawn in memory before anything is written."""

from __future__ import annotations

import random

from participants.enums import (
    HOUSED,
    ParcoursStatus,
)

from .plan import Parcours
from .shape import (
    DURATION,
    ENTRY_HOUSING,
    EXIT_WEIGHTS,
    FIRST_PROGRAMME_WEIGHTS,
    HOUSING_ACCESS,
    Picker,
)


class PeopleSteps:
    """The people's steps of `Generator` (which holds the state): every parcours drawn in
    memory before anything is written."""

    def _duration(self, rng: random.Random, code: str) -> int:
        shape, scale, low, high = DURATION[code]
        return max(low, min(high, int(rng.gammavariate(shape, scale))))

    def _start_date(self, rng: random.Random, earliest: int) -> int:
        # More entries in later years: the programmes spread over the window.
        span = self.as_of - self.window_start
        day = self.window_start + int(span * rng.random() ** 0.8)
        return max(day, earliest)

    def _make_parcours(
        self,
        rng: random.Random,
        person: int,
        s_index: int,
        code: str,
        start: int,
        previous: Parcours | None,
        entry_housing: str | None,
    ) -> Parcours:
        info = self.structures[s_index]
        dep = self.deployment_of.get((info.dept, code))
        if dep is not None and start < dep[1]:
            # Entries before the deployment began are spread over its own period instead.
            span = self.as_of - self.window_start
            start = dep[1] + (start - self.window_start) * (self.as_of - dep[1]) // span
        p = Parcours(
            participant=person,
            structure=s_index,
            programme=code,
            status=ParcoursStatus.EN_COURS,
            start=start,
            end=None,
            site=rng.choice(info.sites),
            deployment=dep[0] if dep else None,
            previous=previous,
        )
        p.entry_housing = entry_housing or self.housing_pick[code](rng)
        if start > self.as_of - 45 and rng.random() < 0.3:
            # Recently oriented people not yet started, and a few who never came.
            p.status = ParcoursStatus.ORIENTE if rng.random() < 0.8 else ParcoursStatus.NON_ENTRE
            return p
        end = start + self._duration(rng, code)
        if end <= self.as_of:
            p.end = end
            p.status = ParcoursStatus.SORTI
            situation = self.exit_pick[code](rng)
            if situation == "SUITE_CVG" and "CVG" not in info.programmes:
                situation = "SUITE_CDDI"
            p.situation = situation
            if p.entry_housing in HOUSED:
                p.exit_housing = p.entry_housing if rng.random() < 0.95 else "TIERS"
            elif rng.random() < HOUSING_ACCESS[code]:
                p.exit_housing = "LOG_ACCOMPAGNE" if rng.random() < 0.55 else "LOG_AUTONOME"
            else:
                p.exit_housing = p.entry_housing
        # Weekly hours: paliers for the sas, one contract figure otherwise.
        if code == "PHC":
            hours, day = 4.0, start
            p.hours.append((day, hours))
            while hours < 20 and rng.random() < 0.8:
                day += rng.randint(28, 63)
                if day > (p.end or self.as_of):
                    break
                hours = min(20.0, hours + 4)
                p.hours.append((day, hours))
        elif code == "DPH":
            hours, day = float(rng.choice((1, 2, 2, 4))), start
            p.hours.append((day, hours))
            while hours < 16 and rng.random() < 0.75:
                day += rng.randint(28, 63)
                if day > (p.end or self.as_of):
                    break
                hours = min(16.0, hours + 3)
                p.hours.append((day, hours))
        else:
            if rng.random() < 0.08:
                p.derogation = True
                p.hours.append((start, float(rng.choice((12, 15, 16, 18)))))
            else:
                p.hours.append((start, float(rng.choice((20, 24, 26, 26, 26, 30, 35)))))
        return p

    def _people(self) -> None:
        rng = self.stream("people")
        self.housing_pick = {code: Picker(w) for code, w in ENTRY_HOUSING.items()}
        self.exit_pick = {code: Picker(w) for code, w in EXIT_WEIGHTS.items()}
        n_people = self.scale.participants
        # Structure sizes are skewed (a few large ACI, many small ones).
        weights = [rng.lognormvariate(0, 0.8) for _ in self.structures]
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        indices = list(range(len(self.structures)))
        person_structure = rng.choices(indices, cum_weights=cum, k=n_people)
        # Every structure has at least one person, so every list page has rows.
        for i in range(min(len(indices), n_people)):
            person_structure[i] = i
        parcours: list[Parcours] = []
        last_of_person: list[Parcours] = []
        for person, s_index in enumerate(person_structure):
            info = self.structures[s_index]
            progs = info.programmes
            code = rng.choices(progs, weights=[FIRST_PROGRAMME_WEIGHTS[c] for c in progs])[0]
            p = self._make_parcours(
                rng, person, s_index, code, self._start_date(rng, 0), None, None
            )
            parcours.append(p)
            # Premières Heures continues to a CDDI (IAE) or to Convergence in the same ACI.
            if p.situation in ("SUITE_CDDI", "SUITE_CVG") and len(parcours) < self.scale.parcours:
                next_code = "CVG" if p.situation == "SUITE_CVG" else "IAE"
                start = min(p.end + rng.randint(0, 14), self.as_of)
                p = self._make_parcours(rng, person, s_index, next_code, start, p, p.exit_housing)
                parcours.append(p)
            last_of_person.append(p)
        # Returns: people who left come back later, until the parcours count is reached.
        needed = self.scale.parcours - len(parcours)
        eligible = [
            p
            for p in last_of_person
            if p.end is not None
            and p.end < self.as_of - 60
            and p.situation not in ("DECES", "SUITE_CDDI", "SUITE_CVG")
        ]
        for p in rng.sample(eligible, min(needed, len(eligible))) if needed > 0 else []:
            info = self.structures[p.structure]
            code = (
                "IAE" if rng.random() < 0.8 or p.programme not in info.programmes else p.programme
            )
            start = rng.randint(p.end + 30, self.as_of)
            parcours.append(
                self._make_parcours(rng, p.participant, p.structure, code, start, None, None)
            )
        # Ids follow creation order: a person is created at their first entry.
        parcours.sort(key=lambda p: (p.start, p.participant, p.programme))
        self.person_order: list[int] = []
        seen = [False] * n_people
        for p in parcours:
            if not seen[p.participant]:
                seen[p.participant] = True
                self.person_order.append(p.participant)
        self.person_structure = person_structure
        self.parcours = parcours
