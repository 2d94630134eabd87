"""A caseworker's day in the browser, from login to a PHC → Convergence exit, with axe-core
checks on every page they go through."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_caseworker_journey_phc_to_convergence(
    logged_in_page, live_server, assert_no_serious_axe_violations
):
    page = logged_in_page
    today = dt.date.today()
    start = today - dt.timedelta(days=21)

    # Logging in lands on "Aujourd'hui" (nothing to do yet); the list is one click away.
    expect(page).to_have_url(re.compile(r"/participants/aujourdhui/$"))
    expect(page.get_by_text("Rien d'urgent")).to_be_visible()
    assert_no_serious_axe_violations(page, "empty today page")
    page.get_by_role("link", name="Participant·es").first.click()
    expect(page).to_have_url(re.compile(r"/participants/\?status=EN_COURS$"))
    assert_no_serious_axe_violations(page, "empty list")

    # A new person; a missing name is flagged next to its field.
    page.get_by_role("link", name="+ Nouvelle personne").click()
    assert_no_serious_axe_violations(page, "create form")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.locator("#id_last_name_error")).to_contain_text("obligatoire")
    assert_no_serious_axe_violations(page, "create form with errors")
    page.locator("#id_last_name").fill("Lambert")
    page.get_by_label("Prénom").fill("Noé")
    page.get_by_label("Date de naissance").fill("14/07/1983")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LAMBERT Noé")

    # Enrolled in Premières Heures at 4 h a week, three weeks ago.
    page.get_by_role("link", name="Inscrire dans un programme").first.click()
    assert_no_serious_axe_violations(page, "enrol form")
    page.get_by_label("Programme").select_option(label="Premières Heures en Chantier (PHC)")
    page.get_by_label("Lieu d'activité").select_option(label="La Claire Fontaine")
    page.get_by_label("Date d'entrée").fill(d(start))
    page.get_by_label("Heures par semaine").fill("4")
    page.get_by_role("button", name="Inscrire").click()
    expect(page.get_by_text("est inscrit·e en Premières Heures en Chantier")).to_be_visible()

    # Raised to 8 h a week from today.
    page.get_by_role("link", name="Changer les heures").click()
    assert_no_serious_axe_violations(page, "hours palier form")
    page.get_by_label("Nouvelles heures par semaine").fill("8")
    page.get_by_role("button", name="Enregistrer le palier").click()
    expect(page.get_by_text("Nouveau palier : 8 h par semaine")).to_be_visible()

    # An entry situation, so the file carries no "missing diagnostic" alert.
    page.get_by_role("link", name="Noter la situation").first.click()
    assert_no_serious_axe_violations(page, "snapshot form")
    page.get_by_label("Situation de logement").select_option(label="À la rue / abri de fortune")
    page.get_by_text("A connu un parcours de rue").click()
    page.get_by_label("Logement : Important").check()
    page.get_by_role("button", name="Enregistrer la situation").click()

    # An action from the list in three clicks: open the row form, pick a theme, save.
    page.get_by_role("link", name="Participant·es").first.click()
    page.get_by_role("link", name="Noter une action pour LAMBERT Noé").click()  # 1
    row = page.locator(".quick-action-row")
    expect(row.get_by_label("Date")).to_have_value(d(today))
    expect(row.get_by_text("Notez des faits")).to_be_visible()
    assert_no_serious_axe_violations(page, "list with the quick action row")
    row.get_by_text("Logement", exact=True).click()  # 2
    row.get_by_role("button", name="Enregistrer l'action").click()  # 3
    expect(page.locator(".quick-action-row")).to_contain_text("Action enregistrée pour LAMBERT Noé")

    # Hook: the weekly hours grid step (issue 3 item 7, built alongside) goes here, before
    # the exit, using the fixtures of tests/e2e/conftest.py.

    # Exit to Convergence (suite de parcours): the Convergence parcours opens, linked, in
    # the same step.
    page.get_by_role("link", name="LAMBERT Noé", exact=True).click()
    page.get_by_role("link", name="Enregistrer la sortie").click()
    assert_no_serious_axe_violations(page, "exit form")
    page.get_by_label("Situation à la sortie").select_option("SUITE_CVG")
    page.locator("#id_sortie-housing").select_option("CHRS")
    page.locator("summary", has_text="Suite de parcours dans la structure").click()
    assert_no_serious_axe_violations(page, "exit form with the next parcours")
    page.get_by_label("Heures par semaine").fill("26")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_text("Suite de parcours ouverte : Convergence")).to_be_visible()

    # Everything is on the file's timeline, and the file passes axe.
    timeline = page.locator(".timeline")
    for text in [
        "Entrée en Premières Heures en Chantier",
        "Palier de départ : 4 h par semaine",
        "Heures augmentées à 8 h par semaine",
        "Situation à l'entrée",
        "Entretien individuel",
        "Sortie de Premières Heures en Chantier : Suite de parcours : Convergence",
        "Situation à la sortie",
        "Entrée en Convergence",
        "Suite du parcours PHC",
    ]:
        expect(timeline).to_contain_text(text)
    expect(page.locator(".alert-warning, .alert-danger")).to_have_count(0)
    assert_no_serious_axe_violations(page, "participant file")
