"""Write a validated plan: bulk inserts for what is new, the services for what changes.

New people and parcours are by far the bulk of an import; they are inserted set-wise
(`bulk.insert`, one statement per table) once the rules have passed in `validation` (the same
rule functions the services apply), and the objects are built exactly as `parcours_enrol` /
`parcours_exit` build them: a first CDDI contract, a first palier for programmes with
paliers, the exit with its DGEFP category, the situation snapshots, the warnings. Changes to
records Sillon already holds (an identity correction, the exit of an open parcours, a
missing snapshot) are few and go through `participants.services`, with optimistic locking.

Everything runs in one transaction per call: a failure anywhere leaves nothing of the batch.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from participants import rules, services
from participants.enums import EXIT_CATEGORY, ContractKind, ParcoursStatus, SnapshotContext
from participants.models import (
    Contract,
    Exit,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
)
from programmes.models import Deployment, Programme
from sites.models import Structure
from sites.tenancy.rls import rls_structures

from . import bulk
from .report import ImportReport, RowError
from .validation import PersonPlan, Plan, RowData


def _deployment_for(
    deployments: Iterable[Deployment], programme: Programme, day: dt.date
) -> Deployment | None:
    """The structure's deployment of the programme running that day, latest first, as
    `parcours_enrol` resolves it (`deployments` come ordered by start date, newest first)."""
    for deployment in deployments:
        if (
            deployment.programme_id == programme.pk
            and deployment.start_date <= day
            and (deployment.end_date is None or deployment.end_date >= day)
        ):
            return deployment
    return None


def _new_parcours_warnings(row: RowData, entry_dates: list[dt.date], today: dt.date) -> dict:
    """`services.parcours_warnings` for a parcours that is not saved yet (no AI placement:
    imported contracts are CDDI)."""
    warnings = rules.long_parcours_warning(
        programme=row.programme, start_date=row.start_date, end_date=row.end_date, today=today
    )
    window_start = row.start_date - dt.timedelta(days=90)
    first_entry = min((day for day in entry_dates if day >= window_start), default=None)
    warnings.update(
        rules.entry_snapshot_warning(
            programme=row.programme,
            start_date=row.start_date,
            first_entry_snapshot=first_entry,
            today=today,
        )
    )
    return warnings


def _apply_changes(person: PersonPlan, *, actor) -> list[str]:
    """Changes to what Sillon holds, through the services; French errors if refused."""
    participant = person.existing
    try:
        with transaction.atomic():
            if person.changes:
                participant = services.participant_update(
                    participant=participant,
                    actor=actor,
                    expected_version=participant.version,
                    **person.changes,
                )
            for change in person.parcours_changes:
                parcours = change.parcours
                if change.entry_housing:
                    services.snapshot_record(
                        participant=participant,
                        parcours=parcours,
                        context=SnapshotContext.ENTREE,
                        date=parcours.start_date,
                        actor=actor,
                        housing=change.entry_housing,
                    )
                if change.exit:
                    services.parcours_exit(
                        parcours=parcours,
                        date=change.row.end_date,
                        situation=change.row.exit_situation,
                        actor=actor,
                        exit_snapshot={"housing": change.exit_housing}
                        if change.exit_housing
                        else None,
                    )
                elif change.exit_housing:
                    services.snapshot_record(
                        participant=participant,
                        parcours=parcours,
                        context=SnapshotContext.SORTIE,
                        date=parcours.end_date,
                        actor=actor,
                        housing=change.exit_housing,
                    )
    except services.ConflictError:
        return [_("La fiche a été modifiée pendant l'import : importez à nouveau le fichier.")]
    except ValidationError as error:
        return list(error.messages)
    person.existing = participant
    return []


def commit_plan(plan: Plan, *, structure: Structure, actor, today: dt.date) -> ImportReport:
    """Write the plan in one transaction; returns the report of what was written."""
    report = plan.report
    with transaction.atomic(), rls_structures([structure.pk]):
        kept: list[PersonPlan] = []
        for person in plan.persons:
            if person.existing is not None and (person.changes or person.parcours_changes):
                errors = _apply_changes(person, actor=actor)
                if errors:
                    _refuse(report, person, errors)
                    continue
            kept.append(person)
        _create_new(kept, plan.deployments, structure=structure, today=today)
    return report


def _refuse(report: ImportReport, person: PersonPlan, errors: list[str]) -> None:
    """Move a person's rows from the written ones to the refused ones."""
    for line in person.lines:
        report.outcomes.pop(line, None)
        report.errors.append(RowError(line=line, messages=errors))
    report.errors.sort(key=lambda error: error.line)
    if person.existing is None:
        report.persons_created -= 1
    elif person.changes:
        report.persons_updated -= 1


def _create_new(
    persons: list[PersonPlan], deployments: list[Deployment], *, structure: Structure, today
) -> None:
    new_people = _insert_new_people(persons, structure, today)
    rows_and_parcours = _insert_new_parcours(persons, deployments, structure, today)
    _insert_parcours_children(rows_and_parcours, structure)
    _touch_known_people(persons, new_people, today)


