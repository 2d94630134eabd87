"""Services beyond the rules: optimistic locking, duplicates, structure checks, contacts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from participants import services
from participants.enums import ParcoursStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


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
        services.parcours_enrol(
            participant=person,
            programme=f.programme("CVG"),
            start_date=D(2021, 3, 1),
            weekly_hours=26,
            actor=None,
            work_site=foreign_site,
        )
    assert "work_site" in exc.value.message_dict


def test_enrol_resolves_the_deployment_and_creates_contract_and_first_stage():
    person = f.ParticipantFactory()
    deployment = f.DeploymentFactory(programme=f.programme("PHC"), start_date=D(2019, 1, 1))
    deployment.structures.add(person.structure)
    parcours = services.parcours_enrol(
        participant=person,
        programme=f.programme("PHC"),
        start_date=D(2021, 3, 1),
        weekly_hours=4,
        actor=None,
    )
    assert parcours.deployment == deployment
    assert parcours.contracts.get().weekly_hours == 4
    assert [s.weekly_hours for s in parcours.stages.all()] == [4]


def test_phc_exit_then_convergence_linked_as_suite_de_parcours():
    person = f.ParticipantFactory()
    phc = services.parcours_enrol(
        participant=person,
        programme=f.programme("PHC"),
        start_date=D(2021, 3, 1),
        weekly_hours=4,
        actor=None,
    )
    services.parcours_exit(
        parcours=phc,
        date=D(2021, 9, 30),
        situation="SUITE_CVG",
        actor=None,
        exit_snapshot={"housing": "CHRS"},
    )
    cvg = services.parcours_enrol(
        participant=person,
        programme=f.programme("CVG"),
        start_date=D(2021, 10, 1),
        weekly_hours=26,
        actor=None,
    )
    services.parcours_link_previous(parcours=cvg, previous=phc, actor=None)
    cvg.refresh_from_db()
    assert cvg.previous == phc
    assert phc.snapshots.get().context == "SORTIE"


def test_status_machine_oriented_then_started_or_not_entered():
    person = f.ParticipantFactory()
    parcours = services.parcours_enrol(
        participant=person,
        programme=f.programme("CVG"),
        start_date=D(2021, 3, 1),
        weekly_hours=26,
        actor=None,
        status=ParcoursStatus.ORIENTE,
    )
    services.parcours_start(parcours=parcours, actor=None)
    assert parcours.status == ParcoursStatus.EN_COURS
    with pytest.raises(ValidationError):
        services.parcours_cancel(parcours=parcours, actor=None)


def test_activity_moves_the_last_contact_forward_only():
    person = f.ParticipantFactory()
    parcours = services.parcours_enrol(
        participant=person,
        programme=f.programme("CVG"),
        start_date=D(2021, 3, 1),
        weekly_hours=26,
        actor=None,
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
    parcours = services.parcours_enrol(
        participant=person,
        programme=f.programme("CVG"),
        start_date=D(2021, 3, 1),
        weekly_hours=26,
        actor=None,
    )
    row = services.worked_hours_record(
        parcours=parcours, week_start=D(2021, 3, 1), hours=26, actor=None
    )
    again = services.worked_hours_record(
        parcours=parcours, week_start=D(2021, 3, 1), hours=26, actor=None
    )
    assert again.updated_at == row.updated_at
