"""The referents' page in the browser: a manager hands a departed colleague's files over to
another caseworker in one step, and they leave "sans référent·e" — on the page and on
"Aujourd'hui". Then a caseworker asks for the daily digest on their account page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant
from sites.enums import Role
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(e2e_structure):
    manager = f.MembershipFactory(
        structure=e2e_structure,
        role=Role.MANAGER,
        user__first_name="Claire",
        user__last_name="Moreau",
        user__email="claire.moreau@example.org",
    ).user
    nora = f.MembershipFactory(
        structure=e2e_structure, user__first_name="Nora", user__last_name="Petit"
    ).user
    julien = f.MembershipFactory(
        structure=e2e_structure,
        user__first_name="Julien",
        user__last_name="Roux",
        user__is_active=False,  # left the structure: account deactivated
    ).user
    start = timezone.localdate() - dt.timedelta(days=40)
    files = []
    for name, referent in (("Bernard", julien), ("Diallo", julien), ("Morel", None)):
        participant = f.ParticipantFactory(
            structure=e2e_structure, last_name=name, referent=referent
        )
        f.ParcoursFactory(participant=participant, programme=f.programme("PHC"), start_date=start)
        files.append(participant)
    return {"manager": manager, "nora": nora, "julien": julien, "files": files}


def test_a_manager_hands_a_departed_colleagues_files_over(
    page, live_server, login, team, assert_no_serious_axe_violations
):
    page.set_default_timeout(10_000)
    login(page, team["manager"])
    # "Aujourd'hui" lists the three files as without a referent.
    page.goto(f"{live_server.url}/participants/aujourdhui/?qui=structure&type=referent")
    expect(page.get_by_role("link", name="Attribuer en lot")).to_have_count(3)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Référent·es"
    ).click()
    expect(page.get_by_role("heading", name="Référent·es")).to_be_visible()
    assert_no_serious_axe_violations(page, "referents")
    unassigned = page.locator("#sans-referent")
    expect(unassigned.get_by_role("row", name=re.compile("Julien Roux"))).to_be_visible()
    people = unassigned.get_by_role("row").first.locator("td").first  # "Personnes en parcours"
    expect(people).to_have_text("3")

    page.get_by_role("link", name="Réattribuer les dossiers de Julien Roux").click()
    expect(
        page.get_by_role("heading", name="Réattribuer les dossiers de Julien Roux")
    ).to_be_visible()
    assert_no_serious_axe_violations(page, "handover")
    for name in ("BERNARD", "DIALLO"):
        expect(page.get_by_label(f"Confier le dossier de {name} Dominique")).to_be_checked()
    page.get_by_label("Confier les dossiers cochés à").select_option(label="Nora Petit")
    page.get_by_role("button", name="Confier les dossiers cochés").click()

    expect(page.get_by_text("2 dossiers confiés à Nora Petit")).to_be_visible()
    expect(page.get_by_role("heading", name="Référent·es")).to_be_visible()
    unassigned = page.locator("#sans-referent")
    expect(unassigned.get_by_role("row", name=re.compile("Julien Roux"))).to_have_count(0)
    expect(unassigned.get_by_role("row").first.locator("td").first).to_have_text("1")
    assert_no_serious_axe_violations(page, "referents after the handover")
    bernard, diallo, morel = team["files"]
    referents = dict(Participant.objects.values_list("pk", "referent_id"))
    assert (referents[bernard.pk], referents[diallo.pk]) == (team["nora"].pk, team["nora"].pk)
    assert referents[morel.pk] is None

    # Only the file that never had a referent is left on "Aujourd'hui".
    page.goto(f"{live_server.url}/participants/aujourdhui/?qui=structure&type=referent")
    expect(page.get_by_role("link", name="Attribuer en lot")).to_have_count(1)
    expect(page.get_by_role("link", name="MOREL Dominique")).to_be_visible()


def test_a_caseworker_asks_for_the_daily_digest(
    logged_in_page, live_server, e2e_caseworker, assert_no_serious_axe_violations
):
    page = logged_in_page
    page.get_by_role("link", name=re.compile("Mon compte")).click()
    expect(page.get_by_role("heading", name="Mon compte")).to_be_visible()
    assert_no_serious_axe_violations(page, "account")
    page.get_by_label("Recevoir chaque matin le résumé d'« Aujourd'hui » par e-mail").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vous recevrez le résumé quotidien par e-mail.")).to_be_visible()
    e2e_caseworker.refresh_from_db()
    assert e2e_caseworker.daily_digest
