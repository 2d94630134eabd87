"""The URL fetcher of every PDF Sillon renders with WeasyPrint.

Serves the print stylesheet and the fonts from `static/` under a private scheme and refuses
every other URL (file://, http(s)://, data: included), so a document can neither leak a
request nor read the disk.
"""

import logging
from pathlib import Path

from django.conf import settings
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

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
