"""docs/indicators.md states each definition exactly as the funder PDF prints it."""

from pathlib import Path

from django.conf import settings

from reporting.definitions import (
    DEFINITIONS,
    GENERAL_EN,
    GENERAL_FR,
    SUPPRESSION_EN,
    SUPPRESSION_FR,
)
from reporting.indicators import KEYS


def test_docs_carry_the_pdf_definitions():
    text = (Path(settings.BASE_DIR) / "docs" / "indicators.md").read_text()
    for sentence in (GENERAL_FR, GENERAL_EN, SUPPRESSION_FR, SUPPRESSION_EN):
        assert sentence in text
    for d in DEFINITIONS:
        assert d.fr in text and d.en in text, d.key
    documented = {d.key for d in DEFINITIONS}
    assert set(KEYS) - {"target"} <= documented
