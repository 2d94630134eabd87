"""Issue 18 item 3: dates that cannot dodge retention. Events are refused beyond a small
tolerance into the future (web/bounds.py); planned dates may go further and never count as a
contact; a file's last contact is never after today; `future_contacts` lists and repairs the
files that got one before the bounds."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from participants import services
from participants.enums import ActionKind, ActionTheme, ParcoursStatus, SnapshotContext
from participants.models import AccompanimentAction, Exit, Participant
from tests import factories as f
from tests.participants.conftest import phc_parcours
from web import bounds

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 2)
LAST_OK = TODAY + bounds.FUTURE_TOLERANCE
TOO_FAR = [LAST_OK + dt.timedelta(days=1), dt.date(2028, 1, 7), dt.date(9999, 12, 31)]


@pytest.fixture
def parcours(structure_a, programmes):
    person = f.ParticipantFactory(structure=structure_a)
    return phc_parcours(person, start=dt.date(2025, 1, 6))


def _field_errors(error: ValidationError, name: str) -> str:
    return " ".join(error.message_dict[name])


@freeze_time(TODAY)
@pytest.mark.parametrize("day", TOO_FAR)
def test_events_beyond_the_tolerance_are_refused_in_french(parcours, caseworker_a, day):
    person = parcours.participant
    with pytest.raises(ValidationError) as exit_error:
        services.parcours_exit(parcours=parcours, date=day, situation="CDI", actor=caseworker_a)
    assert "trop loin dans le futur" in _field_errors(exit_error.value, "date")
    with pytest.raises(ValidationError) as action_error:
        services.action_log(
            parcours=parcours,
            actor=caseworker_a,
            date=day,
            kind=ActionKind.ENTRETIEN_INDIVIDUEL,
            theme=ActionTheme.EMPLOI,
            duration_minutes=30,
        )
    assert "trop loin dans le futur" in _field_errors(action_error.value, "date")
    with pytest.raises(ValidationError) as snapshot_error:
        services.snapshot_record(
            participant=person, context=SnapshotContext.SUIVI, date=day, actor=caseworker_a
        )
    assert "trop loin dans le futur" in _field_errors(snapshot_error.value, "date")
    with pytest.raises(ValidationError) as stage_error:
        services.parcours_set_hours(
            parcours=parcours, start_date=day, weekly_hours=Decimal(8), actor=caseworker_a
        )
    assert "trop loin dans le futur" in _field_errors(stage_error.value, "start_date")
    with pytest.raises(ValidationError) as notice_error:
        services.participant_update(
            participant=person,
            actor=caseworker_a,
            expected_version=person.version,
            notice_given_on=day,
        )
    assert "trop loin dans le futur" in _field_errors(notice_error.value, "notice_given_on")
    assert not Exit.objects.exists()
    assert not AccompanimentAction.objects.exists()
    person.refresh_from_db()
    assert person.notice_given_on is None
    assert person.last_contact_on is None or person.last_contact_on <= TODAY


@freeze_time(TODAY)
def test_an_event_within_the_tolerance_is_kept_but_the_last_contact_stays_today(
    parcours, caseworker_a
):
    exit_ = services.parcours_exit(
        parcours=parcours,
        date=LAST_OK,
        situation="CDI",
        actor=caseworker_a,
    )
    assert exit_.date == LAST_OK
    assert Participant.objects.get(pk=parcours.participant_id).last_contact_on == TODAY


@freeze_time(TODAY)
def test_a_planned_contract_end_may_be_years_ahead_within_its_horizon(
    structure_a, programmes, caseworker_a
):
    person = f.ParticipantFactory(structure=structure_a)
    parcours = services.parcours_enrol(
        participant=person,
        programme=programmes["CVG"],
        start_date=TODAY,
        actor=caseworker_a,
        weekly_hours=Decimal(26),
        planned_end_date=dt.date(2027, 6, 1),
    )
    assert parcours.contracts.get().planned_end_date == dt.date(2027, 6, 1)
    person.refresh_from_db()
    assert person.last_contact_on == TODAY  # the planned end is no contact
    with pytest.raises(ValidationError) as error:
        services.parcours_enrol(
            participant=f.ParticipantFactory(structure=structure_a),
            programme=programmes["PHC"],
            start_date=TODAY,
            actor=caseworker_a,
            weekly_hours=Decimal(4),
            planned_end_date=dt.date(2099, 12, 31),
        )
    assert "trop lointaine" in _field_errors(error.value, "planned_end_date")


@freeze_time(TODAY)
def test_the_exit_form_shows_the_bound_next_to_the_field(client_a, structure_a, programmes):
    parcours = phc_parcours(f.ParticipantFactory(structure=structure_a), start=dt.date(2025, 1, 6))
    response = client_a.post(
        reverse("participants:parcours_exit", kwargs={"parcours_pk": parcours.pk}),
        {"date": "31/12/9999", "situation": "CDI"},
    )
    assert response.status_code == 200
    assert "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100" in (
        response.content.decode()
    )
    response = client_a.post(
        reverse("participants:parcours_exit", kwargs={"parcours_pk": parcours.pk}),
        {"date": "07/01/2028", "situation": "CDI"},
    )
    assert response.status_code == 200
    assert "trop loin dans le futur" in response.content.decode()
    parcours.refresh_from_db()
    assert parcours.status == ParcoursStatus.EN_COURS


def _command(*args) -> str:
    out = StringIO()
    with freeze_time(TODAY):
        call_command("future_contacts", *args, stdout=out)
    return out.getvalue()


def test_future_contacts_lists_then_repairs_from_past_events(structure_a, programmes):
    typo = f.ParticipantFactory(structure=structure_a)
    parcours = phc_parcours(typo, start=dt.date(2024, 1, 8))
    AccompanimentAction.objects.create(
        structure=structure_a,
        parcours=parcours,
        date=dt.date(2025, 3, 4),
        kind=ActionKind.ENTRETIEN_INDIVIDUEL,
        theme=ActionTheme.EMPLOI,
        duration_minutes=30,
    )
    # Written before the bounds existed: an action of 9999 and the last contact it set.
    far = AccompanimentAction.objects.create(
        structure=structure_a,
        parcours=parcours,
        date=dt.date(9999, 12, 31),
        kind=ActionKind.ENTRETIEN_INDIVIDUEL,
        theme=ActionTheme.EMPLOI,
        duration_minutes=30,
    )
    Participant.objects.filter(pk=typo.pk).update(
        last_contact_on=dt.date(9999, 12, 31), created_at=dt.datetime(2024, 1, 8, tzinfo=dt.UTC)
    )
    fine = f.ParticipantFactory(structure=structure_a)
    Participant.objects.filter(pk=fine.pk).update(last_contact_on=dt.date(2025, 1, 2))

    listed = _command()
    assert f"participant {typo.pk} " in listed
    assert "9999-12-31 -> 2025-03-04 (to repair)" in listed
    assert f"AccompanimentAction {far.pk} dated 9999-12-31" in listed
    assert f"participant {fine.pk} " not in listed
    assert typo.last_name not in listed
    assert Participant.objects.get(pk=typo.pk).last_contact_on == dt.date(9999, 12, 31)

    fixed = _command("--fix")
    assert "9999-12-31 -> 2025-03-04 (repaired)" in fixed
    assert "1 file(s) with a future last contact repaired" in fixed
    assert Participant.objects.get(pk=typo.pk).last_contact_on == dt.date(2025, 3, 4)
    assert Participant.objects.get(pk=fine.pk).last_contact_on == dt.date(2025, 1, 2)
    assert "0 file(s) with a future last contact" in _command()
