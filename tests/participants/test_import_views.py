"""Import in the browser (server side): upload, preview, batched commit, scoping, S16."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import ImportJob, Parcours, Participant
from participants.views import imports as import_views
from tests import factories as f

from .import_helpers import csv_bytes, generated_rows, row

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def upload(client, data: bytes, name: str = "suivi.csv"):
    return client.post(
        reverse("participants:import_upload"), {"file": SimpleUploadedFile(name, data)}
    )


def run_to_the_end(client, job: ImportJob, *, limit: int = 50) -> None:
    url = reverse("participants:import_step", kwargs={"pk": job.pk})
    for _ in range(limit):
        response = client.post(url, **HTMX)
        assert response.status_code in (200, 204)
        if response.status_code == 204:
            assert response["HX-Redirect"].endswith(f"/import/{job.pk}/")
            return
        assert 'hx-trigger="load' in response.content.decode()
    raise AssertionError("the import never finished")


def test_upload_shows_every_refused_row_then_commits_the_valid_ones(client_a, structure_a):
    data = csv_bytes(
        [
            row(),
            row(external_id="B2", programme="XYZ"),
            row(external_id="C3", weekly_hours="30"),
            row(external_id="D4", last_name="Petit"),
        ],
        delimiter=";",
    )
    response = upload(client_a, data)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("participants:import_detail", kwargs={"pk": job.pk})
    assert (job.structure, job.status, job.rows_total) == (structure_a, "ANALYSED", 4)

    html = client_a.get(response["Location"]).content.decode()
    assert "2 lignes refusées" in html
    assert '<th scope="row">3</th>' in html and "Programme : « XYZ » inconnu" in html
    assert '<th scope="row">4</th>' in html and "dépasse le maximum de 20 h" in html
    assert "Importer les 2 lignes valides" in html
    assert not Participant.objects.exists()

    client_a.post(reverse("participants:import_commit", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == "RUNNING"
    run_to_the_end(client_a, job)
    job.refresh_from_db()
    assert (job.status, job.rows_done, bytes(job.content)) == ("DONE", 4, b"")
    assert set(Participant.objects.values_list("external_id", flat=True)) == {"A1", "D4"}
    html = client_a.get(reverse("participants:import_detail", kwargs={"pk": job.pk})).content
    assert "Import terminé".encode() in html


def test_large_file_is_written_in_several_short_steps(client_a, monkeypatch):
    monkeypatch.setattr("participants.importing.runner.BATCH_ROWS", 25)
    upload(client_a, csv_bytes(generated_rows(100)))
    job = ImportJob.objects.get()
    client_a.post(reverse("participants:import_commit", kwargs={"pk": job.pk}))
    step = reverse("participants:import_step", kwargs={"pk": job.pk})
    html = client_a.post(step, **HTMX).content.decode()
    job.refresh_from_db()
    assert 0 < job.rows_done < 100  # one batch written, the next one requested
    assert f'aria-valuenow="{job.percent}"' in html
    run_to_the_end(client_a, job)
    assert Parcours.objects.count() == 100


def test_the_same_file_twice_is_one_job_and_adds_nothing(client_a):
    data = csv_bytes(generated_rows(10))
    upload(client_a, data)
    upload(client_a, data)
    job = ImportJob.objects.get()
    client_a.post(reverse("participants:import_commit", kwargs={"pk": job.pk}))
    run_to_the_end(client_a, job)
    upload(client_a, data, name="encore.csv")
    job.refresh_from_db()
    assert ImportJob.objects.count() == 1
    assert (job.status, job.report["rows_unchanged"], job.report["rows_created"]) == (
        "ANALYSED",
        10,
        0,
    )
    html = client_a.get(reverse("participants:import_detail", kwargs={"pk": job.pk})).content
    assert "Rien à écrire".encode() in html


def test_another_structures_job_is_a_404(client_a, structure_b):
    other = ImportJob.objects.create(
        structure=structure_b, sha256="b" * 64, filename="CANARY-B.csv", kind="CSV", content=b"x"
    )
    for name, method in (
        ("import_detail", "get"),
        ("import_commit", "post"),
        ("import_step", "post"),
    ):
        url = reverse(f"participants:{name}", kwargs={"pk": other.pk})
        assert getattr(client_a, method)(url).status_code == 404
    assert "CANARY-B" not in client_a.get(reverse("participants:import_upload")).content.decode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n fake image", "photo.csv", "ni un CSV ni un classeur"),
        ("nom;prénom".encode("cp1252"), "ancien.csv", "UTF-8"),
        (b"nom;prenom\nA;B\n", "court.csv", "Colonnes obligatoires absentes"),
    ],
)
def test_unreadable_files_are_refused_with_a_french_reason(client_a, data, name, message):
    response = upload(client_a, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_oversized_upload_is_refused_before_reading(client_a, monkeypatch):
    monkeypatch.setattr(import_views, "MAX_BYTES", 1024 * 1024)
    response = upload(client_a, b"x" * (1024 * 1024 + 1))
    assert "dépasse 1 Mo" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_format_page_and_example_file(client_a, structure_a):
    html = client_a.get(reverse("participants:import_format")).content.decode()
    assert "SUITE_CVG" in html and "LOG_ACCOMPAGNE" in html and "heures_hebdo" in html
    response = client_a.get(reverse("participants:import_example"))
    content = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment")
    assert content.startswith(b"identifiant;nom;prenom")
    # The documented example is itself a valid file.
    upload(client_a, content, "exemple.csv")
    assert ImportJob.objects.get().report["invalid_rows"] == 0


def test_commit_steps_do_not_inflate_an_analysed_workbook_again(client_a, monkeypatch):
    """The analysis measured every member of the XLSX within the limits; a commit step reads
    the same bytes (vetted) and only parses the first sheet."""
    import io

    from openpyxl import Workbook

    from participants.importing import reader
    from tests.participants.import_helpers import COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for values in (row(), row(external_id="D4", last_name="Petit")):
        sheet.append([values[column] for column in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    upload(client_a, buffer.getvalue(), "suivi.xlsx")
    job = ImportJob.objects.get()
    assert job.status == "ANALYSED"

    measured = []
    real = reader.inflate_members
    monkeypatch.setattr(reader, "inflate_members", lambda *a: measured.append(a) or real(*a))
    client_a.post(reverse("participants:import_commit", kwargs={"pk": job.pk}))
    run_to_the_end(client_a, job)
    job.refresh_from_db()
    assert (job.status, measured) == ("DONE", [])
    assert set(Participant.objects.values_list("external_id", flat=True)) == {"A1", "D4"}
