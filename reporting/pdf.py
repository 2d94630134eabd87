"""Funder PDF rendering with WeasyPrint, from a frozen published document only.

The HTML reaches nothing outside the project: the URL fetcher serves the print stylesheet
and the fonts from `static/` under a private scheme and refuses every other URL (file://,
http(s)://, data: included), so a report can neither leak a request nor read the disk.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .definitions import DEFINITIONS, GENERAL_EN, GENERAL_FR, SUPPRESSION_EN, SUPPRESSION_FR
from .presentation import charts_for, column_groups

logger = logging.getLogger(__name__)

SCHEME = "sillon-static:"
ALLOWED_SUFFIXES = {".css": "text/css", ".ttf": "font/ttf"}


class RefusedURL(FatalURLFetchingError):
    """A report tried to fetch something other than our own stylesheet and fonts."""


class StaticOnlyFetcher(URLFetcher):
    """Serves `sillon-static:<path>` from the project's static folder; refuses the rest."""

    def __init__(self, root: Path | None = None):
        super().__init__(allowed_protocols=[], fail_on_errors=True)
        self.root = (root or Path(settings.BASE_DIR) / "static").resolve()

    def fetch(self, url, headers=None):
        if not url.startswith(SCHEME):
            logger.warning("pdf.refused_url", extra={"scheme": url.split(":", 1)[0]})
            raise RefusedURL(f"refused URL scheme: {url.split(':', 1)[0]}")
        relative = url[len(SCHEME) :].lstrip("/")
        path = (self.root / relative).resolve()
        if self.root not in path.parents or path.suffix not in ALLOWED_SUFFIXES:
            raise RefusedURL("refused static path")
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": ALLOWED_SUFFIXES[path.suffix]}
        )


def report_html(*, figures: dict, meta: dict) -> str:
    """The report's HTML: `figures` is the published document, `meta` the snapshot's
    identity (deployment label, funders, creation date, SHA-256)."""
    return render_to_string(
        "reporting/pdf/report.html",
        {
            "figures": figures,
            "meta": meta,
            "charts": charts_for(figures),
            "groups": column_groups(figures),
            "definitions": DEFINITIONS,
            "general_fr": GENERAL_FR,
            "general_en": GENERAL_EN,
            "suppression_fr": SUPPRESSION_FR,
            "suppression_en": SUPPRESSION_EN,
            "static_prefix": SCHEME,
        },
    )


def render_pdf(*, figures: dict, meta: dict) -> bytes:
    """PDF bytes; the same inputs always give the same bytes (no clock, fixed identifier)."""
    html = HTML(string=report_html(figures=figures, meta=meta), url_fetcher=StaticOnlyFetcher())
    return html.write_pdf(pdf_identifier=meta["sha256"][:32].encode(), uncompressed_pdf=False)
