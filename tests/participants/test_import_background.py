"""The analysis of an upload runs in the background worker (issue 16.2): the upload request
stores the file and returns; the detail page shows the progress until the worker is done.
In tests the ImmediateBackend runs the job inline; a DummyBackend keeps it queued."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.importing.analysis import import_job_analyse
from participants.models import ImportJob
from tests import factories as f

from .import_helpers import csv_bytes, generated_rows
from .test_import_limits import DATA_ROW, MB, SHEET, declare_size, xlsx

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def upload(client, data: bytes, name: str = "suivi.xlsx"):
    started = time.monotonic()
    response = client.post(
        reverse("participants:import_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    return response, time.monotonic() - started


def test_a_bomb_is_refused_by_the_upload_request_in_under_a_second(client_a):
    response, elapsed = upload(client_a, xlsx(repeat=b"<row/>", inflated=150 * MB))
    assert elapsed < 1
    assert response.status_code == 200
    assert "dépasse 100 Mo une fois décompressé" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_bomb_lying_about_its_size_is_refused_by_the_analysis_in_under_a_second(client_a):
    data = declare_size(xlsx(repeat=b"<row/>", inflated=150 * MB), SHEET, 1_000)
    response, elapsed = upload(client_a, data)  # the analysis runs inline in tests
    assert elapsed < 1
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("participants:import_detail", kwargs={"pk": job.pk})
    assert (job.status, bytes(job.content), job.rows_total) == ("REFUSED", b"", 0)
    assert "illisible" in job.failure
    html = client_a.get(response["Location"]).content.decode()
    assert "Le fichier est refusé" in html and "illisible" in html
    assert reverse("participants:import_commit", kwargs={"pk": job.pk}) not in html


def test_rows_past_the_limit_are_refused_by_the_analysis_with_the_limit_named(client_a, settings):
    settings.IMPORT_MAX_COLUMNS = 5
    response, _elapsed = upload(client_a, xlsx(first_rows=DATA_ROW))
    job = ImportJob.objects.get()
    assert job.status == "REFUSED"
    assert "La ligne 1 dépasse 5 colonnes (limite du nombre de colonnes)" in job.failure


def test_the_upload_request_only_stores_the_file_and_queues_its_analysis(client_a, settings):
    settings.TASKS = QUEUED
    data = csv_bytes(generated_rows(30))
    response, _elapsed = upload(client_a, data, "suivi.csv")
    job = ImportJob.objects.get()
    assert (job.status, bytes(job.content), job.report, job.kind) == ("PENDING", data, {}, "CSV")

    detail = reverse("participants:import_detail", kwargs={"pk": job.pk})
    assert response["Location"] == detail
    html = client_a.get(detail).content.decode()
    assert "Analyse du fichier en cours" in html and 'hx-trigger="load delay:1s"' in html
    assert "Lignes valides" not in html  # no report yet

    step = reverse("participants:import_step", kwargs={"pk": job.pk})
    fragment = client_a.post(step, **HTMX)
    assert "Analyse du fichier en cours" in fragment.content.decode()

    # The same file again while it waits: the same job, not queued twice.
    upload(client_a, data, "encore.csv")
    assert ImportJob.objects.get().status == "PENDING"

    import_job_analyse(job_id=job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.report["invalid_rows"]) == ("ANALYSED", 30, 0)
    finished = client_a.post(step, **HTMX)
    assert finished.status_code == 204 and finished["HX-Redirect"] == detail
    assert "Importer les 30 lignes valides" in client_a.get(detail).content.decode()


def test_a_job_is_analysed_once(client_a, settings):
    settings.TASKS = QUEUED
    upload(client_a, csv_bytes(generated_rows(3)), "suivi.csv")
    job = ImportJob.objects.get()
    import_job_analyse(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(report={"marker": 1})
    import_job_analyse(job_id=job.pk)  # a second delivery of the task changes nothing
    job.refresh_from_db()
    assert job.report == {"marker": 1}
