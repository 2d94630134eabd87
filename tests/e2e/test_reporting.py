"""Reporting in the browser: a territorial coordinator, a national coordinator and a funder,
each logging in with their second factor (required for these roles: OTP_REQUIRED_ROLES),
with axe-core checks on the dashboards, the national view and the reports page.

The data is the hand-computed world of tests/reporting/scenario.py plus twelve parcours in
each of the three structures working in Nantes Métropole, so that the territory's counts
pass the small-count and dominance rules and can be compared with the PDF.
"""

import csv
import datetime as dt
import io
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from programmes.models import CoordinationScope
from sites.enums import Role
from tests import factories as f
from tests.reporting.scenario import add_balanced, build

pytestmark = pytest.mark.django_db(transaction=True)

PERSON_NAMES = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "Golden", "BAL", "LIMA")


@pytest.fixture
def second_factor(settings):
    """The production rule: coordinators and funders need a second factor."""
    settings.OTP_REQUIRED_ROLES = ["MANAGER", "COORDINATOR", "FUNDER", "ADMIN"]


@pytest.fixture
def world(transactional_db):
    world = build()
    add_balanced(world)
    return world


def _member(role: Role, **organisation):
    user = f.MembershipFactory(role=role, structure=None, **organisation).user
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


@pytest.fixture
def territorial_coordinator(world):
    coordination = f.CoordinationFactory(name="FAS Pays de la Loire")
    CoordinationScope.objects.create(
        coordination=coordination, territory=world.nm, programme=world.cvg
    )
    return _member(Role.COORDINATOR, coordination=coordination)


@pytest.fixture
def national_coordinator(world):
    coordination = f.CoordinationFactory(name="Convergence France")
    CoordinationScope.objects.create(
        coordination=coordination, territory=world.la, programme=world.cvg
    )
    # Loire-Atlantique runs Convergence too: the national view compares it with the métropole.
    f.DeploymentFactory(programme=world.cvg, territory=world.la)
    return _member(Role.COORDINATOR, coordination=coordination)


@pytest.fixture
def funder_user(world):
    funder = f.FunderFactory(name="DGCS")
    world.deployment.funders.add(funder)
    return _member(Role.FUNDER, funder=funder)


def _code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def login_with_code(page, login, second_factor):
    """Password, then the TOTP code on the verification page."""

    def _login(user):
        page.set_default_timeout(15_000)
        login(page, user)
        expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
        page.get_by_label("Code à 6 chiffres").fill(_code(user))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_load_state()
        assert "/compte/" not in page.url, "second factor refused"
        return page

    return _login


def _kpis(page) -> dict[str, str]:
    # all_inner_texts() does not wait: read the figures once the new page has fully loaded.
    page.wait_for_load_state("load")
    expect(page.locator(".kpi .kpi-value").first).to_be_visible()
    labels = page.locator(".kpi .kpi-label").all_inner_texts()
    values = page.locator(".kpi .kpi-value").all_inner_texts()
    return dict(zip(labels, values, strict=True))


def _show_period(page, label: str):
    page.get_by_label("Période", exact=True).select_option(label=label)
    page.get_by_role("button", name="Afficher").first.click()
    expect(page.locator("p.lead")).to_have_text(label)


