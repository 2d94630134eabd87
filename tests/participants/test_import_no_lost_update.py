"""Issue 16.3, the other multi-row save: an import into files Sillon already holds changes
them through the services' own checks (participant_update's version, parcours_exit's row
lock and status check). A change saved by someone else between the moment a batch is
validated and the moment it is written is never overwritten: the row is refused, with its
message, and the other rows of the batch are written.

(The grid is the only other screen that saves several rows at once: there is no other bulk
action.)"""

import threading
import time

import pytest
from django.db import connection, transaction

from participants import services
from participants.enums import ParcoursStatus
from participants.importing import import_file, runner
from participants.models import Exit, Parcours, Participant
from tests import factories as f

from .import_helpers import csv_bytes, row

CONFLICT = "La fiche a été modifiée pendant l'import : importez à nouveau le fichier."


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


def _meanwhile(monkeypatch, change) -> None:
    """Run `change` (someone else's save) after the batch is validated, before it is written."""
    real_commit = runner.commit_plan

    def commit_after_a_concurrent_change(plan, **kwargs):
        change()
        return real_commit(plan, **kwargs)

    monkeypatch.setattr(runner, "commit_plan", commit_after_a_concurrent_change)


@pytest.mark.django_db
def test_an_identity_changed_meanwhile_is_not_overwritten(structure_a, caseworker_a, monkeypatch):
    import_file(
        csv_bytes([row(), row(external_id="B2", last_name="Morel")]),
        structure=structure_a,
        actor=caseworker_a,
        commit=True,
    )
    person = Participant.objects.get(external_id="A1")

    def colleague_renames() -> None:
        services.participant_update(
            participant=person, actor=None, expected_version=person.version, first_name="Alia"
        )

    _meanwhile(monkeypatch, colleague_renames)
    report = import_file(
        csv_bytes([row(first_name="Alix"), row(external_id="B2", last_name="Morel", sex="F")]),
        structure=structure_a,
        actor=caseworker_a,
        commit=True,
    )

    assert [error.messages for error in report.errors] == [[CONFLICT]]
    assert Participant.objects.get(external_id="A1").first_name == "Alia"  # kept
    assert Participant.objects.get(external_id="B2").sex == "F"  # the other row is written


@pytest.mark.django_db
def test_an_exit_recorded_meanwhile_is_not_overwritten(structure_a, caseworker_a, monkeypatch):
    import_file(csv_bytes([row()]), structure=structure_a, actor=caseworker_a, commit=True)
    parcours = Parcours.objects.get()

    def colleague_records_the_exit() -> None:
        services.parcours_exit(
            parcours=Parcours.objects.get(pk=parcours.pk),
            date=parcours.start_date.replace(month=11, day=29),
            situation="ABANDON",
            actor=None,
        )

    _meanwhile(monkeypatch, colleague_records_the_exit)
    report = import_file(
        csv_bytes([row(end_date="2024-12-20", exit_situation="FORMATION")]),
        structure=structure_a,
        actor=caseworker_a,
        commit=True,
    )

    (error,) = report.errors
    assert "Seul un parcours en cours" in " ".join(error.messages)
    exit_ = Exit.objects.get()
    assert (exit_.situation, str(exit_.date)) == ("ABANDON", "2024-11-29")
    assert Parcours.objects.get().status == ParcoursStatus.SORTI


@pytest.mark.django_db(transaction=True)
def test_an_import_racing_an_open_edit_waits_for_it_then_refuses(structure_a, caseworker_a):
    """Concurrent transactions: a colleague's save is in progress (not committed) when the
    import writes the same file; the import's conditional UPDATE waits for it, then finds
    the version moved and writes nothing."""
    import_file(csv_bytes([row()]), structure=structure_a, actor=caseworker_a, commit=True)
    person = Participant.objects.get(external_id="A1")
    saved, release = threading.Event(), threading.Event()
    reports, errors = [], []

    def colleague() -> None:
        try:
            with transaction.atomic():
                services.participant_update(
                    participant=person,
                    actor=None,
                    expected_version=person.version,
                    first_name="Alia",
                )
                saved.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            saved.set()
            connection.close()

    def importer() -> None:
        try:
            saved.wait(10)
            reports.append(
                import_file(
                    csv_bytes([row(first_name="Alix")]),
                    structure=structure_a,
                    actor=caseworker_a,
                    commit=True,
                )
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=colleague), threading.Thread(target=importer)]
    for thread in threads:
        thread.start()
    saved.wait(10)
    time.sleep(0.5)
    blocked = threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert blocked  # the import waited on the colleague's row lock
    (report,) = reports
    assert [error.messages for error in report.errors] == [[CONFLICT]]
    person = Participant.objects.get(external_id="A1")
    assert (person.first_name, person.version) == ("Alia", 2)
