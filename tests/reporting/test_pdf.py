"""Funder PDF: frozen figures, background rendering with progress, the dashboard's figures
in the text, no person, reproducible bytes, a fetcher that reaches nothing outside."""

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reporting import charts, pdf, periods, presentation, rendering, services
from reporting.models import ReportSnapshot, ReportStatus
from reporting.pdf import report_html
from tests import factories as f
from web.pdf import RefusedURL, StaticOnlyFetcher

from .scenario import add_bulk

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " "))


@pytest.fixture
def snapshot(client, funder, world):
    add_bulk(world)
    client.force_login(funder)
    response = client.post(
        reverse("reporting:deployment_reports", args=[world.deployment.pk]), {"periode": "2021"}
    )
    assert response.status_code == 302
    return ReportSnapshot.objects.get()


def test_generation_freezes_figures_and_renders_in_the_background(client, snapshot, world):
    assert snapshot.status == ReportStatus.DONE
    assert snapshot.progress == 100
    assert snapshot.figures_sha256 == services.figures_sha256(snapshot.figures)
    page = client.get(reverse("reporting:snapshot_detail", args=[snapshot.uuid]))
    assert page.status_code == 200
    assert reverse("reporting:snapshot_download", args=[snapshot.uuid]) in page.content.decode()
    partial = client.get(
        reverse("reporting:snapshot_detail", args=[snapshot.uuid]), HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode()
    assert 'id="snapshot-status"' in partial.content.decode()


def test_pdf_holds_the_dashboard_figures_and_no_person(client, snapshot, world):
    response = client.get(reverse("reporting:snapshot_download", args=[snapshot.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pdf = response.content
    if os.environ.get("SILLON_KEEP_PDF"):
        Path(os.environ["SILLON_KEEP_PDF"]).write_bytes(pdf)
    text = _normalise(_text(pdf))
    # The same scope and period on the dashboard (the funder's view).
    dashboard = client.get(
        reverse("reporting:territory", args=["CVG", "nantes-metropole"]) + "?periode=2021"
    )
    figures = dashboard.context["figures"]
    for item in figures["headline"]:
        assert f"{item['label']} {_normalise(item['value'])}" in text, item
    for row in figures["rows"]:
        assert row["name"] in text
    assert snapshot.figures_sha256 in text.replace(" ", "")
    assert "Définitions" in text and "Persons accompanied" in text
    assert re.search(r"page 1 / \d", text)
    # No person: no participant name, no birth date.
    for name in ("ALPHA", "BRAVO", "CHARLIE", "Golden", "OPEN1", "17/05/1980", "1980"):
        assert name not in text
    assert "< 11" in text  # small counts are suppressed, not printed


def test_no_page_is_a_lone_title_or_legend(client, funder, world):
    """With twenty structures, the structures' section once left its title alone on a page
    and its legend on another: every page holds a table, a chart or text, besides its
    footer."""
    for i in range(20):
        structure = f.StructureFactory(commune=world.s1.commune, name=f"Atelier {i:02}")
        f.ParcoursFactory(participant=f.ParticipantFactory(structure=structure))
        world.deployment.structures.add(structure)  # when it lists any, the report keeps to them
    client.force_login(funder)
    client.post(
        reverse("reporting:deployment_reports", args=[world.deployment.pk]), {"periode": "2021"}
    )
    pdf = bytes(ReportSnapshot.objects.get().pdf)
    assert "Atelier 19" in _text(pdf)
    title = "Détail par structure"
    legend = (
        "« < 11 » : effectif de 1 à 10 ; « s » : case masquée pour protéger un petit effectif, "
        "ou chiffre du territoire qui regroupe moins de 3 structures ou dont une seule fait "
        "plus de 85 % ; « – » : non défini."
    )
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        # Whitespace collapsed, the footer, the title and the whole legend taken out:
        # something must be left, however the legend wraps.
        text = " ".join(page.extract_text().split())
        text = re.sub(r"Sillon · .*? page \d+ / \d+", "", text)
        left = text.replace(title, "").replace(legend, "").strip()
        assert left, (number, text)


def test_same_snapshot_renders_identical_bytes(snapshot):
    first = bytes(snapshot.pdf)
    again = services.report_snapshot_render(snapshot_id=snapshot.pk)
    assert bytes(again.pdf) == first
    assert again.pdf_sha256 == snapshot.pdf_sha256


def _font_names(pdf: bytes) -> set[str]:
    """The base names of every font the PDF embeds, subset prefix (ABCDEF+) removed."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
        for xobject in page["/Resources"].get("/XObject", {}).values():
            for font in xobject.get_object().get("/Resources", {}).get("/Font", {}).values():
                names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_the_charts_text_is_in_the_documents_embedded_font(snapshot):
    """The charts' text is written in the document's own font (static/fonts), not the
    page's font stack: no font of the machine reaches the PDF, whose bytes depend on it."""
    names = _font_names(bytes(snapshot.pdf))
    assert names and all(name.startswith("Sillon-Sans") for name in names), names
    with charts.drawn_in(pdf.PDF_FONT):
        assert 'font-family="Sillon Sans"' in presentation.charts_for(snapshot.figures)["monthly"]
    # The dashboard page keeps the web's font stack.
    assert 'font-family="DejaVu Sans' in presentation.charts_for(snapshot.figures)["monthly"]


def test_tampered_figures_fail_the_render(snapshot):
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        figures={**snapshot.figures, "suppressed": False}
    )
    with pytest.raises(ValueError):
        services.report_snapshot_render(snapshot_id=snapshot.pk)
    assert ReportSnapshot.objects.get(pk=snapshot.pk).status == ReportStatus.FAILED


def test_snapshot_is_404_outside_the_funders_deployments(client, snapshot, caseworker_trajet):
    client.force_login(caseworker_trajet)
    assert client.get(reverse("reporting:snapshot_detail", args=[snapshot.uuid])).status_code == 404
    assert (
        client.get(reverse("reporting:snapshot_download", args=[snapshot.uuid])).status_code == 404
    )


def test_other_funder_cannot_generate(client, world):
    from sites.enums import Role
    from tests import factories as f

    stranger = f.MembershipFactory(role=Role.FUNDER, structure=None, funder=f.FunderFactory()).user
    client.force_login(stranger)
    url = reverse("reporting:deployment_reports", args=[world.deployment.pk])
    assert client.post(url, {"periode": "2021"}).status_code == 404
    assert ReportSnapshot.objects.count() == 0


def test_fetcher_serves_static_only():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch("sillon-static:css/print.css")
    assert b"@page" in response.read()
    for url in (
        "file:///etc/passwd",
        "http://example.org/x.css",
        "https://example.org/font.ttf",
        "data:text/css,body{}",
        "sillon-static:../config/settings/base.py",
        "sillon-static:js/sillon.js",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_fetcher_serves_the_documents_own_charts_only():
    fetcher = StaticOnlyFetcher(charts={"monthly": "<svg/>"})
    response = fetcher.fetch("sillon-chart:monthly")
    assert response.read() == b"<svg/>"
    assert response.content_type == "image/svg+xml"
    for url in ("sillon-chart:gauge", "sillon-chart:../css/print.css", "sillon-chart:"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch("sillon-chart:monthly")


def test_charts_are_images_named_by_the_document(snapshot):
    """The PDF draws the dashboard's SVG charts as images: none inline (WeasyPrint would run
    their elements through the HTML cascade), each one named and given its title as text."""
    html = report_html(figures=snapshot.figures, meta=rendering.snapshot_meta(snapshot))
    assert "<svg" not in html
    for name in ("gauge", "monthly", "categories"):
        assert f'<img class="chart" src="sillon-chart:{name}" alt="' in html


def test_services_create_for_a_free_period(platform_admin, funder, world):
    from sites.tenancy import scope_for_user

    snap = services.report_snapshot_create(
        scope=scope_for_user(platform_admin),
        deployment_id=world.deployment.pk,
        period=periods.semester(2021, 1),
        user=platform_admin,
    )
    assert snap.period_code == "2021-S1"
    assert snap.figures["period"]["start"] == "2021-04-01"
    # A funder freezes calendar years only (docs/security.md §10).
    with pytest.raises(ValueError, match="années civiles terminées"):
        services.report_snapshot_create(
            scope=scope_for_user(funder),
            deployment_id=world.deployment.pk,
            period=periods.semester(2021, 1),
            user=funder,
        )


def test_a_report_frozen_in_english_is_written_and_declared_in_english(client, funder, world):
    add_bulk(world)
    # A target for the year (the world's own is over 01/03–31/12/2021, not the year's).
    world.deployment.targets.create(
        metric="accompanied",
        value=120,
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    client.force_login(funder)
    client.post(
        reverse("reporting:deployment_reports", args=[world.deployment.pk]),
        {"periode": "2021"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.figures["language"] == "en"
    meta = rendering.snapshot_meta(snapshot)
    html = report_html(figures=snapshot.figures, meta=meta)
    assert '<html lang="en">' in html
    body = _normalise(_text(bytes(snapshot.pdf))).split("Definitions")[0]
    assert "People supported" in body and "Personnes accompagnées" not in body
    # English decimal points in the figures (no French decimal comma).
    assert re.search(r"\d\.\d ?%", body) and not re.search(r"\d,\d ?%", body)
    # 65 / 120 = 54.17 % → 54.2%.
    assert "54.2%" in body


def test_a_report_frozen_before_documents_had_a_language_stays_french(snapshot):
    figures = dict(snapshot.figures)
    figures.pop("language")
    assert '<html lang="fr">' in report_html(
        figures=figures, meta=rendering.snapshot_meta(snapshot)
    )
