"""The weekly hours grid in the browser: keyboard entry down the column, one submit, the
refused row keeps its value and message next to it, the others are saved."""

import datetime as dt
from decimal import Decimal

import pytest

from participants.models import WorkedHours
from sites.models import WorkSite
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crew(e2e_structure):
    site = WorkSite.objects.get(structure=e2e_structure, name="La Claire Fontaine")
    crew = []
    for name, code in (("Bernard", "PHC"), ("Diallo", "CVG"), ("Morel", "PHC")):
        parcours = f.ParcoursFactory(
            participant=f.ParticipantFactory(structure=e2e_structure, last_name=name),
            programme=f.programme(code),
            work_site=site,
            start_date=dt.date(2025, 1, 6),
        )
        f.ContractFactory(parcours=parcours, weekly_hours=Decimal(26 if code == "CVG" else 8))
        if code == "PHC":
            f.HoursStageFactory(parcours=parcours, weekly_hours=Decimal(8))
        crew.append(parcours)
    return site, crew


def test_fill_the_week_with_the_keyboard(
    logged_in_page, live_server, crew, assert_no_serious_axe_violations
):
    site, (bernard, diallo, morel) = crew
    page = logged_in_page
    page.goto(f"{live_server.url}/participants/heures/")
    page.get_by_role("link", name="La Claire Fontaine").click()
    page.goto(f"{live_server.url}/participants/heures/{site.pk}/2025/semaine-10/")
    assert_no_serious_axe_violations(page, "hours grid")

    first = page.get_by_label("Heures travaillées par BERNARD Dominique")
    first.fill("8")
    first.press("Enter")  # moves down the column instead of submitting
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"hours-{diallo.pk}"
    page.keyboard.type("26")
    page.keyboard.press("Enter")
    page.keyboard.type("25")  # above PHC's 20 h ceiling
    page.keyboard.press("Control+Enter")

    page.wait_for_load_state()
    error = page.locator(f"#error-{morel.pk}")
    assert "dépasse le maximum de 20 h" in error.inner_text()
    assert page.get_by_label("Heures travaillées par MOREL Dominique").input_value() == "25"
    assert page.evaluate("document.activeElement.id") == f"hours-{morel.pk}"
    saved = dict(WorkedHours.objects.values_list("parcours_id", "hours"))
    assert saved == {bernard.pk: Decimal(8), diallo.pk: Decimal(26)}
    assert_no_serious_axe_violations(page, "hours grid with errors")

    page.get_by_label("Heures travaillées par MOREL Dominique").fill("12")
    page.get_by_role("button", name="Enregistrer la semaine").click()
    page.get_by_text("Heures de la semaine enregistrées").wait_for()
    assert WorkedHours.objects.get(parcours=morel).hours == Decimal(12)
    page.get_by_role("link", name="Semaine suivante").click()
    assert "semaine-11" in page.url
