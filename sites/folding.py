"""Names folded for search, as people type them."""

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case, no accent, every run of non-alphanumerics one space: "Saint-Herblain",
    "saint herblain" and "SAINT HERBLAIN" fold alike; "L'Île-d'Yeu" to "l ile d yeu"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", " ", plain.lower()).strip()
