"""Uploads have a life span (docs/security.md §6): a spreadsheet analysed but never imported
is deleted with its report IMPORT_PENDING_RETENTION_DAYS after its last change by
apply_retention, at once when its author cancels it, and when a person of its structure is
erased. The clock is frozen and moved."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from participants.models import ImportJob
from participants.rights.services import participant_erase
from sites.enums import Role
from tests import factories as f

from .import_helpers import csv_bytes, generated_rows, row

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def _upload(client, data: bytes, name: str = "suivi.csv") -> ImportJob:
    response = client.post(
        reverse("participants:import_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302
    return ImportJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def _retention(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def _done_job(structure) -> ImportJob:
    return ImportJob.objects.create(
        structure=structure, sha256="d" * 64, filename="fait.csv", kind="CSV", content=b"",
        status=ImportJob.Status.DONE,
    )  # fmt: skip


def test_the_delay_is_seven_days(settings):
    assert settings.IMPORT_PENDING_RETENTION_DAYS == 7


def test_a_pending_upload_is_deleted_by_retention_after_its_delay(client_a, structure_a):
    with freeze_time(T0):
        pending = _upload(client_a, csv_bytes([row()]))
        failed = _upload(client_a, csv_bytes(generated_rows(3)), "autre.csv")
        ImportJob.objects.filter(pk=failed.pk).update(status=ImportJob.Status.FAILED)
        done = _done_job(structure_a)
    with freeze_time(T0 + dt.timedelta(days=7, seconds=-1)):
        assert "2 pending upload(s) to purge" not in _retention()
        _retention("--commit")
        assert ImportJob.objects.count() == 3  # a second before the delay: kept
    with freeze_time(T0 + dt.timedelta(days=7, seconds=1)):
        assert "2 pending upload(s) to purge" in _retention()
        assert ImportJob.objects.count() == 3  # the dry run changes nothing
        assert "2 pending upload(s) deleted" in _retention("--commit")
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [done.pk]
    assert not ImportJob.objects.filter(pk=pending.pk).exists()


def test_analysing_again_restarts_the_delay(client_a):
    data = csv_bytes([row()])
    with freeze_time(T0):
        _upload(client_a, data)
    with freeze_time(T0 + dt.timedelta(days=5)):
        _upload(client_a, data)  # the same file: the same job, analysed again
    with freeze_time(T0 + dt.timedelta(days=8)):
        _retention("--commit")
        assert ImportJob.objects.count() == 1
    with freeze_time(T0 + dt.timedelta(days=12, seconds=1)):
        _retention("--commit")
        assert not ImportJob.objects.exists()


def test_the_import_pages_say_when_the_file_will_be_deleted(client_a, settings):
    settings.IMPORT_PENDING_RETENTION_DAYS = 7
    with freeze_time(T0):
        job = _upload(client_a, csv_bytes([row()]))
        detail = client_a.get(reverse("participants:import_detail", kwargs={"pk": job.pk}))
        listing = client_a.get(reverse("participants:import_upload"))
    assert "seront supprimés le 09/03/2026" in detail.content.decode()
    assert "supprimé le 09/03/2026" in listing.content.decode()
    assert "Annuler cet import" in detail.content.decode()


def test_the_author_cancels_and_the_file_is_deleted_at_once(client_a, structure_a):
    job = _upload(client_a, csv_bytes([row()]))
    colleague = f.MembershipFactory(structure=structure_a, role=Role.CASEWORKER).user
    url = reverse("participants:import_cancel", kwargs={"pk": job.pk})
    other = client_a.__class__()
    other.force_login(colleague)
    assert (
        "Annuler cet import"
        not in other.get(
            reverse("participants:import_detail", kwargs={"pk": job.pk})
        ).content.decode()
    )
    assert other.post(url).status_code == 403  # only its author
    assert ImportJob.objects.filter(pk=job.pk).exists()
    assert client_a.get(url).status_code == 405
    response = client_a.post(url)
    assert response["Location"] == reverse("participants:import_upload")
    assert not ImportJob.objects.filter(pk=job.pk).exists()


def test_a_done_import_is_not_cancelled(client_a, caseworker_a, structure_a):
    done = _done_job(structure_a)
    ImportJob.objects.filter(pk=done.pk).update(created_by=caseworker_a)
    client_a.post(reverse("participants:import_cancel", kwargs={"pk": done.pk}))
    assert ImportJob.objects.filter(pk=done.pk).exists()


def test_another_structures_job_cannot_be_cancelled(client_a, structure_b):
    other = ImportJob.objects.create(
        structure=structure_b, sha256="b" * 64, filename="b.csv", kind="CSV", content=b"x"
    )
    url = reverse("participants:import_cancel", kwargs={"pk": other.pk})
    assert client_a.post(url).status_code == 404
    assert ImportJob.objects.filter(pk=other.pk).exists()


def test_erasing_a_person_deletes_the_structures_pending_uploads(
    client_a, structure_a, structure_b
):
    pending = _upload(client_a, csv_bytes([row()]))
    done = _done_job(structure_a)
    elsewhere = ImportJob.objects.create(
        structure=structure_b, sha256="b" * 64, filename="b.csv", kind="CSV", content=b"x"
    )
    participant_erase(participant=f.ParticipantFactory(structure=structure_a))
    assert not ImportJob.objects.filter(pk=pending.pk).exists()
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {done.pk, elsewhere.pk}
