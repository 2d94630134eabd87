"""Reproducible synthetic dataset for benchmarks and load tests (`generate_dataset`).

Shape and proportions follow quality.md §1: Convergence exits reach employment or training
about 47% of the time, 35% of those without housing at entry obtain it, accompaniment lasts
about two years; Premières Heures starts at 4 h/week rising by paliers towards 20 h, most sas
last under 12 months and a majority continue to a CDDI or to Convergence.

Everything is drawn from one `random.Random(seed)` stream (plus a few derived streams), never
from the hash of a string, so the same seed gives the same rows on any machine. The window is
fixed (it does not depend on today's date) for the same reason.

Organisations (a few thousand rows) go through the ORM; person-level tables (millions of rows)
go through PostgreSQL COPY with ids reserved from their sequences. When a person-level table
is empty at the start, its secondary indexes and foreign keys are dropped for the load and
rebuilt afterwards from their own definitions (what pg_restore does): building an index once
is much cheaper than maintaining it row by row. All of it happens in one transaction, so a
failed run leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Model

from participants import current
from participants import models as pm
from participants.enums import (
    EXIT_CATEGORY,
    HOUSED,
    ActionKind,
    ActionTheme,
    BarrierLevel,
    ContractKind,
    Housing,
    ParcoursStatus,
    Resource,
    SnapshotContext,
)
from programmes import models as prm
from programmes.reference import programmes_ensure
from reporting import hours_by_month, territory_years
from reporting.models import HoursByMonth, TerritoryYear
from sites import models as sm
from sites.enums import FunderKind, GeoKind, Role, StructureKind

# The dataset's window: five years ending on a fixed date (reproducibility beats "today").
WINDOW_START = dt.date(2021, 7, 5)  # a Monday
AS_OF = dt.date(2026, 6, 28)  # a Sunday: the last full week of the window
BENCH_EMAIL_DOMAIN = "bench.sillon.invalid"
# Synthetic geography codes start with "Z": no INSEE or SIREN code does.
GEO_PREFIX = "Z"


@dataclass(frozen=True)
class Scale:
    """Sizes of one dataset; territories = regions + départements (each a territory)."""

    name: str
    departements_per_region: tuple[int, ...]
    epcis_per_departement: int
    communes_per_epci: int
    structures: int
    participants: int
    parcours: int
    actions: int
    worked_hours: int

    @property
    def territories(self) -> int:
        return len(self.departements_per_region) + sum(self.departements_per_region)


SCALES: dict[str, Scale] = {
    "small": Scale("small", (3,), 2, 3, 12, 300, 450, 6_000, 10_000),
    "regional": Scale("regional", (9,), 4, 8, 400, 30_000, 45_000, 600_000, 1_000_000),
    # 13 régions, 87 départements: 100 territories.
    "national": Scale(
        "national", (7,) * 9 + (6,) * 4, 4, 10, 4_000, 300_000, 450_000, 6_000_000, 10_000_000
    ),
}

# Shares of first parcours by programme, when the structure runs it. Convergence and Premières
# Heures are over-represented compared with the real sector so their dashboards have volume.
FIRST_PROGRAMME_WEIGHTS = {"IAE": 60, "CVG": 25, "PHC": 20, "DPH": 8}
# Accompaniment is reinforced in Convergence (+15% of means, more contacts) and in the sas.
ACTION_INTENSITY = {"IAE": 1.0, "CVG": 1.8, "PHC": 1.4, "DPH": 1.4}
# Mean parcours length in days (gamma with shape 2 or 2.5), then clamped to the rules.
DURATION = {
    "CVG": (3.0, 290.0, 30, 1826),  # about 2 years once censored by the window; ≤ 60 months
    "PHC": (2.0, 105.0, 14, 540),  # mean about 7 months, most under 12
    "DPH": (2.0, 105.0, 14, 540),
    "IAE": (2.0, 130.0, 14, 1400),
}
# Detailed exit situations (weights). CVG: 42.3 dynamic out of 90 non-neutralised = 47%.
EXIT_WEIGHTS: dict[str, dict[str, float]] = {
    "CVG": {
        "CDI": 5,
        "CDD_6M_PLUS": 6,
        "INTERIM_6M_PLUS": 2,
        "FONCTION_PUBLIQUE": 0.5,
        "CREATION_ENTREPRISE": 0.5,
        "CDD_MOINS_6M": 8,
        "INTERIM_MOINS_6M": 4,
        "CONTRAT_AIDE": 3,
        "FORMATION": 9,
        "AUTRE_SIAE": 4.3,
        "CHOMAGE": 20,
        "INACTIVITE": 8,
        "SANS_NOUVELLES": 12,
        "ABANDON": 7.7,
        "RETRAITE": 2,
        "DECES": 1.5,
        "SOIN": 4,
        "DEMENAGEMENT": 1.5,
        "INCARCERATION": 1,
    },
    # 60% continue (CDDI, Convergence, another SIAE).
    "PHC": {
        "SUITE_CDDI": 35,
        "SUITE_CVG": 20,
        "AUTRE_SIAE": 5,
        "FORMATION": 3,
        "CDD_MOINS_6M": 3,
        "CHOMAGE": 6,
        "SANS_NOUVELLES": 10,
        "ABANDON": 10,
        "SOIN": 5,
        "INCARCERATION": 2,
        "DECES": 1,
    },
    "DPH": {
        "SUITE_CDDI": 30,
        "SUITE_CVG": 10,
        "AUTRE_SIAE": 15,
        "FORMATION": 3,
        "CHOMAGE": 5,
        "SANS_NOUVELLES": 15,
        "ABANDON": 15,
        "SOIN": 5,
        "INCARCERATION": 2,
    },
    "IAE": {
        "CDI": 10,
        "CDD_6M_PLUS": 8,
        "INTERIM_6M_PLUS": 4,
        "FONCTION_PUBLIQUE": 1,
        "CREATION_ENTREPRISE": 1,
        "CDD_MOINS_6M": 10,
        "INTERIM_MOINS_6M": 6,
        "CONTRAT_AIDE": 4,
        "FORMATION": 10,
        "AUTRE_SIAE": 4,
        "CHOMAGE": 22,
        "INACTIVITE": 6,
        "SANS_NOUVELLES": 5,
        "ABANDON": 4,
        "RETRAITE": 2,
        "SOIN": 2,
        "DEMENAGEMENT": 1,
    },
}
STREET_HOUSING = {
    "RUE": 25,
    "HU_NUIT": 12,
    "CHU": 15,
    "HOTEL": 10,
    "CHRS": 10,
    "TIERS": 10,
    "SQUAT": 6,
    "INSTITUTION": 2,
    "DNA": 2,
    "LOG_ACCOMPAGNE": 6,
    "LOG_AUTONOME": 2,
}
ENTRY_HOUSING = {
    "CVG": STREET_HOUSING,
    "PHC": STREET_HOUSING,
    "DPH": STREET_HOUSING,
    "IAE": {
        "LOG_AUTONOME": 50,
        "TIERS": 15,
        "LOG_ACCOMPAGNE": 10,
        "CHRS": 6,
        "CHU": 4,
        "HOTEL": 3,
        "RUE": 3,
        "DNA": 3,
        "SQUAT": 1,
        "HU_NUIT": 1,
        "INCONNU": 4,
    },
}
# Share of people without housing at entry who have it at exit (Convergence: 35%).
HOUSING_ACCESS = {"CVG": 0.35, "PHC": 0.15, "DPH": 0.15, "IAE": 0.30}
STRUCTURE_KINDS = {"ACI": 55, "AI": 20, "EI": 14, "ETTI": 8, "EITI": 1, "GEIQ": 1, "OTHER": 1}
# Share of weeks with recorded hours: associations intermédiaires and temporary-work
# structures place people intermittently.
HOURS_COVERAGE = {"AI": 0.45, "ETTI": 0.5, "GEIQ": 0.8}
ACTIVITIES = [
    "Espaces verts",
    "Maraîchage",
    "Restauration",
    "Bâtiment second œuvre",
    "Recyclerie",
    "Entretien de locaux",
    "Blanchisserie",
    "Menuiserie",
    "Logistique",
    "Couture",
]
ORIENTEURS = [
    "Maraude",
    "SIAO",
    "CCAS",
    "Service social départemental",
    "France Travail",
    "Mission locale",
    "Accueil de jour",
    "CHRS",
]
PARTNERS = ["", "", "", "CCAS", "CMP", "SIAO", "France Travail", "CPAM", "Bailleur social"]
NOTES = [
    "Point d'étape sur le projet professionnel.",
    "Rendez-vous pris pour l'ouverture des droits.",
    "Accompagnement physique au rendez-vous.",
    "Échange avec le référent social.",
    "Préparation d'un entretien d'embauche.",
    "Point sur la situation de logement.",
    "",
    "",
]
ACTION_KINDS = {
    "ENTRETIEN_INDIVIDUEL": 50,
    "ACCOMPAGNEMENT_PROXIMITE": 12,
    "ACCOMPAGNEMENT_CONCERTE": 12,
    "MOBILISATION_PARTENAIRE": 10,
    "SYNTHESE": 6,
    "AUTRE": 10,
}
ACTION_THEMES = {
    "EMPLOI": 30,
    "LOGEMENT": 18,
    "SANTE": 12,
    "DROITS": 14,
    "FORMATION": 8,
    "MOBILITE": 6,
    "JUSTICE": 3,
    "BUDGET": 5,
    "AUTRE": 4,
}
BARRIER_FIELDS = [f.name for f in pm.SituationSnapshot._meta.concrete_fields]
BARRIER_FIELDS = [name for name in BARRIER_FIELDS if name.startswith("barrier_")]


class Picker:
    """Weighted choice over a fixed mapping, with precomputed cumulative weights."""

    def __init__(self, weights: dict[str, float]):
        self.values = list(weights)
        total = 0.0
        self.cum = []
        for value in self.values:
            total += weights[value]
            self.cum.append(total)

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


class Progress:
    """A one-line progress bar on stderr (command-line jobs show progress, quality.md §2)."""

    def __init__(self, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, label: str, done: int, total: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        share = min(1.0, done / total) if total else 1.0
        bar = "#" * int(share * 30)
        self.stream.write(
            f"\r[{bar:<30}] {share:6.1%} {label:<22} {done:>11,}/{total:<11,} "
            f"{now - self.started:7.1f}s"
        )
        self.stream.flush()

    def done(self, label: str, total: int) -> None:
        self.update(label, total, total, force=True)
        if self.enabled:
            self.stream.write("\n")


# --- COPY helpers ---------------------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(value) + "}"
    if isinstance(value, dict):
        import json

        return json.dumps(value).replace("\\", "\\\\")
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return text


class CopyTable:
    """Streams rows of one model into PostgreSQL with COPY.

    The caller gives the columns it fills; any other column of the model (added later by
    another feature) gets its field default, so the generator keeps working as the schema grows.
    """

    def __init__(self, model: type[Model], columns: list[str]):
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        self._per_row: list[Callable[[], object]] = []
        suffix = []
        for f in model._meta.concrete_fields:
            if f.column in self.columns:
                continue
            if f.primary_key:
                raise ValueError(f"{self.table}: the primary key must be given")
            if f.has_default() and callable(f.default):
                self._per_row.append(lambda f=f: f.get_db_prep_save(f.get_default(), connection))
            elif f.has_default() or f.null or f.empty_strings_allowed:
                default = f.get_default() if f.has_default() else (None if f.null else "")
                suffix.append(_text(f.get_db_prep_save(default, connection)))
            else:
                raise ValueError(f"{self.table}.{f.column}: no value and no default")
            self.columns.append(f.column)
        self.suffix = ("\t" + "\t".join(suffix)) if suffix else ""

    def copy(self, lines: Iterable[str], chunk: int = 4000) -> int:
        """Copy pre-formatted lines (tab-separated values of `columns`, no newline)."""
        count = 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        # Table and column names come from the model registry, never from input.
        sql = f'COPY "{self.table}" ({columns}) FROM STDIN'
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            buffer: list[str] = []
            suffix = self.suffix
            for line in lines:
                if self._per_row:
                    extra = "\t".join(_text(fn()) for fn in self._per_row)
                    buffer.append(f"{line}{suffix}\t{extra}\n")
                else:
                    buffer.append(f"{line}{suffix}\n")
                if len(buffer) >= chunk:
                    copy.write("".join(buffer))
                    count += len(buffer)
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
                count += len(buffer)
        return count


def _reserve_ids(model: type[Model], count: int) -> int:
    """Reserve `count` consecutive ids from the table's sequence; return the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        max_id = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = max(cursor.fetchone()[0], max_id + 1)
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


