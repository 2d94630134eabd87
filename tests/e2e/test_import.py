"""Import in the browser: upload a file with bad rows, see each one with its line and reason,
commit the valid rows with the progress shown, find them in the participant list."""

import pytest

from participants.models import Parcours, Participant
from tests.participants.import_helpers import csv_bytes, row

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_with_bad_rows(
    logged_in_page, live_server, tmp_path, assert_no_serious_axe_violations
):
    page = logged_in_page
    path = tmp_path / "suivi-2024.csv"
    path.write_bytes(
        csv_bytes(
            [
                row(work_site="La Claire Fontaine"),
                row(external_id="B2", last_name="Petit", programme="XYZ"),
                row(external_id="C3", last_name="Leroy", start_date="31/02/2024"),
                row(external_id="D4", last_name="Morel", programme="CVG", weekly_hours="26"),
            ],
            delimiter=";",
            bom=True,
        )
    )
    page.goto(f"{live_server.url}/participants/import/")
    assert_no_serious_axe_violations(page, "import upload")
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Analyser le fichier").click()

    refused = page.locator("table.import-errors tbody tr")
    assert refused.count() == 2
    assert refused.nth(0).locator("th").inner_text() == "3"
    assert "Programme : « XYZ » inconnu" in refused.nth(0).inner_text()
    assert refused.nth(1).locator("th").inner_text() == "4"
    assert "n'est pas une date qui existe" in refused.nth(1).inner_text()
    assert not Participant.objects.exists()
    assert_no_serious_axe_violations(page, "import preview")

    page.get_by_role("button", name="Importer les 2 lignes valides").click()
    page.get_by_text("Import terminé").wait_for()
    assert page.locator('[data-count="created"]').inner_text() == "2"
    assert set(Participant.objects.values_list("last_name", flat=True)) == {"Durand", "Morel"}
    assert Parcours.objects.get(participant__last_name="Durand").work_site.name == (
        "La Claire Fontaine"
    )

    # The same file again: one job, nothing to write.
    page.goto(f"{live_server.url}/participants/import/")
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Analyser le fichier").click()
    assert page.locator('[data-count="unchanged"]').inner_text() == "2"
    assert page.get_by_text("Rien à écrire").is_visible()
