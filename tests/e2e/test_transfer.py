"""Browser journey of a transfer: a manager hands a file over to another structure of the
deployment with the person's consent, then reads it, read-only; the receiving manager finds
the person among the orientations waiting and the transfer on the file (axe on each page)."""

import datetime as dt
from decimal import Decimal

from playwright.sync_api import expect

from sites.enums import Role
from tests import factories as f


def test_a_manager_transfers_a_file_with_consent(
    page, login, e2e_structure, live_server, assert_no_serious_axe_violations, browser
):
    receiving = f.StructureFactory(name="La Passerelle", slug="la-passerelle")
    deployment = f.DeploymentFactory(programme=f.programme("CVG"), start_date=dt.date(2020, 1, 1))
    deployment.structures.add(e2e_structure, receiving)
    person = f.ParticipantFactory(structure=e2e_structure, last_name="Bernard", first_name="Léa")
    start = dt.date.today() - dt.timedelta(days=90)
    parcours = f.ParcoursFactory(participant=person, start_date=start)
    f.ContractFactory(parcours=parcours, start_date=start, weekly_hours=Decimal(26))
    manager = f.MembershipFactory(structure=e2e_structure, role=Role.MANAGER).user
    login(page, manager)

    page.goto(f"{live_server.url}/participants/{person.pk}/")
    page.get_by_role("link", name="Transférer le dossier").click()
    assert_no_serious_axe_violations(page, "transfer form")
    page.get_by_label("Structure d'accueil").select_option(label="La Passerelle")
    # Without the consent box, nothing happens and the box says why.
    page.get_by_role("button", name="Transférer le dossier").click()
    expect(page.get_by_text("Le transfert demande l'accord de la personne.")).to_be_visible()
    page.get_by_label("La personne a donné son accord au transfert de son dossier.").check()
    page.get_by_role("button", name="Transférer le dossier").click()

    expect(page.get_by_text("est transféré à La Passerelle")).to_be_visible()
    expect(page.get_by_text("sans le modifier")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier l'identité")).to_have_count(0)
    assert_no_serious_axe_violations(page, "transferred file, read-only")
    page.goto(f"{live_server.url}/participants/transferts/")
    expect(page.get_by_role("link", name=f"Dossier n° {person.pk}")).to_be_visible()
    assert_no_serious_axe_violations(page, "transfers list")

    receiver = f.MembershipFactory(structure=receiving, role=Role.MANAGER).user
    other = browser.new_context(locale="fr-FR")
    second = other.new_page()
    login(second, receiver)
    second.goto(f"{live_server.url}/participants/aujourdhui/?qui=structure")
    expect(second.get_by_text("BERNARD Léa").first).to_be_visible()
    second.goto(f"{live_server.url}/participants/{person.pk}/")
    expect(second.get_by_role("heading", name="Transferts du dossier")).to_be_visible()
    expect(second.get_by_text("Les Eaux Vives").first).to_be_visible()
    assert_no_serious_axe_violations(second, "received file")
    other.close()
