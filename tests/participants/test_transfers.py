"""Transfer of a file to another structure of the same deployment: the service, the past
kept where it happened (indicators of both structures), and the 30 days of read access of
the sending structure — under row-level security with the real web role."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone

from participants import services
from participants.enums import ParcoursStatus
from participants.models import (
    AccompanimentAction,
    Exit,
    Parcours,
    Participant,
    ParticipantAccessGrant,
    Transfer,
    WorkedHours,
)
from reporting import periods
from reporting.indicators import indicator_table
from sites.tenancy.rls import web_role
from sites.tenancy.scope import Scope
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def scope_of(*structures) -> Scope:
    return Scope(user_id=None, structure_ids=frozenset(s.pk for s in structures))


@pytest.fixture
def deployment(structure_a, structure_b, programmes):
    deployment = f.DeploymentFactory(programme=programmes["CVG"], start_date=dt.date(2020, 1, 1))
    deployment.structures.add(structure_a, structure_b)
    return deployment


@pytest.fixture
def manager_a(structure_a):
    from sites.enums import Role

    return f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user


def file_in(structure, *, start=dt.date(TODAY.year - 1, 6, 1)):
    """A person in Convergence in `structure` since `start`, with a week of hours and an
    action."""
    site = f.WorkSiteFactory(structure=structure)
    person = f.ParticipantFactory(structure=structure, external_id="A-17")
    parcours = f.ParcoursFactory(participant=person, start_date=start, work_site=site)
    f.ContractFactory(parcours=parcours, start_date=start, weekly_hours=Decimal(26))
    monday = start + dt.timedelta(days=-start.weekday() % 7)
    f.WorkedHoursFactory(parcours=parcours, work_site=site, week_start=monday, hours=Decimal(20))
    f.ActionFactory(parcours=parcours, date=start)
    return person, parcours


def transfer(person, to, actor, *, days_ago=0):
    day = TODAY - dt.timedelta(days=days_ago)
    return services.participant_transfer(
        participant=person, to_structure=to, date=day, consent_on=day, actor=actor
    )


def test_the_file_moves_and_the_past_parcours_stays(
    deployment, structure_a, structure_b, manager_a
):
    person, parcours_a = file_in(structure_a)
    record = transfer(person, structure_b, manager_a)
    person.refresh_from_db()
    parcours_a.refresh_from_db()
    # The person is B's now, without A's spreadsheet id nor A's referent.
    assert (person.structure, person.external_id, person.referent) == (structure_b, "", None)
    # A's parcours stays A's, closed on the transfer date by a neutralised exit, no follow-up.
    assert (parcours_a.structure, parcours_a.status, parcours_a.end_date) == (
        structure_a,
        ParcoursStatus.SORTI,
        TODAY,
    )
    exit_ = Exit.objects.get(parcours=parcours_a)
    assert (exit_.situation, exit_.dgefp_category) == ("DEMENAGEMENT", "NEUTRALISEE")
    assert not parcours_a.followup_checks.exists()
    # B gets an oriented parcours in the same programme, waiting for its entry.
    parcours_b = Parcours.objects.get(pk=record.to_parcours_id)
    assert (parcours_b.structure, parcours_b.programme, parcours_b.status) == (
        structure_b,
        parcours_a.programme,
        ParcoursStatus.ORIENTE,
    )
    assert (parcours_b.referred_by, parcours_b.referred_on) == ("TRANSFERT", TODAY)
    # The record: who, when, the consent, the grants.
    assert (record.structure, record.to_structure, record.recorded_by) == (
        structure_a,
        structure_b,
        manager_a,
    )
    assert record.readable_until == TODAY + dt.timedelta(days=30)
    grants = {g.structure_id: g.until for g in ParticipantAccessGrant.objects.all()}
    assert grants == {structure_a.pk: record.readable_until, structure_b.pk: None}
    # The history of the identity follows the file.
    events = Participant.pgh_event_model.objects.filter(pgh_obj_id=person.pk)
    assert events.count() >= 2
    assert set(events.values_list("structure_id", flat=True)) == {structure_b.pk}


def test_the_receiving_structure_enters_the_person_with_the_usual_entry(
    deployment, structure_a, structure_b, manager_a
):
    person, _ = file_in(structure_a)
    record = transfer(person, structure_b, manager_a, days_ago=3)
    caseworker_b = f.MembershipFactory(structure=structure_b).user
    parcours_b = Parcours.objects.get(pk=record.to_parcours_id)
    with web_role(scope_of(structure_b)):
        services.orientation_enter(
            parcours=parcours_b, actor=caseworker_b, start_date=TODAY, weekly_hours=Decimal(26)
        )
    parcours_b.refresh_from_db()
    assert parcours_b.status == ParcoursStatus.EN_COURS


def test_indicators_of_past_periods_stay_right_for_both_structures(
    deployment, structure_a, structure_b, manager_a, programmes
):
    person, _ = file_in(structure_a)
    last_year = periods.year(TODAY.year - 1)
    before = indicator_table(
        programme=programmes["CVG"],
        period=last_year,
        structure_ids=[structure_a.pk, structure_b.pk],
    )
    transfer(person, structure_b, manager_a)
    after = indicator_table(
        programme=programmes["CVG"],
        period=last_year,
        structure_ids=[structure_a.pk, structure_b.pk],
    )
    # Last year the person was A's: counted for A, not B, before and after the transfer.
    assert after.by_structure[structure_a.pk] == before.by_structure[structure_a.pk]
    assert after.by_structure[structure_a.pk].accompanied == 1
    assert after.by_structure[structure_a.pk].hours_worked == before.total.hours_worked
    assert structure_b.pk not in after.by_structure or (
        after.by_structure[structure_b.pk].accompanied == 0
    )
    # This year: A counts the exit (neutralised), B nothing until the entry (oriented only).
    this_year = indicator_table(
        programme=programmes["CVG"],
        period=periods.year(TODAY.year),
        structure_ids=[structure_a.pk, structure_b.pk],
    )
    a_now = this_year.by_structure[structure_a.pk]
    assert (a_now.exits, a_now.exits_by_category["NEUTRALISEE"], a_now.dynamic_exits) == (1, 1, 0)
    assert this_year.total.accompanied == 1  # one person, not two, at the deployment's level


# Refusals -----------------------------------------------------------------------------


def test_a_target_outside_the_deployment_is_refused(deployment, structure_a, manager_a):
    person, parcours = file_in(structure_a)
    elsewhere = f.StructureFactory()
    with pytest.raises(ValidationError) as error:
        transfer(person, elsewhere, manager_a)
    assert "to_structure" in error.value.message_dict
    parcours.refresh_from_db()
    assert parcours.status == ParcoursStatus.EN_COURS
    assert not Transfer.objects.exists()


def test_a_structure_of_another_programme_s_deployment_is_refused(
    deployment, structure_a, manager_a, programmes
):
    person, _ = file_in(structure_a)
    other = f.StructureFactory()
    phc = f.DeploymentFactory(programme=programmes["PHC"], start_date=dt.date(2020, 1, 1))
    phc.structures.add(structure_a, other)
    with pytest.raises(ValidationError) as error:
        transfer(person, other, manager_a)
    assert "to_structure" in error.value.message_dict


def test_consent_after_the_transfer_is_refused(deployment, structure_a, structure_b, manager_a):
    person, _ = file_in(structure_a)
    with pytest.raises(ValidationError) as error:
        services.participant_transfer(
            participant=person,
            to_structure=structure_b,
            date=TODAY - dt.timedelta(days=2),
            consent_on=TODAY,
            actor=manager_a,
        )
    assert "consent_on" in error.value.message_dict


def test_a_file_without_parcours_in_progress_is_not_transferred(
    deployment, structure_a, structure_b, manager_a
):
    person = f.ParticipantFactory(structure=structure_a)
    with pytest.raises(ValidationError):
        transfer(person, structure_b, manager_a)


def test_targets_are_the_deployment_s_other_structures(deployment, structure_a, structure_b):
    f.StructureFactory()  # in no deployment
    assert list(services.transfer_targets(structure_a.pk, TODAY)) == [structure_b]


# Row-level security with the web role ----------------------------------------------------


def _visible(scope, model, **filters) -> int:
    with web_role(scope):
        return model.objects.filter(**filters).count()


@pytest.mark.parametrize(
    ("at", "day"),
    [
        # Local midnight is UTC 23:00 in winter, 22:00 in summer: the grant's day is the
        # local one (the one `readable_until` was written from), whatever the session's zone.
        ("2026-12-06 22:59:59+00", "2026-12-06"),
        ("2026-12-06 23:00:00+00", "2026-12-07"),
        ("2026-12-06 23:30:00+00", "2026-12-07"),
        ("2026-07-01 21:59:59+00", "2026-07-01"),
        ("2026-07-01 22:00:00+00", "2026-07-02"),
        ("2024-02-28 23:00:00+00", "2024-02-29"),
        ("2025-12-31 23:00:00+00", "2026-01-01"),
    ],
)
def test_the_grant_s_day_is_the_local_day(at, day):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sillon_local_date(%s::timestamptz)", [at])
        assert cursor.fetchone()[0] == dt.date.fromisoformat(day)
        cursor.execute("SELECT sillon_local_today()")
        assert cursor.fetchone()[0] == timezone.localdate()


@pytest.mark.parametrize(("days_ago", "readable"), [(0, True), (29, True), (30, True), (31, False)])
def test_the_sending_structure_reads_the_file_for_30_days(
    deployment, structure_a, structure_b, manager_a, days_ago, readable
):
    person, _ = file_in(structure_a)
    transfer(person, structure_b, manager_a, days_ago=days_ago)
    scope_a = scope_of(structure_a)
    assert _visible(scope_a, Participant, pk=person.pk) == (1 if readable else 0)
    # B's new parcours is read with the file, A's own parcours always (its activity).
    assert _visible(scope_a, Parcours, participant_id=person.pk) == (2 if readable else 1)
    # The transfer itself stays in A's history, and is in B's.
    assert _visible(scope_a, Transfer, participant_id=person.pk) == 1
    assert _visible(scope_of(structure_b), Transfer, participant_id=person.pk) == 1


def test_the_receiving_structure_reads_the_history_for_good(
    deployment, structure_a, structure_b, manager_a
):
    person, parcours_a = file_in(structure_a, start=TODAY - dt.timedelta(days=500))
    transfer(person, structure_b, manager_a, days_ago=400)
    scope_b = scope_of(structure_b)
    assert _visible(scope_b, Participant, pk=person.pk) == 1
    assert _visible(scope_b, Parcours, participant_id=person.pk) == 2
    # Only the parcours: A's notes, hours and contracts stay A's.
    assert _visible(scope_b, AccompanimentAction, parcours_id=parcours_a.pk) == 0
    assert _visible(scope_b, WorkedHours, parcours_id=parcours_a.pk) == 0


def test_another_structure_reads_nothing(deployment, structure_a, structure_b, manager_a):
    person, _ = file_in(structure_a)
    transfer(person, structure_b, manager_a)
    scope_c = scope_of(f.StructureFactory())
    assert _visible(scope_c, Participant, pk=person.pk) == 0
    assert _visible(scope_c, Parcours, participant_id=person.pk) == 0
    assert _visible(scope_c, Transfer) == 0


def _run_as(scope, sql, params=()):
    with web_role(scope), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_no_write_during_the_grace_period(deployment, structure_a, structure_b, manager_a):
    person, parcours_a = file_in(structure_a)
    transfer(person, structure_b, manager_a, days_ago=10)
    scope_a = scope_of(structure_a)
    # The file is readable, not writable: the update and the deletion touch no row.
    assert _visible(scope_a, Participant, pk=person.pk) == 1
    assert (
        _run_as(
            scope_a,
            "UPDATE participants_participant SET first_name = 'X' WHERE id = %s",
            [person.pk],
        )
        == 0
    )
    assert _run_as(scope_a, "DELETE FROM participants_participant WHERE id = %s", [person.pk]) == 0
    assert (
        _run_as(
            scope_a,
            "UPDATE participants_parcours SET prolongation_reason = 'X' "
            "WHERE participant_id = %s AND structure_id = %s",
            [person.pk, structure_b.pk],
        )
        == 0
    )
    # Nothing new for the person in A, nor on what the transfer left in A.
    with (
        pytest.raises(IntegrityError, match="outside the file"),
        transaction.atomic(),
        web_role(scope_a),
    ):
        f.ParcoursFactory(participant=person, structure=structure_a, start_date=TODAY)
    with (
        pytest.raises(IntegrityError, match="outside the file"),
        transaction.atomic(),
        web_role(scope_a),
    ):
        f.ActionFactory(parcours=parcours_a, date=TODAY)
    with (
        pytest.raises(IntegrityError, match="outside the file"),
        transaction.atomic(),
        web_role(scope_a),
    ):
        Parcours.objects.filter(pk=parcours_a.pk).update(prolongation_reason="X")
    person.refresh_from_db()
    assert person.first_name == "Dominique"
    # Nor may the web role give itself more time, or forge a transfer.
    for sql in (
        "UPDATE participants_participantaccessgrant SET until = NULL",
        "DELETE FROM participants_transfer",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            _run_as(scope_a, sql)


def test_the_receiving_structure_cannot_write_the_sending_one_s_rows(
    deployment, structure_a, structure_b, manager_a
):
    person, parcours_a = file_in(structure_a)
    transfer(person, structure_b, manager_a)
    assert (
        _run_as(
            scope_of(structure_b),
            "UPDATE participants_parcours SET prolongation_reason = 'X' WHERE id = %s",
            [parcours_a.pk],
        )
        == 0
    )


def test_a_file_changes_structure_only_by_a_transfer(structure_a, structure_b):
    person, _ = file_in(structure_a)
    # Even the owner role: without a transfer row the move is refused.
    with pytest.raises(IntegrityError, match="only by a transfer"), transaction.atomic():
        Participant.objects.filter(pk=person.pk).update(structure=structure_b)


def test_a_transfer_dated_ahead_is_refused(deployment, structure_a, structure_b, manager_a):
    person, _ = file_in(structure_a)
    with pytest.raises(ValidationError) as error:
        services.participant_transfer(
            participant=person,
            to_structure=structure_b,
            date=TODAY + dt.timedelta(days=3),
            consent_on=TODAY,
            actor=manager_a,
        )
    assert "date" in error.value.message_dict


def test_a_file_is_transferred_once(deployment, structure_a, structure_b, manager_a):
    person, _ = file_in(structure_a)
    stale = Participant.objects.get(pk=person.pk)
    transfer(person, structure_b, manager_a)
    with pytest.raises(ValidationError, match="déjà été transféré"):
        transfer(stale, structure_b, manager_a)
    assert Transfer.objects.count() == 1
