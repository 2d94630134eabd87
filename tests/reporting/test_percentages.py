"""One way of printing a percentage everywhere (reporting.formats.Numbers.rate): one
decimal, rounded half away from zero, on the page, in the gauge, the trajectory, the
national view, the CSV/XLSX exports and the funder PDF.

The golden world with its bulk parcours has 65 persons accompanied in Nantes Métropole in
2021 (tests/reporting/scenario.py); with a target of 80 for the year, the attainment is
65 / 80 = 81.25 % exactly: « 81,3 % » (half up; half to even would print 81,2 %, and the
gauge once printed « 81 % »).
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.models import ReportSnapshot

from .scenario import add_bulk

pytestmark = pytest.mark.django_db

FR = "81,3\u202f%"
EN = "81.3%"


@pytest.fixture
def year_target(world):
    add_bulk(world)
    world.deployment.targets.create(
        metric="accompanied",
        value=80,
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )


def _dashboard(client, user, export="", **headers):
    client.force_login(user)
    if export:
        url = reverse("reporting:territory_export", args=["CVG", "nantes-metropole", export])
    else:
        url = reverse("reporting:territory", args=["CVG", "nantes-metropole"])
    return client.get(f"{url}?periode=2021", **headers)


def _percentages(text: str) -> set[str]:
    """Every percentage printed in `text` (French or English)."""
    return set(re.findall(r"\d+(?:[,.]\d+)?\u202f?%", text))


def test_the_page_the_gauge_and_the_trajectory_print_one_figure(client, coordinator, year_target):
    response = _dashboard(client, coordinator)
    figures = response.context["figures"]
    assert figures["target"]["achieved"] == "65" and figures["target"]["attainment"] == FR
    assert figures["trajectory"]["attainment"] == FR
    gauge = str(response.context["charts"]["gauge"])
    assert f"{FR} de l" in gauge and "/ 80" in gauge
    page = response.content.decode()
    assert f"atteint à {FR}" in page and f"soit {FR} de l" in page
    # No other rounding of the same figure anywhere on the page.
    assert not _percentages(page) & {"81\u202f%", "81,2\u202f%", "81,25\u202f%"}


def test_english_pages_print_it_the_english_way(client, coordinator, year_target):
    response = _dashboard(client, coordinator, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["figures"]["target"]["attainment"] == EN
    assert f"{EN} of the" in str(response.context["charts"]["gauge"])


def test_csv_and_xlsx_carry_the_page_figure(client, coordinator, year_target):
    body = _dashboard(client, coordinator, "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert ["Taux d'atteinte", FR] in rows
    book = load_workbook(io.BytesIO(_dashboard(client, coordinator, "xlsx").content))
    cells = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert ["Taux d'atteinte", FR] in cells


def test_the_national_view_prints_it_the_same_way(client, coordinator, year_target):
    client.force_login(coordinator)
    response = client.get(reverse("reporting:national", args=["CVG"]), {"periode": "2021"})
    [row] = response.context["figures"]["targets"]
    assert row["attainment_text"] == FR
    assert FR in response.content.decode()


def test_the_funder_pdf_prints_it_the_same_way(client, funder, year_target, world):
    client.force_login(funder)
    client.post(
        reverse("reporting:deployment_reports", args=[world.deployment.pk]), {"periode": "2021"}
    )
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.figures["target"]["attainment"] == FR
    reader = PdfReader(io.BytesIO(bytes(snapshot.pdf)))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\u202f", " ")
    printed = _percentages(text.replace("81,3 %", "81,3\u202f%"))
    assert "81,3\u202f%" in printed
    assert text.count("81,3 %") >= 3  # the gauge, the targets' table, the trajectory
    assert not re.search(r"(?<![\d,])81 %", text)
