"""Check every row of an import against the same rules as the forms, and plan the writes.

Validation is pure Python over the rows plus a handful of set-based queries (existing
people, their parcours, contracts and snapshots), so 10,000 rows cost a few queries, not tens
of thousands. The rules themselves are those of `participants.rules` (the functions the
services apply); nothing here re-states a number.

Identity (quality.md R3): a person is (structure, external_id); a parcours is
(participant, programme, start date). Each valid row is classified as *created*, *updated* or
*unchanged* by comparing the file with what Sillon holds, so importing the same file again
plans no write at all.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from participants.enums import ParcoursStatus, SnapshotContext
from participants.models import Contract, Parcours, Participant, SituationSnapshot
from programmes.models import Deployment
from sites.models import Structure

from .columns import COLUMN_BY_KEY
from .reader import RawRow
from .report import CREATED, UNCHANGED, UPDATED, ImportReport, RowError
from .rows import IDENTITY_FIELDS, RowData, RowParser, normal_name


@dataclass
class ParcoursChange:
    """An existing parcours the file completes: its exit, or a missing situation snapshot."""

    parcours: Parcours
    row: RowData
    exit: bool = False
    entry_housing: str = ""
    exit_housing: str = ""


@dataclass
class PersonPlan:
    """What to write for one person (one external_id) of the file."""

    external_id: str
    identity: dict
    existing: Participant | None = None
    changes: dict = field(default_factory=dict)
    new_parcours: list[RowData] = field(default_factory=list)
    parcours_changes: list[ParcoursChange] = field(default_factory=list)
    # Entry-snapshot dates already recorded for the person (drives the 30-day warning).
    entry_snapshot_dates: list[dt.date] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """The report shown to the user and the writes a commit would make."""

    report: ImportReport
    persons: list[PersonPlan]
    deployments: list[Deployment]

    @property
    def has_writes(self) -> bool:
        return any(
            p.existing is None or p.changes or p.new_parcours or p.parcours_changes
            for p in self.persons
        )


# Rows → plan ----------------------------------------------------------------------------


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Two periods share a day (an open end runs forever)."""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _h(hours: Decimal) -> str:
    return f"{hours.normalize():f}".replace(".", ",")


class _Existing:
    """What Sillon already holds for the people of a batch of rows (a few set queries)."""

    def __init__(self, structure: Structure, groups: dict[str, list[RowData]]):
        self.by_external_id = {
            p.external_id: p
            for p in Participant.objects.filter(structure=structure, external_id__in=list(groups))
        }
        # People created in the browser have no external id: the duplicate check of the
        # forms (same name and birth date) finds them, so the import adopts rather than
        # duplicates them.
        births = {
            rows[0].birth_date
            for key, rows in groups.items()
            if key not in self.by_external_id and rows[0].birth_date
        }
        self.unlabelled: dict[tuple, list[Participant]] = defaultdict(list)
        if births:
            for person in Participant.objects.filter(
                structure=structure, external_id="", birth_date__in=births
            ):
                key = (normal_name(person.last_name), normal_name(person.first_name))
                self.unlabelled[(*key, person.birth_date)].append(person)
        self.claimed: set[int] = set()
        people = list(self.by_external_id.values()) + [
            p for candidates in self.unlabelled.values() for p in candidates
        ]
        ids = [p.pk for p in people]
        self.parcours: dict[int, list[Parcours]] = defaultdict(list)
        self.first_hours: dict[int, Decimal] = {}
        self.snapshots: dict[int, list[SituationSnapshot]] = defaultdict(list)
        if not ids:
            return
        for parcours in (
            Parcours.objects.filter(structure=structure, participant_id__in=ids)
            .select_related("programme", "participant", "structure", "exit")
            .order_by("start_date", "pk")
        ):
            self.parcours[parcours.participant_id].append(parcours)
        for parcours_id, hours in (
            Contract.objects.filter(structure=structure, parcours__participant_id__in=ids)
            .order_by("parcours_id", "start_date", "pk")
            .distinct("parcours_id")
            .values_list("parcours_id", "weekly_hours")
        ):
            self.first_hours[parcours_id] = hours
        for snapshot in SituationSnapshot.objects.filter(
            structure=structure, participant_id__in=ids
        ).only("participant_id", "parcours_id", "context", "date", "housing"):
            self.snapshots[snapshot.participant_id].append(snapshot)

    def match(self, external_id: str, row: RowData) -> tuple[Participant | None, str]:
        """The person this external id names in Sillon, if any, or an error message."""
        person = self.by_external_id.get(external_id)
        if person is not None:
            return person, ""
        if row.birth_date is None:
            return None, ""
        key = (normal_name(row.last_name), normal_name(row.first_name), row.birth_date)
        candidates = [p for p in self.unlabelled.get(key, []) if p.pk not in self.claimed]
        if len(candidates) > 1:
            return None, _(
                "Plusieurs fiches de %(name)s né·e le %(birth)s existent déjà sans identifiant "
                "externe : renseignez l'identifiant dans la bonne fiche avant l'import."
            ) % {"name": candidates[0], "birth": _d(row.birth_date)}
        if candidates:
            self.claimed.add(candidates[0].pk)
            return candidates[0], ""
        return None, ""


