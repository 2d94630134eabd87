"""The import preview: every bad row with its line and a French reason; nothing written."""

import datetime as dt

import pytest

from participants.importing import analyse, read_file
from participants.models import Participant
from tests import factories as f

from .import_helpers import csv_bytes, row

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 2)


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


@pytest.fixture
def site_a(structure_a):
    return f.WorkSiteFactory(structure=structure_a, name="La Claire Fontaine")


def preview(structure, rows):
    return analyse(read_file(csv_bytes(rows)), structure=structure, today=TODAY)


def messages_by_line(report):
    return {error.line: " ".join(error.messages) for error in report.errors}


def test_valid_file_is_previewed_without_writing(structure_a, site_a):
    report = preview(
        structure_a,
        [
            row(work_site="la claire  fontaine"),
            row(external_id="B2", last_name="Petit", programme="CVG", weekly_hours="26"),
            row(
                external_id="B2",
                last_name="Petit",
                programme="PHC",
                start_date="2023-01-09",
                end_date="2023-12-29",
                exit_situation="SUITE_CVG",
                weekly_hours="12",
            ),
        ],
    )
    assert report.errors == []
    assert (report.total_rows, report.valid_rows, report.rows_created) == (3, 3, 3)
    assert report.persons_created == 2
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"programme": "XYZ"}, "Programme : « XYZ » inconnu"),
        ({"start_date": "31/02/2024"}, "n'est pas une date qui existe"),
        ({"start_date": "2024/01/08"}, "écrivez JJ/MM/AAAA ou AAAA-MM-JJ"),
        ({"start_date": ""}, "Date d'entrée : obligatoire"),
        ({"last_name": ""}, "Nom : obligatoire"),
        ({"weekly_hours": "30"}, "dépasse le maximum de 20 h"),
        ({"weekly_hours": "2"}, "entre 4 et 20 h"),
        ({"weekly_hours": "quatre"}, "n'est pas un nombre d'heures"),
        ({"weekly_hours": "4,25"}, "au dixième près"),
        ({"programme": "CVG", "weekly_hours": "12"}, "dérogation horaire"),
        ({"end_date": "2023-12-01", "exit_situation": "CDI"}, "antérieure à la date d'entrée"),
        ({"end_date": "2024-06-01"}, "obligatoire quand il y a une date de sortie"),
        ({"exit_situation": "CDI"}, "suppose une date de sortie"),
        ({"end_date": "2024-06-01", "exit_situation": "PARTI"}, "code de sortie connu"),
        ({"housing_at_entry": "CHATEAU"}, "code de logement connu"),
        ({"sex": "X"}, "« X » n'est pas un code de sexe"),
        ({"work_site": "Atelier inconnu"}, "aucun lieu d'activité « Atelier inconnu »"),
        ({"birth_date": "2030-01-01"}, "dans le futur"),
        ({"external_id": "x" * 65}, "64 caractères au plus"),
        (
            {"programme": "CVG", "weekly_hours": "26", "end_date": "2027-01-08"},
            "prolongation doit être motivée",
        ),
        (
            {"programme": "CVG", "weekly_hours": "26", "end_date": "2029-02-08"},
            "dure au plus 60 mois",
        ),
    ],
)
def test_each_bad_row_has_its_line_and_reason(structure_a, site_a, values, expected):
    report = preview(structure_a, [row(external_id="OK", last_name="Bon"), row(**values)])
    assert report.valid_rows == 1
    assert list(messages_by_line(report)) == [3]
    assert expected in messages_by_line(report)[3]


def test_rows_of_one_person_must_agree_on_identity(structure_a):
    report = preview(
        structure_a,
        [
            row(),
            row(
                programme="CVG", start_date="2025-01-06", weekly_hours="26", birth_date="1981-01-01"
            ),
        ],
    )
    assert "Même identifiant « A1 » que la ligne 2" in messages_by_line(report)[3]
    assert "date de naissance" in messages_by_line(report)[3]


def test_duplicate_and_overlapping_parcours_are_refused(structure_a):
    report = preview(
        structure_a,
        [
            row(),
            row(),
            row(start_date="2024-03-04"),
            row(programme="CVG", start_date="2024-03-04", weekly_hours="26"),
        ],
    )
    by_line = messages_by_line(report)
    assert "Doublon de la ligne 2" in by_line[3]
    assert "Chevauche le parcours PHC de la ligne 2" in by_line[4]
    assert 5 not in by_line  # another programme may run at the same time


def test_overlap_with_a_parcours_recorded_in_sillon(structure_a, programmes):
    person = f.ParticipantFactory(structure=structure_a, external_id="A1")
    f.ParcoursFactory(
        participant=person, programme=programmes["PHC"], start_date=dt.date(2023, 9, 4)
    )
    report = preview(structure_a, [row()])
    assert "Chevauche le parcours PHC enregistré dans Sillon" in messages_by_line(report)[2]


def test_exit_in_the_file_closes_the_parcours_before_a_new_entry(structure_a, programmes):
    person = f.ParticipantFactory(
        structure=structure_a, external_id="A1", last_name="Durand", first_name="Ali"
    )
    phc = f.ParcoursFactory(
        participant=person, programme=programmes["PHC"], start_date=dt.date(2023, 9, 4)
    )
    f.ContractFactory(parcours=phc, weekly_hours=4)
    report = preview(
        structure_a,
        [
            row(start_date="2024-02-05", housing_at_entry=""),
            row(
                start_date="2023-09-04",
                end_date="2023-12-29",
                exit_situation="SUITE_CDDI",
                housing_at_entry="",
            ),
        ],
    )
    assert report.errors == []
    assert (report.rows_created, report.rows_updated) == (1, 1)


def test_ignored_columns_are_listed(structure_a):
    data = csv_bytes([row()]).replace(b"housing_at_exit\n", b"housing_at_exit,Notes\n", 1)
    report = analyse(read_file(data), structure=structure_a, today=TODAY)
    assert report.ignored_headers == ["Notes"]


def test_work_sites_of_another_structure_are_unknown(structure_a, structure_b):
    f.WorkSiteFactory(structure=structure_b, name="Chantier CANARY-B")
    report = preview(structure_a, [row(work_site="Chantier CANARY-B")])
    assert "aucun lieu d'activité" in messages_by_line(report)[2]
