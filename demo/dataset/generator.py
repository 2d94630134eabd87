"""The dataset generator: one seeded random stream, one transaction."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection, transaction

from participants import current
from participants import models as pm
from participants.enums import (
    EXIT_CATEGORY,
    ActionKind,
    ActionTheme,
    Housing,
)
from programmes.reference import programmes_ensure
from reporting import hours_by_month, territory_years
from reporting.models import (
    HoursByMonth,
    TerritoryMonth,
    TerritoryMonthGap,
    TerritoryWeek,
    TerritoryYear,
)
from sites import models as sm
from sites.enums import StructureKind

from .copying import DeferredSchema
from .followups import FollowupSteps
from .organisations import OrganisationSteps
from .people import PeopleSteps
from .person_rows import PersonRowSteps
from .plan import Result
from .progress import Progress
from .shape import (
    ACTION_KINDS,
    ACTION_THEMES,
    AS_OF,
    EXIT_WEIGHTS,
    SCALES,
    STREET_HOUSING,
    STRUCTURE_KINDS,
    WINDOW_START,
    Scale,
)


class Generator(OrganisationSteps, PeopleSteps, PersonRowSteps, FollowupSteps):
    """Builds one dataset: organisations, then people, then their rows (see the steps'
    modules), in one transaction."""

    def __init__(self, scale: Scale, seed: int, progress: Progress):
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.window_start = WINDOW_START.toordinal()
        self.as_of = AS_OF.toordinal()

    # Derived streams keep each table's draws independent of how many rows came before.
    def stream(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def run(self) -> Result:
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A bulk load is not a web request: lift the web timeouts for this transaction.
                cursor.execute("SET LOCAL statement_timeout = 0")
                cursor.execute("SET LOCAL lock_timeout = 0")
            self.tag = self._free_tag()
            self._programmes()
            self._geography()
            self._structures()
            self._deployments()
            self._people()
            self._targets()
            person_models = [
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
            with DeferredSchema(person_models):
                self._copy_people()
                self.progress.update("index rebuild", 0, 1, force=True)
            self.progress.done("index rebuild", 1)
            # The rows were loaded with user triggers off: fill what the triggers maintain.
            hours_by_month.rebuild()
            self.progress.done("hours by month", 1)
            current.rebuild()
            self.progress.done("current parcours", 1)
            territory_years.rebuild(max(dt.date.today().year, AS_OF.year))
            self.progress.done("territory years", 1)
        # Statistics for the planner and, outside a transaction, the visibility map that lets
        # index-only scans skip the heap (autovacuum would set it later on a live database).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            # Ten million rows take longer than the web's statement timeout on a busy machine.
            cursor.execute("SET statement_timeout = 0")
            derived = [HoursByMonth, pm.CurrentParcours, TerritoryYear, TerritoryMonth]
            for model in [*person_models, *derived, TerritoryMonthGap, TerritoryWeek]:
                cursor.execute(f'{command} "{model._meta.db_table}"')
        return Result(self.scale.name, self.seed, self.counts, time.monotonic() - started, self.tag)

    def _free_tag(self) -> str:
        """Slug prefix of this run: `g<seed>`, or `g<seed>r<n>` when it is already used."""
        base = f"g{self.seed}"
        tag, n = base, 1
        while sm.Territory.objects.filter(slug__startswith=f"{tag}-").exists():
            n += 1
            tag = f"{base}r{n}"
        self.run_index = n
        return tag

    # -- reference data and organisations (ORM: a few thousand rows) --

    def _programmes(self) -> None:
        self.programmes = programmes_ensure()


def database_has_participants() -> bool:
    return pm.Participant.objects.exists()


def generate(scale: str, seed: int, *, progress: Progress | None = None) -> Result:
    """Generate the dataset of `scale` with `seed` into the default database."""
    return Generator(SCALES[scale], seed, progress or Progress(enabled=False)).run()


# Kept for readers of the enums: every generated code is a valid choice.
assert set(EXIT_WEIGHTS["IAE"]) | set(EXIT_WEIGHTS["PHC"]) <= set(EXIT_CATEGORY)
assert all(h in Housing.values for h in STREET_HOUSING)
assert all(k in ActionKind.values for k in ACTION_KINDS)
assert all(t in ActionTheme.values for t in ACTION_THEMES)
assert all(k in StructureKind.values for k in STRUCTURE_KINDS)