def _snapshot_housing(snapshots, parcours: Parcours, context: str, day: dt.date) -> str | None:
    """The housing of the parcours' snapshot in that context (None when there is none)."""
    for snapshot in snapshots:
        if snapshot.context == context and (
            snapshot.parcours_id == parcours.pk
            or (snapshot.parcours_id is None and snapshot.date == day)
        ):
            return snapshot.housing
    return None


def build_plan(
    raw_rows: list[RawRow], *, structure: Structure, today: dt.date, ignored_headers=()
) -> Plan:
    """Validate rows (all of a file for the preview, or one batch of whole people for a
    commit step) and plan their writes."""
    report = ImportReport(total_rows=len(raw_rows), ignored_headers=list(ignored_headers))
    parser = RowParser(structure=structure, today=today)
    groups: dict[str, list[RowData]] = defaultdict(list)
    for raw in raw_rows:
        row, errors = parser.parse(raw)
        if errors:
            report.errors.append(RowError(line=raw.line, messages=errors))
        else:
            groups[row.external_id].append(row)
    existing = _Existing(structure, groups)
    persons: list[PersonPlan] = []
    for external_id, rows in groups.items():
        plan = _plan_person(external_id, rows, existing, report, today)
        if plan is not None:
            persons.append(plan)
    report.errors.sort(key=lambda error: error.line)
    deployments = list(
        Deployment.objects.filter(structures=structure).order_by("-start_date", "pk")
    )
    return Plan(report=report, persons=persons, deployments=deployments)


def _plan_person(
    external_id: str,
    rows: list[RowData],
    existing: _Existing,
    report: ImportReport,
    today: dt.date,
) -> PersonPlan | None:
    kept = _rows_of_one_identity(external_id, rows, report)
    first = rows[0]
    person, message = existing.match(external_id, first)
    if message:
        for row in kept:
            report.errors.append(RowError(line=row.line, messages=[message]))
        return None
    plan = PersonPlan(external_id=external_id, identity=first.identity, existing=person)
    in_sillon = existing.parcours.get(person.pk, []) if person else []
    snapshots = existing.snapshots.get(person.pk, []) if person else []
    plan.entry_snapshot_dates = [s.date for s in snapshots if s.context == SnapshotContext.ENTREE]
    if person is not None:
        # An empty cell says nothing: it never erases what Sillon holds.
        plan.changes = {
            name: value
            for name, value in first.identity.items()
            if value not in ("", None) and getattr(person, name) != value
        }
        if person.external_id != external_id:
            plan.changes["external_id"] = external_id
    accepted = _plan_parcours_rows(kept, plan, in_sillon, snapshots, existing, report)
    if not accepted:
        return None
    plan.lines = [row.line for row in accepted]
    if plan.existing is None:
        report.persons_created += 1
    elif plan.changes:
        report.persons_updated += 1
        # An identity change updates every row of the person that was otherwise unchanged.
        for line in plan.lines:
            if report.outcomes.get(line) == UNCHANGED:
                report.record(line, UPDATED)
    return plan


def _rows_of_one_identity(
    external_id: str, rows: list[RowData], report: ImportReport
) -> list[RowData]:
    """The rows that agree with the person's first row on the identity; the others are
    refused (one external id, one person)."""
    first = rows[0]
    kept: list[RowData] = []
    for row in rows:
        if row is not first:
            different = [
                str(COLUMN_BY_KEY[name].label)
                for name in IDENTITY_FIELDS
                if getattr(row, name) and getattr(first, name) != getattr(row, name)
            ]
            if different:
                report.errors.append(
                    RowError(
                        line=row.line,
                        messages=[
                            _(
                                "Même identifiant « %(id)s » que la ligne %(line)s, mais "
                                "%(fields)s différent(s) : une personne, une identité."
                            )
                            % {
                                "id": external_id,
                                "line": first.line,
                                "fields": ", ".join(different),
                            }
                        ],
                    )
                )
                continue
        kept.append(row)
    return kept


def _plan_parcours_rows(
    kept: list[RowData],
    plan: PersonPlan,
    in_sillon: list[Parcours],
    snapshots: list[SituationSnapshot],
    existing: _Existing,
    report: ImportReport,
) -> list[RowData]:
    """Classify each row of the person as a new parcours, one Sillon has (unchanged or
    completed), or refused; returns the rows that become or match a parcours."""
    # Rows naming a parcours Sillon has go first: the exits they add shorten those
    # parcours before new rows are checked against them.
    accepted: list[RowData] = []
    ends: dict[int, dt.date | None] = {p.pk: p.end_date for p in in_sillon}
    matches = {
        row.line: next(
            (
                p
                for p in in_sillon
                if p.programme_id == row.programme.pk and p.start_date == row.start_date
            ),
            None,
        )
        for row in kept
    }
    for row in sorted(kept, key=lambda row: (matches[row.line] is None, row.line)):
        duplicate = next(
            (
                other
                for other in accepted
                if other.programme.pk == row.programme.pk and other.start_date == row.start_date
            ),
            None,
        )
        if duplicate is not None:
            report.errors.append(
                RowError(
                    line=row.line,
                    messages=[
                        _("Doublon de la ligne %(line)s (même personne, programme et entrée).")
                        % {"line": duplicate.line}
                    ],
                )
            )
            continue
        same = matches[row.line]
        if same is not None:
            errors, outcome = _compare_parcours(row, same, existing, snapshots, plan)
            if errors:
                report.errors.append(RowError(line=row.line, messages=errors))
                continue
            accepted.append(row)
            ends[same.pk] = ends[same.pk] or row.end_date
            report.record(row.line, outcome)
            continue
        clash = _overlap_error(row, accepted, in_sillon, ends)
        if clash:
            report.errors.append(RowError(line=row.line, messages=[clash]))
            continue
        accepted.append(row)
        plan.new_parcours.append(row)
        report.record(row.line, CREATED)
    return accepted


