"""The URL fetcher of every PDF Sillon renders with WeasyPrint.

Serves the print stylesheet and the fonts from `static/` under a private scheme, and the
document's own charts (SVG made in memory for this document) under another, and refuses
every other URL (file://, http(s)://, data: included), so a document can neither leak a
request nor read the disk.
"""

import logging
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

SCHEME = "sillon-static:"
# A chart drawn for the document being rendered: an SVG <img> is parsed by the XML parser
# and stays out of the HTML cascade (docs/performance.md, the PDF profile).
CHART_SCHEME = "sillon-chart:"
ALLOWED_SUFFIXES = {".css": "text/css", ".ttf": "font/ttf"}


class RefusedURL(FatalURLFetchingError):
    """A report tried to fetch something other than our own stylesheet and fonts."""


class StaticOnlyFetcher(URLFetcher):
    """Serves `sillon-static:<path>` from the project's static folder and
    `sillon-chart:<name>` from `charts` (SVG markup by name); refuses the rest."""

    def __init__(self, root: Path | None = None, charts: Mapping[str, str] | None = None):
        super().__init__(allowed_protocols=[], fail_on_errors=True)
        self.root = (root or Path(settings.BASE_DIR) / "static").resolve()
        self.charts = dict(charts or {})

    def fetch(self, url, headers=None):
        if url.startswith(CHART_SCHEME):
            name = url[len(CHART_SCHEME) :]
            if name not in self.charts:
                raise RefusedURL("unknown chart")
            return URLFetcherResponse(
                url, self.charts[name].encode(), {"Content-Type": "image/svg+xml"}
            )
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
