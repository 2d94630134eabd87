"""Writing an import: what is created, idempotence (R3), atomicity (R2), tenancy."""

import datetime as dt
from decimal import Decimal

import pytest

from participants.enums import ParcoursStatus, SnapshotContext
from participants.importing import ImportFileError, bulk, import_file, runner
from participants.models import (
    Contract,
    Exit,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
)
from tests import factories as f

from .import_helpers import csv_bytes, generated_rows, row

pytestmark = pytest.mark.django_db
MODELS = (Participant, Parcours, Contract, HoursStage, SituationSnapshot, Exit)


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


def counts(structure):
    return {model.__name__: model.objects.filter(structure=structure).count() for model in MODELS}


def test_dry_run_writes_nothing(structure_a, caseworker_a):
    report = import_file(
        csv_bytes(generated_rows(20)), structure=structure_a, actor=caseworker_a, commit=False
    )
    assert report.rows_created == 20
    assert set(counts(structure_a).values()) == {0}


def test_commit_builds_parcours_as_the_services_do(structure_a, caseworker_a, programmes):
    site = f.WorkSiteFactory(structure=structure_a, name="La Claire Fontaine")
    deployment = f.DeploymentFactory(programme=programmes["PHC"], start_date=dt.date(2023, 1, 1))
    deployment.structures.add(structure_a)
    data = csv_bytes(
        [
            row(
                work_site="La Claire Fontaine",
                end_date="2024-10-31",
                exit_situation="SUITE_CVG",
                housing_at_exit="CHRS",
            ),
            row(programme="CVG", start_date="2024-11-04", weekly_hours="26", housing_at_entry=""),
        ],
        delimiter=";",
        bom=True,
    )
    report = import_file(data, structure=structure_a, actor=caseworker_a, commit=True)
    assert (report.rows_created, report.persons_created, report.errors) == (2, 1, [])

    person = Participant.objects.get(structure=structure_a, external_id="A1")
    assert (person.last_name, person.first_name, person.sex) == ("Durand", "Ali", "M")
    assert person.birth_date == dt.date(1980, 5, 17)
    assert person.last_contact_on == dt.date(2024, 11, 4)
    phc = person.parcours.get(programme__code="PHC")
    assert (phc.status, phc.end_date, phc.work_site, phc.deployment) == (
        ParcoursStatus.SORTI,
        dt.date(2024, 10, 31),
        site,
        deployment,
    )
    contract = phc.contracts.get()
    assert (contract.kind, contract.employer, contract.host) == ("CDDI", structure_a, structure_a)
    assert (contract.weekly_hours, contract.actual_end_date) == (Decimal(4), dt.date(2024, 10, 31))
    assert phc.stages.get().weekly_hours == Decimal(4)
    assert (phc.exit.situation, phc.exit.dgefp_category) == ("SUITE_CVG", "SORTIE_POSITIVE")
    assert set(phc.snapshots.values_list("context", "housing")) == {
        (SnapshotContext.ENTREE, "RUE"),
        (SnapshotContext.SORTIE, "CHRS"),
    }
    cvg = person.parcours.get(programme__code="CVG")
    assert (cvg.status, cvg.end_date, cvg.deployment) == (ParcoursStatus.EN_COURS, None, None)
    assert not cvg.stages.exists()  # Convergence has no paliers
    # The warnings the services compute: the only entry snapshot (8 January) is more than
    # 90 days before the Convergence start, so that parcours lacks its entry diagnosis.
    assert "entry_snapshot" in cvg.warnings
    assert "entry_snapshot" not in phc.warnings


def test_reimport_adds_nothing_and_changes_nothing(structure_a, caseworker_a):
    data = csv_bytes(generated_rows(60))
    import_file(data, structure=structure_a, actor=caseworker_a, commit=True)
    before = counts(structure_a)
    stamps = sorted(Participant.objects.values_list("updated_at", flat=True))
    parcours_stamps = sorted(Parcours.objects.values_list("updated_at", flat=True))

    report = import_file(data, structure=structure_a, actor=caseworker_a, commit=True)

    assert (report.rows_created, report.rows_updated, report.rows_unchanged) == (0, 0, 60)
    assert (report.persons_created, report.persons_updated) == (0, 0)
    assert counts(structure_a) == before
    assert sorted(Participant.objects.values_list("updated_at", flat=True)) == stamps
    assert sorted(Parcours.objects.values_list("updated_at", flat=True)) == parcours_stamps


def test_changing_one_row_updates_exactly_that_row(structure_a, caseworker_a):
    rows = generated_rows(30)
    import_file(csv_bytes(rows), structure=structure_a, actor=caseworker_a, commit=True)
    open_row = next(r for r in rows if not r["end_date"] and r["programme"] == "DPH")
    open_row.update(end_date="2024-12-20", exit_situation="FORMATION", housing_at_exit="TIERS")

    report = import_file(csv_bytes(rows), structure=structure_a, actor=caseworker_a, commit=True)

    assert (report.rows_created, report.rows_updated, report.rows_unchanged) == (0, 1, 29)
    parcours = Parcours.objects.get(participant__external_id=open_row["external_id"])
    assert (parcours.status, parcours.exit.situation) == (ParcoursStatus.SORTI, "FORMATION")
    assert parcours.snapshots.get(context=SnapshotContext.SORTIE).housing == "TIERS"