def _last_contact(person: PersonPlan, today: dt.date) -> dt.date:
    """The latest date of the person's new parcours, never after today (a file's last
    contact is a past event: a future one would postpone its retention)."""
    return min(max(row.last_date for row in person.new_parcours), today)


def _insert_new_people(
    persons: list[PersonPlan], structure: Structure, today: dt.date
) -> list[Participant]:
    """Insert the people Sillon does not know yet (with reserved ids, so their parcours can
    point at them) and set them on their plans."""
    new_people = []
    for person in persons:
        if person.existing is None:
            person.existing = Participant(
                structure=structure,
                external_id=person.external_id,
                last_contact_on=_last_contact(person, today),
                **person.identity,
            )
            new_people.append(person.existing)
    for participant, pk in zip(
        new_people, bulk.reserve_ids(Participant, len(new_people)), strict=True
    ):
        participant.pk = pk
    bulk.insert(Participant, new_people, with_ids=True)
    return new_people


def _insert_new_parcours(
    persons: list[PersonPlan], deployments: list[Deployment], structure: Structure, today
) -> list[tuple[RowData, Parcours]]:
    """Insert the new parcours, with their warnings computed as the services would."""
    rows_and_parcours: list[tuple[RowData, Parcours]] = []
    for person in persons:
        entry_dates = person.entry_snapshot_dates + [
            row.start_date for row in person.new_parcours if row.housing_at_entry
        ]
        for row in person.new_parcours:
            parcours = Parcours(
                structure=structure,
                participant=person.existing,
                programme=row.programme,
                deployment=_deployment_for(deployments, row.programme, row.start_date),
                work_site=row.work_site,
                status=ParcoursStatus.SORTI if row.end_date else ParcoursStatus.EN_COURS,
                start_date=row.start_date,
                end_date=row.end_date,
                prolongation_reason=row.prolongation_reason,
                warnings=_new_parcours_warnings(row, entry_dates, today),
            )
            rows_and_parcours.append((row, parcours))
    new_parcours = [parcours for _row, parcours in rows_and_parcours]
    for parcours, pk in zip(
        new_parcours, bulk.reserve_ids(Parcours, len(new_parcours)), strict=True
    ):
        parcours.pk = pk
    bulk.insert(Parcours, new_parcours, with_ids=True)
    return rows_and_parcours


def _insert_parcours_children(
    rows_and_parcours: list[tuple[RowData, Parcours]], structure: Structure
) -> None:
    """The first contract, first palier, exit and situations of each new parcours, one
    statement per table."""
    contracts, stages, snapshots, exits = [], [], [], []
    for row, parcours in rows_and_parcours:
        contracts.append(
            Contract(
                structure=structure,
                parcours=parcours,
                kind=ContractKind.CDDI,
                employer=structure,
                host=structure,
                start_date=row.start_date,
                actual_end_date=row.end_date,
                weekly_hours=row.weekly_hours,
            )
        )
        if row.programme.has_hours_stages:
            stages.append(
                HoursStage(
                    structure=structure,
                    parcours=parcours,
                    start_date=row.start_date,
                    weekly_hours=row.weekly_hours,
                )
            )
        if row.housing_at_entry:
            snapshots.append(
                _snapshot(parcours, SnapshotContext.ENTREE, row.start_date, row.housing_at_entry)
            )
        if row.end_date:
            exits.append(
                Exit(
                    structure=structure,
                    parcours=parcours,
                    date=row.end_date,
                    situation=row.exit_situation,
                    # A bulk insert skips Exit.save(), which derives the category.
                    dgefp_category=EXIT_CATEGORY[row.exit_situation],
                )
            )
            if row.housing_at_exit:
                snapshots.append(
                    _snapshot(parcours, SnapshotContext.SORTIE, row.end_date, row.housing_at_exit)
                )
    for model, objects in (
        (Contract, contracts),
        (HoursStage, stages),
        (SituationSnapshot, snapshots),
        (Exit, exits),
    ):
        bulk.insert(model, objects)


def _snapshot(parcours: Parcours, context: str, day: dt.date, housing: str) -> SituationSnapshot:
    return SituationSnapshot(
        structure=parcours.structure,
        participant_id=parcours.participant_id,
        parcours=parcours,
        context=context,
        date=day,
        housing=housing,
    )


def _touch_known_people(
    persons: list[PersonPlan], new_people: list[Participant], today: dt.date
) -> None:
    """Last contact of people Sillon already knew (new people got theirs at creation)."""
    new_ids = {person.pk for person in new_people}
    for person in persons:
        if person.new_parcours and person.existing.pk not in new_ids:
            day = _last_contact(person, today)
            Participant.objects.filter(pk=person.existing.pk).filter(
                Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=day)
            ).update(last_contact_on=day)
