"""A caseworker's "Aujourd'hui" in the browser (issue 13): a Premières Heures parcours past
its 12 months, an overdue 6-month follow-up check and last week's missing hours are listed;
each is settled from its row in at most three clicks, and its row is gone afterwards."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import FollowupCheck, WorkedHours
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _months_ago(today: dt.date, months: int, day: int = 1) -> dt.date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, day)


@pytest.fixture
def day(e2e_structure, e2e_caseworker):
    today = timezone.localdate()
    site = e2e_structure.work_sites.get()
    mine = {"structure": e2e_structure, "referent": e2e_caseworker}
    # A Premières Heures sas opened 13 months ago, on the work site, entry diagnosis done.
    phc = f.ParcoursFactory(
        participant=f.ParticipantFactory(last_name="Fabre", first_name="Léon", **mine),
        programme=f.programme("PHC"),
        work_site=site,
        start_date=_months_ago(today, 13),
    )
    f.ContractFactory(parcours=phc, weekly_hours=Decimal(8))
    f.HoursStageFactory(parcours=phc, weekly_hours=Decimal(8))
    f.SnapshotFactory(participant=phc.participant, parcours=phc, context="ENTREE")
    # A Convergence exit seven months ago: its 6-month check was due a month ago.
    exit_on = _months_ago(today, 7)
    left = f.ExitFactory(
        parcours__participant=f.ParticipantFactory(last_name="Garnier", first_name="Inès", **mine),
        parcours__programme=f.programme("CVG"),
        parcours__start_date=exit_on - dt.timedelta(days=400),
        date=exit_on,
        situation="CDD_MOINS_6M",
        followup_until=_months_ago(today, -5),
    )
    check = FollowupCheck.objects.create(
        structure=e2e_structure,
        parcours=left.parcours,
        months=6,
        due_on=_months_ago(today, 1),
    )
    return {"phc": phc, "check": check, "site": site}


def _row(page, text: str):
    return page.locator("table.today tbody tr", has_text=text)


def test_a_caseworker_settles_the_day_from_aujourdhui(
    page, live_server, login, e2e_caseworker, day, assert_no_serious_axe_violations
):
    page.set_default_timeout(10_000)
    login(page, e2e_caseworker)
    expect(page).to_have_url(re.compile(r"/participants/aujourdhui/$"))
    limit = _row(page, "FABRE Léon").filter(has_text="12 mois")
    check = _row(page, "GARNIER Inès").filter(has_text="6 mois")
    hours = _row(page, "La Claire Fontaine")
    for row in (limit, check, hours):
        expect(row).to_have_count(1)
    expect(check.get_by_text("En retard")).to_be_visible()
    assert_no_serious_axe_violations(page, "today page")

    # The overdue check: its form, the person reached, in training (2 clicks).
    check.get_by_role("link", name="Saisir le contrôle").click()  # 1
    assert_no_serious_axe_violations(page, "follow-up check form")
    page.get_by_label("Oui").check()
    page.get_by_label("Situation professionnelle").select_option("FORMATION")
    page.get_by_role("button", name="Enregistrer").click()  # 2
    expect(page).to_have_url(re.compile(r"/participants/aujourdhui/"))
    expect(_row(page, "GARNIER Inès")).to_have_count(0)
    done = FollowupCheck.objects.get(pk=day["check"].pk)
    assert (done.done_on, done.reached, done.situation) == (timezone.localdate(), True, "FORMATION")

    # Last week's hours on the work site: the grid of that week, one cell, saved, back to
    # the page by the navigation (3 clicks).
    hours.get_by_role("link", name="Saisir les heures").click()  # 1
    page.get_by_label("Heures travaillées par FABRE Léon").fill("8")
    page.get_by_role("button", name="Enregistrer la semaine").click()  # 2
    page.get_by_text("Heures de la semaine enregistrées").wait_for()
    assert WorkedHours.objects.get(parcours=day["phc"]).hours == Decimal(8)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Aujourd'hui"
    ).click()  # 3
    expect(_row(page, "La Claire Fontaine")).to_have_count(0)

    # The sas past its 12 months: the exit, dated today by default (2 clicks).
    limit = _row(page, "FABRE Léon").filter(has_text="12 mois")
    limit.get_by_role("link", name="Enregistrer la sortie").click()  # 1
    page.get_by_label("Situation à la sortie").select_option("FORMATION")
    page.locator("#id_sortie-housing").select_option("CHRS")
    page.get_by_role("button", name="Enregistrer la sortie").click()  # 2
    expect(page).to_have_url(re.compile(r"/participants/aujourdhui/"))
    expect(_row(page, "FABRE Léon")).to_have_count(0)
    expect(page.get_by_text("Rien d'urgent pour vos personnes")).to_be_visible()
