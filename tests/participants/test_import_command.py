"""`manage.py import_participants`: dry run by default, --commit writes, same report."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from participants.models import Parcours, Participant
from tests import factories as f

from .import_helpers import csv_bytes, generated_rows, row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def programmes():
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_participants", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_the_report_and_writes_nothing(tmp_path, structure_a):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes([row(), row(external_id="B2", programme="XYZ")]))
    out, _err = run(str(path), "--structure", structure_a.slug)
    assert "2 ligne(s) lue(s) : 1 valide(s), 1 refusée(s)." in out
    assert "Ligne 3 : Programme : « XYZ » inconnu" in out
    assert "Simulation" in out
    assert not Participant.objects.exists()


def test_commit_by_siret_writes_with_a_progress_bar_then_adds_nothing(tmp_path, structure_a):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(generated_rows(12)))
    out, err = run(str(path), "--structure", structure_a.siret, "--commit")
    assert "12 parcours ajouté(s)" in out
    assert "12/12 lignes" in err
    assert Parcours.objects.filter(structure=structure_a).count() == 12
    out, _err = run(str(path), "--structure", structure_a.siret, "--commit")
    assert "0 parcours ajouté(s), 0 mis à jour, 12 inchangé(s)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--structure", "nowhere"], "Aucune structure"),
        (["--structure", "structure-a", "--as", "nobody@example.org"], "Aucun utilisateur"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, structure_a, args, message):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes([row()]))
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)


def test_unreadable_file_is_a_clear_error(tmp_path, structure_a):
    path = tmp_path / "f.csv"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="ni un CSV ni un classeur"):
        run(str(path), "--structure", structure_a.slug)
    with pytest.raises(CommandError, match="Impossible de lire"):
        run(str(tmp_path / "missing.csv"), "--structure", structure_a.slug)
