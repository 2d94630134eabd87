"""The columns of an import file and their English / French header aliases.

Header cells are normalised before lookup (case, accents, spaces, hyphens), so "Date d'entrée",
"date_entree" and "DATE ENTREE" all name the same column.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    """One column: its canonical (English) key, accepted aliases and French label."""

    key: str
    aliases: tuple[str, ...]
    label: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id", ("identifiant", "id_externe", "identifiant_externe"), _("identifiant"), True
    ),
    Column("last_name", ("nom",), _("nom"), True),
    Column("first_name", ("prenom",), _("prénom"), True),
    Column("birth_date", ("date_naissance", "date_de_naissance"), _("date de naissance")),
    Column("sex", ("sexe",), _("sexe")),
    Column("programme", ("program", "dispositif"), _("programme"), True),
    Column("work_site", ("site", "lieu", "lieu_activite", "chantier"), _("lieu d'activité")),
    Column("start_date", ("date_entree", "date_d_entree"), _("date d'entrée"), True),
    Column("end_date", ("date_sortie", "date_de_sortie"), _("date de sortie")),
    Column("exit_situation", ("situation_sortie", "situation_de_sortie"), _("situation de sortie")),
    Column("weekly_hours", ("heures_hebdo", "heures_hebdomadaires"), _("heures hebdo"), True),
    Column(
        "housing_at_entry", ("logement_entree", "logement_a_l_entree"), _("logement à l'entrée")
    ),
    Column(
        "housing_at_exit", ("logement_sortie", "logement_a_la_sortie"), _("logement à la sortie")
    ),
    # Not in the minimal format: Convergence parcours beyond 24 months need a reason, as in
    # the form, so historical files can carry it.
    Column(
        "prolongation_reason",
        ("motif_prolongation", "motif_de_prolongation"),
        _("motif de prolongation"),
    ),
)

COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = tuple(column.key for column in COLUMNS if column.required)


def normalise_header(text: str) -> str:
    """Lower case, no accents, words joined by underscores: "Date d'entrée" → "date_d_entree"."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.key, *column.aliases):
            table[normalise_header(name)] = column.key
    return table


HEADER_LOOKUP = _lookup()


def column_for_header(text: str) -> str | None:
    """The canonical key a header cell names, or None when it names no known column."""
    return HEADER_LOOKUP.get(normalise_header(text))
