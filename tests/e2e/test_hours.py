"""The weekly hours grid in the browser: keyboard entry down the column, one submit, the
refused row keeps its value and message next to it, the others are saved."""

import datetime as dt
from decimal import Decimal

import pytest

from participants import services
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


def test_two_people_on_one_week_the_second_saver_loses_nothing_and_reverts_nothing(
    browser, browser_context_args, logged_in_page, login, live_server, crew, e2e_structure
):
    """Issue 16.3: two sessions (two browser contexts, two users of the structure) open the
    same week; the first saves; the second, whose page still shows the old values, saves
    the grid: the first one's value is kept and shown to the second, by whom and when."""
    site, (bernard, diallo, morel) = crew
    services.worked_hours_record(
        parcours=bernard, week_start=dt.date(2025, 3, 3), hours=Decimal(8), actor=None
    )
    colleague = f.MembershipFactory(
        structure=e2e_structure,
        user__first_name="Sacha",
        user__last_name="Durand",
        user__email="sacha.durand@example.org",
    ).user
    url = f"{live_server.url}/participants/heures/{site.pk}/2025/semaine-10/"
    first = logged_in_page  # Camille Martin
    first.goto(url)
    second_context = browser.new_context(**browser_context_args)
    try:
        second = login(second_context.new_page(), colleague)
        second.set_default_timeout(10_000)
        second.goto(url)  # both pages show Bernard at 8 h, Morel empty

        first.get_by_label("Heures travaillées par BERNARD Dominique").fill("6")
        first.get_by_label("Heures travaillées par MOREL Dominique").fill("12")
        first.get_by_role("button", name="Enregistrer la semaine").click()
        first.get_by_text("Heures de la semaine enregistrées").wait_for()

        # The second leaves Bernard's row as shown, types Diallo's, and types Morel's too.
        second.get_by_label("Heures travaillées par DIALLO Dominique").fill("26")
        second.get_by_label("Heures travaillées par MOREL Dominique").fill("10")
        second.get_by_role("button", name="Enregistrer la semaine").click()
        second.locator("#grid-conflicts").wait_for()

        saved = dict(WorkedHours.objects.values_list("parcours_id", "hours"))
        assert saved == {bernard.pk: Decimal(6), diallo.pk: Decimal(26), morel.pk: Decimal(12)}
        bernard_cell = second.get_by_label("Heures travaillées par BERNARD Dominique")
        assert bernard_cell.input_value() == "6"  # the first one's value, not the stale 8
        message = second.locator(f"#conflict-{bernard.pk}").inner_text()
        assert "Modifié entre-temps par Camille Martin" in message
        assert "6 h travaillées" in message
        morel_message = second.locator(f"#conflict-{morel.pk}").inner_text()
        assert "12 h travaillées" in morel_message
        assert "Votre saisie n'a pas été enregistrée" in morel_message
        assert second.get_by_label("Heures travaillées par MOREL Dominique").input_value() == "10"
        assert second.evaluate("document.activeElement.id") == f"hours-{bernard.pk}"

        # Saving again is the deliberate choice: Morel's 10 replaces 12, Bernard's 6 stays.
        second.get_by_role("button", name="Enregistrer la semaine").click()
        second.get_by_text("Heures de la semaine enregistrées").wait_for()
        saved = dict(WorkedHours.objects.values_list("parcours_id", "hours"))
        assert saved == {bernard.pk: Decimal(6), diallo.pk: Decimal(26), morel.pk: Decimal(10)}
    finally:
        second_context.close()