class DeferredSchema:
    """Drops secondary indexes and foreign keys of empty tables for a bulk load, then
    recreates them from their own definitions (as pg_restore does). Primary keys, check
    constraints and triggers stay; user triggers are disabled during the load only."""

    def __init__(self, models: list[type[Model]]):
        self.tables = [m._meta.db_table for m in models]
        self.indexes: list[str] = []
        self.constraints: list[tuple[str, str, str]] = []
        self.triggers: list[str] = []
        self.forced: list[str] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            # Django's foreign keys are deferred: check the organisations written so far now,
            # since ALTER TABLE refuses to run on a table with pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            empty = []
            for table in self.tables:
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608
                if not cursor.fetchone()[0]:
                    empty.append(table)
            # Foreign keys of every table first: composite keys on (structure_id, parent_id)
            # depend on the parents' unique constraints, dropped next.
            for contype in ("f", "u"):
                for table in empty:
                    cursor.execute(
                        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE conrelid = %s::regclass AND contype = %s ORDER BY conname""",
                        [table, contype],
                    )
                    for name, definition in cursor.fetchall():
                        self.constraints.append((table, name, definition))
                        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            # Rebuilt in the reverse order: unique constraints, then the keys that use them.
            self.constraints.reverse()
            for table in empty:
                cursor.execute(
                    """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                       FROM pg_index i
                       WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                         WHERE c.conindid = i.indexrelid)
                       ORDER BY 1""",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.indexes.append(definition)
                    cursor.execute(f"DROP INDEX {name}")
                # Audit-history triggers would double the load; generated rows have no history.
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND NOT tgisinternal AND tgenabled <> 'D'",
                    [table],
                )
                if cursor.fetchone()[0]:
                    self.triggers.append(table)
                    cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls everything back
        with connection.cursor() as cursor:
            # Give index builds the memory they need, for this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for table in self.triggers:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        return False


# --- The plan: organisations, then person-level rows ----------------------------------------


@dataclass
class StructureInfo:
    id: int
    kind: str
    dept: int  # index of its département
    sites: list[int]
    programmes: list[str]
    author_id: int
    employer_for_dph: int = 0


@dataclass
class Parcours:
    """One parcours before it is written (the children derive from it)."""

    participant: int  # index into the participants list
    structure: int  # index into the structures list
    programme: str
    status: str
    start: int  # date ordinals
    end: int | None
    site: int
    deployment: int | None
    previous: Parcours | None = None
    situation: str = ""
    entry_housing: str = "INCONNU"
    exit_housing: str = "INCONNU"
    hours: list[tuple[int, float]] = field(default_factory=list)  # paliers (from, h/week)
    derogation: bool = False
    id: int = 0


@dataclass
class Result:
    scale: str
    seed: int
    counts: dict[str, int]
    seconds: float
    tag: str


def _iso(ordinal: int, _cache: dict[int, str] = {}) -> str:  # noqa: B006 (deliberate memo)
    text = _cache.get(ordinal)
    if text is None:
        text = _cache[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text


class Generator:
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
            for model in [*person_models, HoursByMonth, pm.CurrentParcours, TerritoryYear]:
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

    def _geography(self) -> None:
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.seed)
        rng = self.stream("geo")
        code = f"{GEO_PREFIX}{self.run_index}"
        regions, depts, epcis, communes = [], [], [], []
        for r, n_depts in enumerate(self.scale.departements_per_region, start=1):
            regions.append(
                sm.GeoUnit(
                    kind=GeoKind.REGION, code=f"{code}R{r:02d}", name=f"Région {fake.city()}"
                )
            )
            for _ in range(n_depts):
                depts.append(
                    (
                        r - 1,
                        sm.GeoUnit(
                            kind=GeoKind.DEPARTEMENT,
                            code=f"{code}D{len(depts) + 1:03d}",
                            name=f"Département {fake.city()}",
                        ),
                    )
                )
        sm.GeoUnit.objects.bulk_create(regions)
        for region_index, dept in depts:
            dept.parent = regions[region_index]
        sm.GeoUnit.objects.bulk_create([d for _, d in depts])
        for d_index, (_, dept) in enumerate(depts):
            for _ in range(self.scale.epcis_per_departement):
                epcis.append(
                    (
                        d_index,
                        sm.GeoUnit(
                            kind=GeoKind.EPCI,
                            code=f"{code}E{len(epcis) + 1:04d}",
                            name=f"Communauté de communes {fake.city()}",
                            parent=dept,
                        ),
                    )
                )
        sm.GeoUnit.objects.bulk_create([e for _, e in epcis])
        for d_index, epci in epcis:
            for _ in range(self.scale.communes_per_epci):
                communes.append(
                    (
                        d_index,
                        sm.GeoUnit(
                            kind=GeoKind.COMMUNE,
                            code=f"{code}C{len(communes) + 1:05d}",
                            name=fake.city(),
                            parent=epci,
                        ),
                    )
                )
        sm.GeoUnit.objects.bulk_create([c for _, c in communes])
        self.regions = regions
        self.depts = [d for _, d in depts]
        self.dept_region = [r for r, _ in depts]
        self.communes_by_dept: list[list[sm.GeoUnit]] = [[] for _ in self.depts]
        for d_index, commune in communes:
            self.communes_by_dept[d_index].append(commune)
        # Territories: one per région (parent) and one per département (child).
        self.region_territories = []
        for r, region in enumerate(regions, start=1):
            self.region_territories.append(
                sm.Territory(name=f"Territoire {region.name}", slug=f"{self.tag}-r{r:02d}")
            )
        sm.Territory.objects.bulk_create(self.region_territories)
        self.dept_territories = [
            sm.Territory(
                name=f"Territoire {dept.name}",
                slug=f"{self.tag}-d{d + 1:03d}",
                parent=self.region_territories[self.dept_region[d]],
            )
            for d, dept in enumerate(self.depts)
        ]
        sm.Territory.objects.bulk_create(self.dept_territories)
        through = sm.Territory.geo_units.through
        through.objects.bulk_create(
            [
                through(territory_id=t.pk, geounit_id=g.pk)
                for t, g in [
                    *zip(self.region_territories, regions, strict=True),
                    *zip(self.dept_territories, self.depts, strict=True),
                ]
            ]
        )
        self.counts["geo_units"] = len(regions) + len(depts) + len(epcis) + len(communes)
        self.counts["territories"] = len(self.region_territories) + len(self.dept_territories)
        del rng

    def _structures(self) -> None:
        from django.contrib.auth.hashers import make_password
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(self.seed + 1)
        rng = self.stream("structures")
        kind_pick = Picker(STRUCTURE_KINDS)
        n = self.scale.structures
        # Which programmes run where: Convergence on about half the départements (it spread
        # from 2012 to 13 territories), Premières Heures on two thirds, the Paris DPH on few.
        n_depts = len(self.depts)
        self.dept_programmes: list[list[str]] = []
        for d in range(n_depts):
            progs = ["IAE"]
            if d % 2 == 0 or n_depts < 4:
                progs.append("CVG")
            if d % 3 != 2 or n_depts < 4:
                progs.append("PHC")
            if d % 7 == 0:
                progs.append("DPH")
            self.dept_programmes.append(progs)
        structures = []
        meta = []
        for i in range(n):
            d = i % n_depts if i < n_depts else rng.randrange(n_depts)
            kind = kind_pick(rng) if i >= n_depts else "ACI"
            commune = rng.choice(self.communes_by_dept[d])
            structures.append(
                sm.Structure(
                    name=f"{kind} {fake.company()} {i + 1}",
                    slug=f"{self.tag}-s{i + 1:05d}",
                    kind=kind,
                    commune=commune,
                    address=fake.street_address(),
                )
            )
            meta.append((d, kind))
        sm.Structure.objects.bulk_create(structures, batch_size=2000)
        sites = []
        for s, (d, _kind) in zip(structures, meta, strict=True):
            for k in range(rng.choice((1, 1, 2, 2, 3))):
                sites.append(
                    sm.WorkSite(
                        structure=s,
                        name=f"Chantier {ACTIVITIES[(s.pk + k) % len(ACTIVITIES)]} {k + 1}",
                        activity=ACTIVITIES[(s.pk + k) % len(ACTIVITIES)],
                        commune=rng.choice(self.communes_by_dept[d]),
                    )
                )
        sm.WorkSite.objects.bulk_create(sites, batch_size=2000)
        # One caseworker per structure writes its actions. No usable password: benchmarks
        # and load tests open sessions directly (bench/sessions.py).
        unusable = make_password(None)
        users = [
            sm.User(
                email=f"cw-{s.slug}@{BENCH_EMAIL_DOMAIN}",
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password=unusable,
            )
            for s in structures
        ]
        sm.User.objects.bulk_create(users, batch_size=2000)
        sm.Membership.objects.bulk_create(
            [
                sm.Membership(user=u, role=Role.CASEWORKER, structure=s)
                for u, s in zip(users, structures, strict=True)
            ],
            batch_size=2000,
        )
        sites_by_structure: dict[int, list[int]] = {}
        for site in sites:
            sites_by_structure.setdefault(site.structure_id, []).append(site.pk)
        self.structures: list[StructureInfo] = []
        for s, (d, kind), u in zip(structures, meta, users, strict=True):
            progs = ["IAE"]
            dept_progs = self.dept_programmes[d]
            if kind == "ACI":
                if "CVG" in dept_progs and rng.random() < 0.6:
                    progs.append("CVG")
                if "PHC" in dept_progs and rng.random() < 0.5:
                    progs.append("PHC")
                if "DPH" in dept_progs and rng.random() < 0.5:
                    progs.append("DPH")
            self.structures.append(
                StructureInfo(s.pk, kind, d, sites_by_structure[s.pk], progs, u.pk)
            )
        # A DPH contract is carried by an association intermédiaire of the same département.
        ai_by_dept: dict[int, int] = {}
        for info in self.structures:
            if info.kind == "AI":
                ai_by_dept.setdefault(info.dept, info.id)
        for info in self.structures:
            info.employer_for_dph = ai_by_dept.get(info.dept, info.id)
        self.counts["structures"] = len(structures)
        self.counts["work_sites"] = len(sites)
        self.counts["users"] = len(users)

    def _deployments(self) -> None:
        rng = self.stream("deployments")
        funders = [
            sm.Funder(name="DGCS (jeu de test)", slug=f"{self.tag}-f-dgcs", kind="ETAT_DGCS")
        ]
        for d, dept in enumerate(self.depts):
            funders.append(
                sm.Funder(
                    name=f"DDETS {dept.name}",
                    slug=f"{self.tag}-f-ddets-{d + 1:03d}",
                    kind=FunderKind.ETAT_DDETS,
                )
            )
        sm.Funder.objects.bulk_create(funders)
        deployments = []
        self.deployment_of: dict[tuple[int, str], tuple[int, int]] = {}
        keys = []
        for d, territory in enumerate(self.dept_territories):
            for code in self.dept_programmes[d]:
                # Convergence and Premières Heures arrive over the first years of the window.
                offset = 0 if code == "IAE" else rng.choice((0, 0, 91, 182, 364, 546))
                start = dt.date.fromordinal(self.window_start + offset)
                deployments.append(
                    prm.Deployment(
                        programme=self.programmes[code], territory=territory, start_date=start
                    )
                )
                keys.append((d, code))
        prm.Deployment.objects.bulk_create(deployments)
        for key, dep in zip(keys, deployments, strict=True):
            self.deployment_of[key] = (dep.pk, dep.start_date.toordinal())
        self.deployments = list(zip(keys, deployments, strict=True))
        d_through = prm.Deployment.structures.through
        links = []
        for info in self.structures:
            for code in info.programmes:
                dep_id, _ = self.deployment_of[(info.dept, code)]
                links.append(d_through(deployment_id=dep_id, structure_id=info.id))
        d_through.objects.bulk_create(links, batch_size=5000)
        f_through = prm.Deployment.funders.through
        f_links = []
        for (d, code), dep in self.deployments:
            f_links.append(f_through(deployment_id=dep.pk, funder_id=funders[d + 1].pk))
            if code in ("CVG", "PHC", "DPH"):
                f_links.append(f_through(deployment_id=dep.pk, funder_id=funders[0].pk))
        f_through.objects.bulk_create(f_links)
        # Coordinations: one per région, one national, each with a user.
        coordinations = [
            sm.Coordination(name=f"Coordination {t.name}", slug=f"{self.tag}-c-r{r + 1:02d}")
            for r, t in enumerate(self.region_territories)
        ]
        coordinations.append(
            sm.Coordination(name="Coordination nationale (jeu de test)", slug=f"{self.tag}-c-nat")
        )
        sm.Coordination.objects.bulk_create(coordinations)
        scopes = []
        for r, t in enumerate(self.region_territories):
            for code in ("CVG", "PHC", "IAE"):
                scopes.append(
                    prm.CoordinationScope(
                        coordination=coordinations[r], territory=t, programme=self.programmes[code]
                    )
                )
                scopes.append(
                    prm.CoordinationScope(
                        coordination=coordinations[-1], territory=t, programme=self.programmes[code]
                    )
                )
        prm.CoordinationScope.objects.bulk_create(scopes)
        from django.contrib.auth.hashers import make_password

        unusable = make_password(None)
        org_users = []
        memberships = []
        for c in coordinations:
            user = sm.User(email=f"coord-{c.slug}@{BENCH_EMAIL_DOMAIN}", password=unusable)
            org_users.append(user)
            memberships.append(sm.Membership(user=user, role=Role.COORDINATOR, coordination=c))
        for f in funders:
            user = sm.User(email=f"funder-{f.slug}@{BENCH_EMAIL_DOMAIN}", password=unusable)
            org_users.append(user)
            memberships.append(sm.Membership(user=user, role=Role.FUNDER, funder=f))
        sm.User.objects.bulk_create(org_users)
        for m, u in zip(memberships, org_users, strict=True):
            m.user = u
        sm.Membership.objects.bulk_create(memberships)
        self.counts["deployments"] = len(deployments)
        self.counts["users"] += len(org_users)

    # -- people: drawn in memory, written with COPY --

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

    def _targets(self) -> None:
        """Yearly targets per deployment: persons accompanied and entries, set near what the
        data will show (between 85% and 120% of it) so gauges are plausible."""
        rng = self.stream("targets")
        dep_index = {dep.pk: (d, code) for (d, code), dep in self.deployments}
        years = range(WINDOW_START.year, AS_OF.year + 1)
        accompanied: dict[tuple[int, int], set[int]] = {}
        entries: dict[tuple[int, int], int] = {}
        for p in self.parcours:
            if p.deployment is None or p.status in ("ORIENTE", "NON_ENTRE"):
                continue
            first_year = dt.date.fromordinal(p.start).year
            last_year = dt.date.fromordinal(p.end or self.as_of).year
            for year in range(first_year, last_year + 1):
                accompanied.setdefault((p.deployment, year), set()).add(p.participant)
            entries[(p.deployment, first_year)] = entries.get((p.deployment, first_year), 0) + 1
        targets = []
        for dep_id in dep_index:
            for year in years:
                start = max(dt.date(year, 1, 1), WINDOW_START)
                end = min(dt.date(year, 12, 31), AS_OF)
                people = len(accompanied.get((dep_id, year), ()))
                if people:
                    targets.append(
                        prm.Target(
                            deployment_id=dep_id,
                            metric="accompanied",
                            value=max(1, round(people * rng.uniform(0.85, 1.2))),
                            period_start=start,
                            period_end=end,
                        )
                    )
                n_entries = entries.get((dep_id, year), 0)
                if n_entries:
                    targets.append(
                        prm.Target(
                            deployment_id=dep_id,
                            metric="entries",
                            value=max(1, round(n_entries * rng.uniform(0.85, 1.2))),
                            period_start=start,
                            period_end=end,
                        )
                    )
        prm.Target.objects.bulk_create(targets, batch_size=5000)
        self.counts["targets"] = len(targets)

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
        writer = CopyTable(pm.Parcours, cols)
        reason = "Difficultés particulièrement importantes (jeu de test)."

        def lines() -> Iterator[str]:
            for offset, p in enumerate(parcours):
                created = _iso(p.start) + " 09:00:00+00"
                long_cvg = p.programme == "CVG" and (p.end or self.as_of) - p.start > 730
                yield (
                    f"{p.id}\t{self.structures[p.structure].id}\t{created}\t{created}\t"
                    f"{person_id[p.participant]}\t{codes[p.programme]}\t"
                    f"{p.deployment if p.deployment else chr(92) + 'N'}\t{p.site}\t{p.status}\t"
                    f"{_iso(p.start)}\t{_iso(p.end) if p.end else chr(92) + 'N'}\t"
                    f"{p.previous.id if p.previous else chr(92) + 'N'}\t"
                    f"{reason if long_cvg else ''}\t{{}}\t1"
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
        followup = {c: p.followup_months for c, p in self.programmes.items()}

        def exit_lines() -> Iterator[str]:
            for offset, p in enumerate(exited):
                created = _iso(p.end) + " 17:00:00+00"
                months = followup[p.programme]
                until = _iso(p.end + int(months * 30.4)) if months else "\\N"
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
