"""Services beyond the rules: optimistic locking, duplicates, structure checks, contacts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from participants import services
from participants.enums import ParcoursStatus
from participants.models import Parcours
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


def _enrol(person, code, start_date, weekly_hours, **options):
    """Enrol `person` in programme `code` through the service, as a caseworker would."""
    return services.parcours_enrol(
        participant=person,
        programme=f.programme(code),
        start_date=start_date,
        weekly_hours=weekly_hours,
        actor=None,
        **options,
    )


def test_update_with_current_version_saves_and_bumps_version():
    person = f.ParticipantFactory(first_name="Ana")
    updated = services.participant_update(
        participant=person, actor=None, expected_version=1, first_name="Anna"
    )
    assert (updated.first_name, updated.version) == ("Anna", 2)


def test_stale_update_is_refused_and_overwrites_nothing():
    person = f.ParticipantFactory(first_name="Ana", phone="")
    services.participant_update(
        participant=person, actor=None, expected_version=1, phone="06 00 00 00 00"
    )
    with pytest.raises(services.ConflictError) as exc:
        services.participant_update(
            participant=person,
            actor=None,
            expected_version=1,
            phone="07 11 11 11 11",
            first_name="Ana",
        )
    assert exc.value.changed_fields == ["phone"]
    person.refresh_from_db()
    assert (person.phone, person.version) == ("06 00 00 00 00", 2)


def test_update_refuses_ownership_fields():
    person = f.ParticipantFactory()
    with pytest.raises(TypeError):
        services.participant_update(
            participant=person, actor=None, expected_version=1, structure=f.StructureFactory()
        )


def test_duplicates_are_found_within_the_structure_only():
    person = f.ParticipantFactory(last_name="Martin", first_name="Lou", birth_date=D(1990, 1, 2))
    f.ParticipantFactory(last_name="Martin", first_name="Lou", birth_date=D(1990, 1, 2))
    found = services.participant_find_duplicates(
        structure=person.structure, last_name="MARTIN ", first_name="lou", birth_date=D(1990, 1, 2)
    )
    assert list(found) == [person]


def test_work_site_of_another_structure_is_refused():
    person = f.ParticipantFactory()
    foreign_site = f.WorkSiteFactory()
    with pytest.raises(ValidationError) as exc:
        _enrol(
            person,
            "CVG",
            D(2021, 3, 1),
            26,
            work_site=foreign_site,
        )
    assert "work_site" in exc.value.message_dict


def test_enrol_resolves_the_deployment_and_creates_contract_and_first_stage():
    person = f.ParticipantFactory()
    deployment = f.DeploymentFactory(programme=f.programme("PHC"), start_date=D(2019, 1, 1))
    deployment.structures.add(person.structure)
    parcours = _enrol(
        person,
        "PHC",
        D(2021, 3, 1),
        4,
    )
    assert parcours.deployment == deployment
    assert parcours.contracts.get().weekly_hours == 4
    assert [s.weekly_hours for s in parcours.stages.all()] == [4]


def test_phc_exit_then_convergence_linked_as_suite_de_parcours():
    person = f.ParticipantFactory()
    phc = _enrol(
        person,
        "PHC",
        D(2021, 3, 1),
        4,
    )
    services.parcours_exit(
        parcours=phc,
        date=D(2021, 9, 30),
        situation="SUITE_CVG",
        actor=None,
        exit_snapshot={"housing": "CHRS"},
    )
    cvg = _enrol(
        person,
        "CVG",
        D(2021, 10, 1),
        26,
    )
    services.parcours_link_previous(parcours=cvg, previous=phc, actor=None)
    cvg.refresh_from_db()
    assert cvg.previous == phc
    assert phc.snapshots.get().context == "SORTIE"


def test_status_machine_oriented_then_started():
    person = f.ParticipantFactory()
    parcours = _enrol(
        person,
        "CVG",
        D(2021, 3, 1),
        26,
        status=ParcoursStatus.ORIENTE,
    )
    services.parcours_start(parcours=parcours, actor=None)
    assert parcours.status == ParcoursStatus.EN_COURS
    with pytest.raises(ValidationError):  # a started parcours cannot become "non entré"
        services.parcours_cancel(parcours=parcours, actor=None)
    with pytest.raises(ValidationError):  # nor start twice
        services.parcours_start(parcours=parcours, actor=None)


def test_not_entered_frees_the_programme_for_a_new_orientation():
    person = f.ParticipantFactory()
    oriented = _enrol(
        person,
        "PHC",
        D(2021, 3, 1),
        4,
        status=ParcoursStatus.ORIENTE,
    )
    services.parcours_cancel(parcours=oriented, actor=None)
    assert oriented.status == ParcoursStatus.NON_ENTRE
    again = _enrol(
        person,
        "PHC",
        D(2021, 3, 1),
        4,
    )
    assert again.status == ParcoursStatus.EN_COURS


def test_second_exit_is_refused_not_a_crash():
    person = f.ParticipantFactory()
    parcours = _enrol(
        person,
        "CVG",
        D(2021, 3, 1),
        26,
    )
    services.parcours_exit(parcours=parcours, date=D(2021, 9, 1), situation="CDI", actor=None)
    stale = Parcours.objects.get(pk=parcours.pk)
    stale.status = ParcoursStatus.EN_COURS  # as a second browser tab still believes
    with pytest.raises(ValidationError):
        services.parcours_exit(parcours=stale, date=D(2021, 9, 2), situation="CDI", actor=None)


def test_conflict_names_what_the_other_person_changed():
    person = f.ParticipantFactory(first_name="Ana", phone="")
    services.participant_update(
        participant=person, actor=None, expected_version=1, phone="06 00 00 00 00"
    )
    with pytest.raises(services.ConflictError) as exc:
        services.participant_update(
            participant=person, actor=None, expected_version=1, first_name="Anna"
        )
    assert exc.value.changed_fields == ["phone"]


def test_entry_snapshot_of_an_earlier_parcours_does_not_count():
    person = f.ParticipantFactory()
    phc = _enrol(
        person,
        "PHC",
        D(2021, 3, 1),
        4,
    )
    services.snapshot_record(
        participant=person, parcours=phc, context="ENTREE", date=D(2021, 3, 2), actor=None
    )
    services.parcours_exit(parcours=phc, date=D(2021, 9, 30), situation="SUITE_CVG", actor=None)
    cvg = _enrol(
        person,
        "CVG",
        D(2021, 10, 1),
        26,
    )
    assert "entry_snapshot" in services.parcours_warnings(parcours=cvg, today=D(2021, 12, 1))


def test_database_keeps_children_in_their_parents_structure():
    parcours = f.ParcoursFactory()
    other = f.StructureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:  # check now, not at the (never reached) commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        f.ActionFactory(parcours=parcours, structure=other)


def test_database_refuses_an_open_status_with_an_end_date():
    with pytest.raises(IntegrityError):
        f.ParcoursFactory(status=ParcoursStatus.EN_COURS, end_date=D(2022, 1, 1))


def test_activity_moves_the_last_contact_forward_only():
    person = f.ParticipantFactory()
    parcours = _enrol(
        person,
        "CVG",
        D(2021, 3, 1),
        26,
    )
    services.action_log(
        parcours=parcours,
        actor=None,
        date=D(2021, 6, 1),
        kind="SYNTHESE",
        theme="EMPLOI",
        duration_minutes=60,
    )
    services.action_log(
        parcours=parcours,
        actor=None,
        date=D(2021, 4, 1),
        kind="SYNTHESE",
        theme="EMPLOI",
        duration_minutes=60,
    )
    person.refresh_from_db()
    assert person.last_contact_on == D(2021, 6, 1)


def test_unchanged_worked_hours_are_not_rewritten():
    person = f.ParticipantFactory()
    parcours = _enrol(
        person,
        "CVG",
        D(2021, 3, 1),
        26,
    )
    row = services.worked_hours_record(
        parcours=parcours, week_start=D(2021, 3, 1), hours=26, actor=None
    )
    again = services.worked_hours_record(
        parcours=parcours, week_start=D(2021, 3, 1), hours=26, actor=None
    )
    assert again.updated_at == row.updated_at


def test_a_snapshot_keeps_the_barriers_it_was_not_given():
    person = f.ParticipantFactory()
    services.snapshot_record(
        participant=person,
        context="ENTREE",
        date=D(2021, 3, 1),
        actor=None,
        barrier_addictions="IMPORTANT",
        barrier_logement="IMPORTANT",
    )
    # A caseworker without the sensitive-data permission records a follow-up.
    follow_up = services.snapshot_record(
        participant=person,
        context="SUIVI",
        date=D(2021, 6, 1),
        actor=None,
        barrier_logement="PARTIEL",
    )
    assert (follow_up.barrier_addictions, follow_up.barrier_logement) == ("IMPORTANT", "PARTIEL")
