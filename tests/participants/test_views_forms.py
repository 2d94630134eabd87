"""Forms of the caseworkers' screens: happy paths, errors next to fields, duplicates,
no lost update, scoped choices (another structure's ids refused), htmx quick action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from participants.enums import ParcoursStatus, SnapshotContext
from participants.models import (
    AccompanimentAction,
    Exit,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
)
from tests import factories as f
from tests.participants.conftest import phc_parcours

pytestmark = pytest.mark.django_db
CREATE = reverse("participants:create")

IDENTITY = {
    "last_name": "Lefèvre",
    "first_name": "Yann",
    "birth_date": "12/03/1979",
    "sex": "M",
    "phone": "",
    "email": "",
    "address": "",
    "orienteur": "Maraude du Samu social",
    "referent": "",
    "pass_iae_number": "",
    "external_id": "",
    "notice_given_on": "",
    "notice_version": "",
}


def url(name, **kwargs):
    return reverse(f"participants:{name}", kwargs=kwargs)


@pytest.fixture
def person(structure_a, programmes):
    return f.ParticipantFactory(structure=structure_a, last_name="Durand", first_name="Alix")


def test_create_participant_in_the_active_structure(client_a, structure_a, file_b, caseworker_a):
    response = client_a.post(CREATE, {**IDENTITY, "structure": file_b.participant.structure_id})
    created = Participant.objects.get(last_name="Lefèvre")
    assert response["Location"] == url("detail", participant_pk=created.pk)
    assert created.structure == structure_a
    assert created.birth_date == dt.date(1979, 3, 12)


def test_create_form_proposes_the_caseworker_as_referent(client_a, caseworker_a):
    form = client_a.get(CREATE).context["form"]
    assert form["referent"].value() == caseworker_a.pk


def test_errors_are_shown_next_to_the_fields(client_a):
    response = client_a.post(CREATE, {**IDENTITY, "last_name": "", "birth_date": "31/02/1990"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_last_name_error"' in body
    assert 'aria-invalid="true"' in body
    assert 'id="id_birth_date_error"' in body
    assert 'id="form-errors"' in body
    assert not Participant.objects.filter(first_name="Yann").exists()


def test_another_structure_s_referent_is_refused(client_a, file_b):
    b_staff = f.MembershipFactory(structure=file_b.participant.structure).user
    response = client_a.post(CREATE, {**IDENTITY, "referent": b_staff.pk})
    assert "referent" in response.context["form"].errors
    assert not Participant.objects.filter(last_name="Lefèvre").exists()


def test_duplicate_offers_the_existing_file_then_creates_on_confirmation(client_a, structure_a):
    existing = f.ParticipantFactory(
        structure=structure_a,
        last_name="LEFÈVRE",
        first_name="yann",
        birth_date=dt.date(1979, 3, 12),
    )
    response = client_a.post(CREATE, IDENTITY)
    assert response.status_code == 200
    assert response.context["duplicates"] == [existing]
    assert url("detail", participant_pk=existing.pk) in response.content.decode()
    assert Participant.objects.filter(structure=structure_a).count() == 1
    response = client_a.post(CREATE, {**IDENTITY, "confirm_not_duplicate": "1"})
    assert response.status_code == 302
    assert Participant.objects.filter(structure=structure_a).count() == 2


def test_a_duplicate_external_id_is_refused_in_french_next_to_the_field(client_a, structure_a):
    f.ParticipantFactory(structure=structure_a, external_id="DUP-7", last_name="Autre")
    response = client_a.post(CREATE, {**IDENTITY, "external_id": "DUP-7"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "participant_structure_external_id_uniq" not in body
    assert "est déjà celui d" in body
    assert "external_id" in response.context["form"].errors
    assert not Participant.objects.filter(last_name="Lefèvre").exists()
    # Another structure may use the same id.
    f.ParticipantFactory(external_id="DUP-8", last_name="Ailleurs")
    assert client_a.post(CREATE, {**IDENTITY, "external_id": "DUP-8"}).status_code == 302


def test_update_then_stale_save_is_refused_and_keeps_the_typing(client_a, person):
    edit = url("update", participant_pk=person.pk)
    assert client_a.get(edit).context["form"]["expected_version"].value() == 1
    data = {
        **IDENTITY,
        "last_name": "Durand",
        "first_name": "Alix",
        "birth_date": "17/05/1980",
        "sex": "",
        "expected_version": "1",
    }
    assert client_a.post(edit, {**data, "orienteur": "CCAS"}).status_code == 302
    # A second person still holds version 1.
    response = client_a.post(edit, {**data, "orienteur": "SIAO"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.orienteur, person.version) == ("CCAS", 2)
    assert response.context["conflict"] == [
        {"label": "Orienteur", "saved": "CCAS", "typed": "SIAO"}
    ]
    form = response.context["form"]
    assert form["orienteur"].value() == "SIAO"
    assert form["expected_version"].value() == "2"
    # Confirming after review saves the second version.
    assert (
        client_a.post(edit, {**data, "orienteur": "SIAO", "expected_version": "2"}).status_code
        == 302
    )
    person.refresh_from_db()
    assert (person.orienteur, person.version) == ("SIAO", 3)


def test_version_and_structure_are_not_form_fields(client_a, person):
    form = client_a.get(url("update", participant_pk=person.pk)).context["form"]
    assert not {"structure", "version", "created_by"} & set(form.fields)


def test_other_structure_objects_are_404_everywhere(client_a, file_b):
    p, pc = file_b.participant.pk, file_b.parcours.pk
    for target in [
        url("update", participant_pk=p),
        url("parcours_enrol", participant_pk=p),
        url("snapshot_create", participant_pk=p),
        url("parcours_set_hours", parcours_pk=pc),
        url("parcours_exit", parcours_pk=pc),
        url("parcours_link_previous", parcours_pk=pc),
        url("action_create", parcours_pk=pc),
    ]:
        assert client_a.get(target).status_code == 404, target
        assert client_a.post(target, {"date": "01/01/2024"}).status_code == 404, target
    assert AccompanimentAction.objects.filter(parcours_id=pc).count() == 1


def test_enrol_in_phc_with_first_palier_then_raise_hours(client_a, person, site_a, programmes):
    response = client_a.post(
        url("parcours_enrol", participant_pk=person.pk),
        {
            "programme": programmes["PHC"].pk,
            "status": "EN_COURS",
            "start_date": "08/01/2024",
            "weekly_hours": "4",
            "work_site": site_a.pk,
            "contract_kind": "CDDI",
        },
    )
    assert response.status_code == 302
    parcours = Parcours.objects.get(participant=person)
    assert (parcours.programme.code, parcours.work_site, parcours.structure_id) == (
        "PHC",
        site_a,
        person.structure_id,
    )
    response = client_a.post(
        url("parcours_set_hours", parcours_pk=parcours.pk),
        {"start_date": "05/02/2024", "weekly_hours": "8"},
    )
    assert response.status_code == 302
    assert list(
        HoursStage.objects.filter(parcours=parcours).values_list("weekly_hours", flat=True)
    ) == [
        Decimal(4),
        Decimal(8),
    ]


def test_enrol_hours_outside_the_band_shown_next_to_the_field(client_a, person, programmes):
    response = client_a.post(
        url("parcours_enrol", participant_pk=person.pk),
        {
            "programme": programmes["PHC"].pk,
            "status": "EN_COURS",
            "start_date": "08/01/2024",
            "weekly_hours": "25",
            "contract_kind": "CDDI",
        },
    )
    assert response.status_code == 200
    assert "weekly_hours" in response.context["form"].errors
    assert 'id="id_weekly_hours_error"' in response.content.decode()
    assert not Parcours.objects.filter(participant=person).exists()


def test_enrol_refuses_another_structure_s_work_site(client_a, person, programmes, file_b):
    response = client_a.post(
        url("parcours_enrol", participant_pk=person.pk),
        {
            "programme": programmes["PHC"].pk,
            "status": "EN_COURS",
            "start_date": "08/01/2024",
            "weekly_hours": "4",
            "work_site": file_b.work_site.pk,
            "previous": file_b.parcours.pk,
            "contract_kind": "CDDI",
        },
    )
    assert set(response.context["form"].errors) == {"work_site", "previous"}
    assert not Parcours.objects.filter(participant=person).exists()


BARRIERS_NONE = {
    f"sortie-barrier_{c}": "AUCUN"
    for c in ["logement", "mobilite", "administratif", "budget", "langue", "numerique", "famille"]
}


def test_exit_to_convergence_opens_the_linked_parcours_in_one_step(
    client_a, person, programmes, caseworker_a, site_a
):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8), work_site=site_a)
    f.SnapshotFactory(participant=person, date=dt.date(2024, 1, 9), housing="RUE")
    exit_page = client_a.get(url("parcours_exit", parcours_pk=phc.pk))
    assert exit_page.context["snapshot_form"]["housing"].value() == "RUE"  # last known
    # The next parcours is pre-filled: same work site, a CDDI.
    next_form = exit_page.context["next_form"]
    assert next_form["work_site"].value() == site_a.pk
    assert next_form["contract_kind"].value() == "CDDI"
    assert "Suite de parcours dans la structure" in exit_page.content.decode()
    response = client_a.post(
        url("parcours_exit", parcours_pk=phc.pk),
        {
            "date": "02/12/2024",
            "situation": "SUITE_CVG",
            "comment": "",
            "followup_until": "",
            "sortie-housing": "CHRS",
            "sortie-resources": ["RSA", "SALAIRE"],
            **BARRIERS_NONE,
            "suite-start_date": "",
            "suite-weekly_hours": "26",
            "suite-work_site": site_a.pk,
            "suite-contract_kind": "CDDI",
            "suite-planned_end_date": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", participant_pk=person.pk)
    exit_ = Exit.objects.get(parcours=phc)
    assert (exit_.situation, exit_.dgefp_category) == ("SUITE_CVG", "SORTIE_POSITIVE")
    snapshot = SituationSnapshot.objects.get(participant=person, context=SnapshotContext.SORTIE)
    assert (snapshot.housing, snapshot.resources) == ("CHRS", ["RSA", "SALAIRE"])
    cvg = Parcours.objects.get(participant=person, programme__code="CVG")
    assert cvg.previous == phc
    assert (cvg.status, cvg.start_date, cvg.work_site) == (
        ParcoursStatus.EN_COURS,
        dt.date(2024, 12, 3),  # the day after the exit
        site_a,
    )
    assert [(c.kind, c.weekly_hours) for c in cvg.contracts.all()] == [("CDDI", Decimal(26))]


def test_continuation_error_saves_neither_the_exit_nor_the_next_parcours(
    client_a, person, programmes
):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8))
    response = client_a.post(
        url("parcours_exit", parcours_pk=phc.pk),
        {
            "date": "02/12/2024",
            "situation": "SUITE_CVG",
            "sortie-housing": "CHRS",
            **BARRIERS_NONE,
            # Convergence's first contract: 20 to 35 hours, so 4 is refused by the service.
            "suite-weekly_hours": "4",
            "suite-contract_kind": "CDDI",
        },
    )
    assert response.status_code == 200
    assert "weekly_hours" in response.context["next_form"].errors
    assert response.context["continuing"]
    phc.refresh_from_db()
    assert phc.status == ParcoursStatus.EN_COURS
    assert not Exit.objects.filter(parcours=phc).exists()
    assert not Parcours.objects.filter(participant=person, programme__code="CVG").exists()


def test_continuation_needs_the_first_contract_hours(client_a, person, programmes):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8))
    response = client_a.post(
        url("parcours_exit", parcours_pk=phc.pk),
        {
            "date": "02/12/2024",
            "situation": "SUITE_CVG",
            "sortie-housing": "CHRS",
            **BARRIERS_NONE,
            "suite-contract_kind": "CDDI",
        },
    )
    assert "weekly_hours" in response.context["next_form"].errors
    assert not Exit.objects.filter(parcours=phc).exists()


def test_another_exit_ignores_the_continuation_fields(client_a, person, programmes):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8))
    response = client_a.post(
        url("parcours_exit", parcours_pk=phc.pk),
        {
            "date": "02/12/2024",
            "situation": "CDI",
            "sortie-housing": "CHRS",
            **BARRIERS_NONE,
            "suite-weekly_hours": "nonsense",
        },
    )
    assert response.status_code == 302
    assert Exit.objects.get(parcours=phc).situation == "CDI"
    assert list(Parcours.objects.filter(participant=person)) == [phc]


def test_exit_without_situation_is_refused_next_to_the_field(client_a, person):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8))
    response = client_a.post(
        url("parcours_exit", parcours_pk=phc.pk), {"date": "02/12/2024", "situation": ""}
    )
    assert "situation" in response.context["form"].errors
    phc.refresh_from_db()
    assert phc.status == ParcoursStatus.EN_COURS


def test_link_previous(client_a, person, programmes):
    phc = phc_parcours(person, start=dt.date(2023, 1, 9))
    phc.end_date, phc.status = dt.date(2023, 12, 1), ParcoursStatus.SORTI
    phc.save()
    cvg = f.ParcoursFactory(participant=person, start_date=dt.date(2023, 12, 4))
    response = client_a.post(
        url("parcours_link_previous", parcours_pk=cvg.pk), {"previous": phc.pk}
    )
    assert response.status_code == 302
    cvg.refresh_from_db()
    assert cvg.previous == phc


def test_quick_action_from_the_list_in_htmx(client_a, person, caseworker_a):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8))
    target = url("action_create", parcours_pk=phc.pk)
    form_row = client_a.get(target, headers={"HX-Request": "true"})
    body = form_row.content.decode()
    assert body.lstrip().startswith('<tr class="quick-action-row"')
    assert "Notez des faits" in body  # the CNIL reminder
    prefix = f"action-{phc.pk}"
    response = client_a.post(
        target,
        {
            f"{prefix}-date": "05/02/2024",
            f"{prefix}-kind": "ENTRETIEN_INDIVIDUEL",
            f"{prefix}-theme": "LOGEMENT",
            f"{prefix}-duration_minutes": "45",
            f"{prefix}-partner": "SIAO 44",
            f"{prefix}-note": "",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Action enregistrée pour DURAND Alix" in response.content.decode()
    action = AccompanimentAction.objects.get(parcours=phc)
    assert (action.theme, action.author, action.structure_id) == (
        "LOGEMENT",
        caseworker_a,
        phc.structure_id,
    )


def test_quick_action_errors_stay_in_the_row(client_a, person):
    phc = phc_parcours(person, start=dt.date(2024, 1, 8))
    prefix = f"action-{phc.pk}"
    response = client_a.post(
        url("action_create", parcours_pk=phc.pk),
        {
            f"{prefix}-date": "05/02/2024",
            f"{prefix}-kind": "SYNTHESE",
            f"{prefix}-duration_minutes": "30",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert f'id="id_{prefix}-theme_error"' in body
    assert not AccompanimentAction.objects.filter(parcours=phc).exists()


def test_snapshot_without_sensitive_access_never_shows_nor_writes_them(client_a, person):
    page = client_a.get(url("snapshot_create", participant_pk=person.pk))
    assert "barrier_addictions" not in page.context["form"].fields
    assert page.context["form"]["context"].value() == SnapshotContext.ENTREE
    response = client_a.post(
        url("snapshot_create", participant_pk=person.pk),
        {
            "context": "ENTREE",
            "date": "10/01/2024",
            "housing": "RUE",
            "street_history": "on",
            "barrier_logement": "IMPORTANT",
            "barrier_addictions": "IMPORTANT",
            **{
                f"barrier_{c}": "AUCUN"
                for c in ["mobilite", "administratif", "budget", "langue", "numerique", "famille"]
            },
            "has_gp": "on",
        },
    )
    assert response.status_code == 302
    snapshot = SituationSnapshot.objects.get(participant=person)
    assert (snapshot.housing, snapshot.street_history, snapshot.has_gp) == ("RUE", True, True)
    assert (snapshot.barrier_logement, snapshot.barrier_addictions) == ("IMPORTANT", "AUCUN")


def test_switch_structure_only_to_one_of_one_s_own(client_a, caseworker_a, file_b, programmes):
    second = f.MembershipFactory(user=caseworker_a).structure
    f.ParticipantFactory(structure=second, last_name="Secondaire")
    response = client_a.post(
        reverse("switch_structure"), {"structure": second.pk, "next": "/participants/?q=x"}
    )
    assert response["Location"] == "/participants/"
    assert [
        str(r.record)
        for r in client_a.get("/participants/", {"q": ""}).context["table"].paginated_rows
    ] == ["SECONDAIRE Dominique"]
    client_a.post(reverse("switch_structure"), {"structure": file_b.participant.structure_id})
    body = client_a.get("/participants/", {"q": ""}).content.decode()
    assert "SECONDAIRE" in body and "CANARY-B" not in body


def test_password_reset_sends_a_link(client, caseworker_a, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": caseworker_a.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert "/mot-de-passe/nouveau/" in mailoutbox[0].body
    assert (
        client.post(reverse("password_reset"), {"email": "nobody@example.org"}).status_code == 302
    )
    assert len(mailoutbox) == 1