def test_identity_correction_goes_through_optimistic_locking(structure_a, caseworker_a):
    import_file(csv_bytes([row()]), structure=structure_a, actor=caseworker_a, commit=True)
    report = import_file(
        csv_bytes([row(first_name="Alix")]), structure=structure_a, actor=caseworker_a, commit=True
    )
    assert (report.persons_updated, report.rows_updated) == (1, 1)
    person = Participant.objects.get(external_id="A1")
    assert (person.first_name, person.version) == ("Alix", 2)


def test_a_different_recorded_value_is_reported_not_overwritten(structure_a, caseworker_a):
    import_file(
        csv_bytes([row(end_date="2024-06-28", exit_situation="CDI")]),
        structure=structure_a,
        actor=caseworker_a,
        commit=True,
    )
    report = import_file(
        csv_bytes([row(end_date="2024-06-28", exit_situation="ABANDON", weekly_hours="6")]),
        structure=structure_a,
        actor=caseworker_a,
        commit=True,
    )
    (error,) = report.errors
    text = " ".join(error.messages)
    assert "Heures hebdo : 6 h dans le fichier, 4 h" in text
    assert "Sortie : le 28/06/2024 (ABANDON) dans le fichier" in text
    assert Exit.objects.get().situation == "CDI"


def test_a_file_created_in_the_browser_is_adopted_not_duplicated(structure_a, caseworker_a):
    existing = f.ParticipantFactory(
        structure=structure_a, last_name="DURAND", first_name="ali", birth_date=dt.date(1980, 5, 17)
    )
    report = import_file(csv_bytes([row()]), structure=structure_a, actor=caseworker_a, commit=True)
    assert report.persons_created == 0
    assert Participant.objects.filter(structure=structure_a).count() == 1
    existing.refresh_from_db()
    assert existing.external_id == "A1"
    assert existing.parcours.count() == 1


def test_other_structures_are_never_touched(structure_a, structure_b, caseworker_a):
    other = f.ParticipantFactory(structure=structure_b, external_id="A1", last_name="CANARY-B")
    f.ParcoursFactory(
        participant=other, programme=f.programme("PHC"), start_date=dt.date(2024, 1, 8)
    )
    before = counts(structure_b)
    report = import_file(csv_bytes([row()]), structure=structure_a, actor=caseworker_a, commit=True)
    assert (report.persons_created, report.rows_created) == (1, 1)
    assert counts(structure_b) == before
    other.refresh_from_db()
    assert (other.last_name, other.version) == ("CANARY-B", 1)


def test_a_failure_in_a_batch_leaves_nothing_of_that_batch(structure_a, caseworker_a, monkeypatch):
    """R2: batches are atomic; earlier batches stay, and importing again completes the file."""
    rows = generated_rows(40)
    monkeypatch.setattr(runner, "BATCH_ROWS", 10)
    real_insert = bulk.insert
    calls = {"n": 0}

    def failing_insert(model, objects, **kwargs):
        if model is Exit:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("disk full")
        return real_insert(model, objects, **kwargs)

    monkeypatch.setattr(bulk, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        import_file(csv_bytes(rows), structure=structure_a, actor=caseworker_a, commit=True)
    batches = runner.batches(_parsed(rows), size=10)
    written = {p for batch in batches[:2] for p in {r.cells["external_id"] for r in batch}}
    assert set(Participant.objects.values_list("external_id", flat=True)) == written
    assert Parcours.objects.count() == sum(len(batch) for batch in batches[:2])

    monkeypatch.setattr(bulk, "insert", real_insert)
    report = import_file(csv_bytes(rows), structure=structure_a, actor=caseworker_a, commit=True)
    assert report.rows_created == 40 - sum(len(batch) for batch in batches[:2])
    assert Parcours.objects.count() == 40


def _parsed(rows):
    from participants.importing import read_file

    return read_file(csv_bytes(rows))


def test_batches_never_split_a_person():
    rows = [row(external_id=f"P{i // 3}", start_date=f"202{i % 3}-01-04") for i in range(30)]
    batches = runner.batches(_parsed(rows), size=4)
    seen: dict[str, int] = {}
    for index, batch in enumerate(batches):
        for raw in batch:
            assert seen.setdefault(raw.cells["external_id"], index) == index
    assert sum(len(batch) for batch in batches) == 30


def test_unreadable_file_raises_a_french_error(structure_a, caseworker_a):
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_file(
            "nom;prénom".encode("cp1252"), structure=structure_a, actor=caseworker_a, commit=True
        )
