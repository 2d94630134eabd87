"""Funder PDF rendering with WeasyPrint, from a frozen published document only.

The HTML reaches nothing outside the project: `web.pdf.StaticOnlyFetcher` serves the print
stylesheet and the fonts from `static/`, the document's charts from memory, and refuses every
other URL. The charts are the dashboard's SVG, drawn as images (`<img>`): WeasyPrint parses
them with the XML parser and keeps their 230-odd elements out of the HTML cascade
(docs/performance.md, the PDF profile). Their text is in the document's embedded font
(`PDF_FONT`, static/css/print.css), not the page's font stack, so no font installed on the
machine reaches the PDF.
"""

from django.template.loader import render_to_string
from weasyprint import HTML

from web.pdf import CHART_SCHEME, SCHEME, StaticOnlyFetcher

from . import charts as chart_drawing
from .definitions import DEFINITIONS, GENERAL_EN, GENERAL_FR, SUPPRESSION_EN, SUPPRESSION_FR
from .languages import document_language
from .presentation import charts_for, column_groups

# The family of static/css/print.css's @font-face rules.
PDF_FONT = "Sillon Sans"


def report_html(*, figures: dict, meta: dict, charts: dict[str, str] | None = None) -> str:
    """The report's HTML: `figures` is the published document, `meta` the snapshot's
    identity (deployment label, funders, creation date, SHA-256); `charts` the SVG of its
    charts by name (`charts_for`), which the HTML names by URL."""
    charts = charts_for(figures) if charts is None else charts
    return render_to_string(
        "reporting/pdf/report.html",
        {
            "figures": figures,
            "meta": meta,
            "charts": {name: f"{CHART_SCHEME}{name}" for name in charts},
            "groups": column_groups(figures),
            "definitions": DEFINITIONS,
            "general_fr": GENERAL_FR,
            "general_en": GENERAL_EN,
            "suppression_fr": SUPPRESSION_FR,
            "suppression_en": SUPPRESSION_EN,
            "static_prefix": SCHEME,
            "language": document_language(figures),
        },
    )


def render_pdf(*, figures: dict, meta: dict) -> bytes:
    """PDF bytes; the same inputs always give the same bytes (no clock, fixed identifier)."""
    with chart_drawing.drawn_in(PDF_FONT):
        charts = charts_for(figures)
    html = HTML(
        string=report_html(figures=figures, meta=meta, charts=charts),
        url_fetcher=StaticOnlyFetcher(charts=charts),
    )
    return html.write_pdf(pdf_identifier=meta["sha256"][:32].encode(), uncompressed_pdf=False)