def _overlap_error(
    row: RowData,
    accepted: list[RowData],
    in_sillon: list[Parcours],
    ends: dict[int, dt.date | None],
) -> str:
    """At most one parcours per programme at a time: periods of one programme never overlap."""
    for other in accepted:
        if other.programme.pk == row.programme.pk and _overlaps(
            row.start_date, row.end_date, other.start_date, other.end_date
        ):
            return _(
                "Chevauche le parcours %(prog)s de la ligne %(line)s : une personne n'a qu'un "
                "parcours à la fois par programme."
            ) % {"prog": row.programme.code, "line": other.line}
    for parcours in in_sillon:
        if (
            parcours.programme_id == row.programme.pk
            and parcours.status != ParcoursStatus.NON_ENTRE
            and _overlaps(row.start_date, row.end_date, parcours.start_date, ends[parcours.pk])
        ):
            return _(
                "Chevauche le parcours %(prog)s enregistré dans Sillon (entrée le %(start)s, "
                "sortie %(end)s) : une personne n'a qu'un parcours à la fois par programme."
            ) % {
                "prog": row.programme.code,
                "start": _d(parcours.start_date),
                "end": _d(parcours.end_date),
            }
    return ""


def _compare_parcours(
    row: RowData, parcours: Parcours, existing: _Existing, snapshots, plan: PersonPlan
) -> tuple[list[str], str]:
    """A row naming a parcours Sillon already has: unchanged, completed, or in conflict.

    The file may complete a parcours (its exit, a missing situation) but never rewrites what
    was recorded: a different value is reported so a person decides, in the file or in Sillon.
    """
    errors: list[str] = []
    if row.work_site and parcours.work_site_id not in (None, row.work_site.pk):
        errors.append(
            _("Lieu d'activité : « %(file)s » dans le fichier, un autre dans Sillon.")
            % {"file": row.work_site.name}
        )
    hours = existing.first_hours.get(parcours.pk)
    if hours is not None and hours != row.weekly_hours:
        errors.append(
            _(
                "Heures hebdo : %(file)s h dans le fichier, %(db)s h à l'entrée dans Sillon "
                "(pour changer les heures, ajoutez un palier dans la fiche)."
            )
            % {"file": _h(row.weekly_hours), "db": _h(hours)}
        )
    change = ParcoursChange(parcours=parcours, row=row)
    if row.end_date:
        exit_ = getattr(parcours, "exit", None)
        if parcours.end_date is None and parcours.status == ParcoursStatus.EN_COURS:
            change.exit = True
        elif parcours.end_date != row.end_date or (
            exit_ is not None and exit_.situation != row.exit_situation
        ):
            errors.append(
                _(
                    "Sortie : le %(file_date)s (%(file_sit)s) dans le fichier, le %(db_date)s "
                    "(%(db_sit)s) dans Sillon."
                )
                % {
                    "file_date": _d(row.end_date),
                    "file_sit": row.exit_situation,
                    "db_date": _d(parcours.end_date),
                    "db_sit": exit_.situation if exit_ else "—",
                }
            )
    recorded_entry = _snapshot_housing(snapshots, parcours, SnapshotContext.ENTREE, row.start_date)
    if row.housing_at_entry and recorded_entry is None:
        change.entry_housing = row.housing_at_entry
    elif row.housing_at_entry and recorded_entry != row.housing_at_entry:
        errors.append(
            _("Logement à l'entrée : %(file)s dans le fichier, %(db)s dans Sillon.")
            % {"file": row.housing_at_entry, "db": recorded_entry}
        )
    recorded_exit = _snapshot_housing(snapshots, parcours, SnapshotContext.SORTIE, row.end_date)
    if row.housing_at_exit and recorded_exit is None:
        change.exit_housing = row.housing_at_exit
    elif row.housing_at_exit and recorded_exit != row.housing_at_exit:
        errors.append(
            _("Logement à la sortie : %(file)s dans le fichier, %(db)s dans Sillon.")
            % {"file": row.housing_at_exit, "db": recorded_exit}
        )
    if errors:
        return errors, ""
    if change.exit or change.entry_housing or change.exit_housing:
        plan.parcours_changes.append(change)
        return [], UPDATED
    return [], UNCHANGED