def _download(page, link_name: str):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def test_territorial_coordinator_dashboard_periods_drill_down_and_exports(
    page, live_server, login_with_code, territorial_coordinator, assert_no_serious_axe_violations
):
    login_with_code(territorial_coordinator)
    page.goto(f"{live_server.url}/rapports/")
    page.get_by_role("region", name="Territoires").get_by_role(
        "link", name="Convergence – Nantes Métropole"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convergence – Nantes Métropole")

    # The year of the target: 43 persons (Trajet 17, Océan 13, Paris Chantiers 13).
    _show_period(page, "Année 2021")
    assert "periode=2021" in page.url
    kpis = _kpis(page)
    assert kpis["Personnes accompagnées"] == "43"
    assert kpis["Entrées"] == "42"
    expect(page.locator(".chart-box svg").first).to_be_visible()
    assert_no_serious_axe_violations(page, "territory dashboard 2021")

    # A quarter, a Convergence semester, free dates: the URL names the period each time.
    _show_period(page, "2e trimestre 2021")
    assert "periode=2021-T2" in page.url
    _show_period(page, "Semestre avril–septembre 2021")
    assert "periode=2021-S1" in page.url
    page.get_by_text("Dates libres").click()
    page.get_by_label("Du", exact=True).fill("2021-03-01")
    page.get_by_label("Au", exact=True).fill("2021-12-31")
    page.get_by_role("button", name="Afficher").nth(1).click()
    expect(page.locator("p.lead")).to_have_text("Du 01/03/2021 au 31/12/2021")
    # That is the target's own period: the gauge compares with it.
    expect(page.get_by_text("Objectif : 118 (Personnes accompagnées)")).to_be_visible()
    _show_period(page, "Année 2021")

    # Exports of what the page shows.
    name, body = _download(page, "Exporter en CSV")
    assert name == "indicateurs-CVG-nantes-metropole-2021.csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ["Personnes accompagnées", "43"] in rows
    name, body = _download(page, "Exporter en XLSX")
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert [c.value for c in sheet[2]] == ["Personnes accompagnées", "43"]

    # Drill-down to one structure: its row of the territory table, no monthly series.
    ocean_row = page.get_by_role("table", name="Effectifs").get_by_role(
        "row", name=re.compile("Océan")
    )
    ocean_accompanied = ocean_row.locator("td").first.inner_text()
    page.get_by_role("link", name="Océan").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convergence – Océan")
    assert "structure=ocean" in page.url and "periode=2021" in page.url
    assert _kpis(page)["Personnes accompagnées"] == ocean_accompanied == "13"
    expect(page.get_by_text("Le détail mensuel n'est publié qu'à l'échelle")).to_be_visible()
    assert_no_serious_axe_violations(page, "structure drill-down")
    for name in PERSON_NAMES:
        assert name not in page.content()


def test_national_coordinator_compares_territories(
    page, live_server, login_with_code, national_coordinator, assert_no_serious_axe_violations
):
    login_with_code(national_coordinator)
    page.goto(f"{live_server.url}/rapports/")
    page.get_by_role("region", name="Comparaison des territoires").get_by_role(
        "link", name="Convergence"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Convergence – comparaison des territoires"
    )
    _show_period(page, "Année 2021")
    rows = page.locator("#comparison tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text("Loire-Atlantique")
    expect(rows.nth(1).locator("th")).to_have_text("Nantes Métropole")
    # Nantes Métropole's target is over March–December 2021, not the year: the page says
    # so, and the period selector offers the target's period, which shows it.
    expect(page.locator("#no-target")).to_be_visible()
    expect(page.locator("#targets")).to_have_count(0)
    page.get_by_label("Période", exact=True).select_option(value="2021-03-01_2021-12-31")
    page.get_by_role("button", name="Afficher").first.click()
    expect(page.locator("p.lead")).to_have_text("Du 01/03/2021 au 31/12/2021")
    expect(page.locator("#targets tbody tr")).to_have_count(1)
    expect(page.locator("#targets tbody tr td").nth(1)).to_have_text("Personnes accompagnées")
    assert_no_serious_axe_violations(page, "national view")
    _show_period(page, "Année 2021")
    # A row opens that territory's dashboard for the same period.
    page.locator("#comparison").get_by_role("link", name="Nantes Métropole").click()
    page.wait_for_url("**/CVG/territoire/nantes-metropole/?periode=2021*")
    assert _kpis(page)["Personnes accompagnées"] == "43"


def test_funder_generates_the_2021_pdf_with_the_dashboard_figures(
    page, live_server, login_with_code, funder_user, assert_no_serious_axe_violations
):
    login_with_code(funder_user)
    # The dashboard of the funded deployment, 2021: the figures the PDF must carry.
    page.goto(f"{live_server.url}/rapports/CVG/territoire/nantes-metropole/?periode=2021")
    dashboard = _kpis(page)
    assert dashboard["Personnes accompagnées"] == "43"
    assert_no_serious_axe_violations(page, "funder dashboard")

    page.goto(f"{live_server.url}/rapports/")
    page.get_by_role("region", name="Rapports financeurs (PDF)").get_by_role(
        "link", name="Convergence – Nantes Métropole"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapports financeurs")
    expect(page.get_by_text("Aucun rapport pour l'instant.")).to_be_visible()
    assert_no_serious_axe_violations(page, "funder reports page")
    page.get_by_label("Période du rapport").select_option("2021")
    page.get_by_role("button", name="Figer les chiffres et produire le PDF").click()

    # The report page shows the generation's progress, then the download.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rapport financeur – Convergence × Nantes Métropole, année 2021"
    )
    status = page.locator("#snapshot-status")
    expect(status).to_contain_text("Prêt")
    expect(status.locator("progress")).to_have_attribute("value", "100")
    assert_no_serious_axe_violations(page, "report status page")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    download = info.value
    assert download.suggested_filename == "rapport-CVG-nantes-metropole-2021.pdf"
    reader = PdfReader(download.path())
    text = _normalise("\n".join(p.extract_text() for p in reader.pages))
    for label, value in dashboard.items():
        assert f"{label} {_normalise(value)}" in text, (label, value)
    for name in ("Océan", "Trajet", "Paris Chantiers"):
        assert name in text
    for name in PERSON_NAMES:
        assert name not in text

    # The reports page now lists it.
    page.get_by_role("link", name="Rapports financeurs").click()
    expect(page.locator("tbody tr").first).to_contain_text("Année 2021")
    expect(page.locator("tbody tr").first).to_contain_text("Prêt")
    assert dt.date.today().strftime("%d/%m/%Y") in page.locator("tbody").inner_text()
