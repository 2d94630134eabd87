"""The dataset's shape: its window, its scales, and the proportions it draws from (the
published figures of docs/quality.md §1)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from participants import models as pm

# The dataset's window: five years ending on a fixed date (reproducibility beats "today").
WINDOW_START = dt.date(2021, 7, 5)  # a Monday
AS_OF = dt.date(2026, 6, 28)  # a Sunday: the last full week of the window
BENCH_EMAIL_DOMAIN = "bench.sillon.invalid"
# Synthetic geography codes start with "Z": no INSEE or SIREN code does.
GEO_PREFIX = "Z"


@dataclass(frozen=True)
class Scale:
    """Sizes of one dataset; territories = regions + départements (each a territory)."""

    name: str
    departements_per_region: tuple[int, ...]
    epcis_per_departement: int
    communes_per_epci: int
    structures: int
    participants: int
    parcours: int
    actions: int
    worked_hours: int

    @property
    def territories(self) -> int:
        return len(self.departements_per_region) + sum(self.departements_per_region)


SCALES: dict[str, Scale] = {
    "small": Scale("small", (3,), 2, 3, 12, 300, 450, 6_000, 10_000),
    "regional": Scale("regional", (9,), 4, 8, 400, 30_000, 45_000, 600_000, 1_000_000),
    # 13 régions, 87 départements: 100 territories.
    "national": Scale(
        "national", (7,) * 9 + (6,) * 4, 4, 10, 4_000, 300_000, 450_000, 6_000_000, 10_000_000
    ),
}

# Shares of first parcours by programme, when the structure runs it. Convergence and Premières
# Heures are over-represented compared with the real sector so their dashboards have volume.
FIRST_PROGRAMME_WEIGHTS = {"IAE": 60, "CVG": 25, "PHC": 20, "DPH": 8}
# Accompaniment is reinforced in Convergence (+15% of means, more contacts) and in the sas.
ACTION_INTENSITY = {"IAE": 1.0, "CVG": 1.8, "PHC": 1.4, "DPH": 1.4}
# Mean parcours length in days (gamma with shape 2 or 2.5), then clamped to the rules.
DURATION = {
    "CVG": (3.0, 290.0, 30, 1826),  # about 2 years once censored by the window; ≤ 60 months
    "PHC": (2.0, 105.0, 14, 540),  # mean about 7 months, most under 12
    "DPH": (2.0, 105.0, 14, 540),
    "IAE": (2.0, 130.0, 14, 1400),
}
# Detailed exit situations (weights). CVG: 42.3 dynamic out of 90 non-neutralised = 47%.
EXIT_WEIGHTS: dict[str, dict[str, float]] = {
    "CVG": {
        "CDI": 5,
        "CDD_6M_PLUS": 6,
        "INTERIM_6M_PLUS": 2,
        "FONCTION_PUBLIQUE": 0.5,
        "CREATION_ENTREPRISE": 0.5,
        "CDD_MOINS_6M": 8,
        "INTERIM_MOINS_6M": 4,
        "CONTRAT_AIDE": 3,
        "FORMATION": 9,
        "AUTRE_SIAE": 4.3,
        "CHOMAGE": 20,
        "INACTIVITE": 8,
        "SANS_NOUVELLES": 12,
        "ABANDON": 7.7,
        "RETRAITE": 2,
        "DECES": 1.5,
        "SOIN": 4,
        "DEMENAGEMENT": 1.5,
        "INCARCERATION": 1,
    },
    # 60% continue (CDDI, Convergence, another SIAE).
    "PHC": {
        "SUITE_CDDI": 35,
        "SUITE_CVG": 20,
        "AUTRE_SIAE": 5,
        "FORMATION": 3,
        "CDD_MOINS_6M": 3,
        "CHOMAGE": 6,
        "SANS_NOUVELLES": 10,
        "ABANDON": 10,
        "SOIN": 5,
        "INCARCERATION": 2,
        "DECES": 1,
    },
    "DPH": {
        "SUITE_CDDI": 30,
        "SUITE_CVG": 10,
        "AUTRE_SIAE": 15,
        "FORMATION": 3,
        "CHOMAGE": 5,
        "SANS_NOUVELLES": 15,
        "ABANDON": 15,
        "SOIN": 5,
        "INCARCERATION": 2,
    },
    "IAE": {
        "CDI": 10,
        "CDD_6M_PLUS": 8,
        "INTERIM_6M_PLUS": 4,
        "FONCTION_PUBLIQUE": 1,
        "CREATION_ENTREPRISE": 1,
        "CDD_MOINS_6M": 10,
        "INTERIM_MOINS_6M": 6,
        "CONTRAT_AIDE": 4,
        "FORMATION": 10,
        "AUTRE_SIAE": 4,
        "CHOMAGE": 22,
        "INACTIVITE": 6,
        "SANS_NOUVELLES": 5,
        "ABANDON": 4,
        "RETRAITE": 2,
        "SOIN": 2,
        "DEMENAGEMENT": 1,
    },
}
STREET_HOUSING = {
    "RUE": 25,
    "HU_NUIT": 12,
    "CHU": 15,
    "HOTEL": 10,
    "CHRS": 10,
    "TIERS": 10,
    "SQUAT": 6,
    "INSTITUTION": 2,
    "DNA": 2,
    "LOG_ACCOMPAGNE": 6,
    "LOG_AUTONOME": 2,
}
ENTRY_HOUSING = {
    "CVG": STREET_HOUSING,
    "PHC": STREET_HOUSING,
    "DPH": STREET_HOUSING,
    "IAE": {
        "LOG_AUTONOME": 50,
        "TIERS": 15,
        "LOG_ACCOMPAGNE": 10,
        "CHRS": 6,
        "CHU": 4,
        "HOTEL": 3,
        "RUE": 3,
        "DNA": 3,
        "SQUAT": 1,
        "HU_NUIT": 1,
        "INCONNU": 4,
    },
}
# Share of people without housing at entry who have it at exit (Convergence: 35%).
HOUSING_ACCESS = {"CVG": 0.35, "PHC": 0.15, "DPH": 0.15, "IAE": 0.30}
STRUCTURE_KINDS = {"ACI": 55, "AI": 20, "EI": 14, "ETTI": 8, "EITI": 1, "GEIQ": 1, "OTHER": 1}
# Share of weeks with recorded hours: associations intermédiaires and temporary-work
# structures place people intermittently.
HOURS_COVERAGE = {"AI": 0.45, "ETTI": 0.5, "GEIQ": 0.8}
ACTIVITIES = [
    "Espaces verts",
    "Maraîchage",
    "Restauration",
    "Bâtiment second œuvre",
    "Recyclerie",
    "Entretien de locaux",
    "Blanchisserie",
    "Menuiserie",
    "Logistique",
    "Couture",
]
ORIENTEURS = [
    "Maraude",
    "SIAO",
    "CCAS",
    "Service social départemental",
    "France Travail",
    "Mission locale",
    "Accueil de jour",
    "CHRS",
]
PARTNERS = ["", "", "", "CCAS", "CMP", "SIAO", "France Travail", "CPAM", "Bailleur social"]
NOTES = [
    "Point d'étape sur le projet professionnel.",
    "Rendez-vous pris pour l'ouverture des droits.",
    "Accompagnement physique au rendez-vous.",
    "Échange avec le référent social.",
    "Préparation d'un entretien d'embauche.",
    "Point sur la situation de logement.",
    "",
    "",
]
ACTION_KINDS = {
    "ENTRETIEN_INDIVIDUEL": 50,
    "ACCOMPAGNEMENT_PROXIMITE": 12,
    "ACCOMPAGNEMENT_CONCERTE": 12,
    "MOBILISATION_PARTENAIRE": 10,
    "SYNTHESE": 6,
    "AUTRE": 10,
}
ACTION_THEMES = {
    "EMPLOI": 30,
    "LOGEMENT": 18,
    "SANTE": 12,
    "DROITS": 14,
    "FORMATION": 8,
    "MOBILITE": 6,
    "JUSTICE": 3,
    "BUDGET": 5,
    "AUTRE": 4,
}
BARRIER_FIELDS = [f.name for f in pm.SituationSnapshot._meta.concrete_fields]
BARRIER_FIELDS = [name for name in BARRIER_FIELDS if name.startswith("barrier_")]


class Picker:
    """Weighted choice over a fixed mapping, with precomputed cumulative weights."""

    def __init__(self, weights: dict[str, float]):
        self.values = list(weights)
        total = 0.0
        self.cum = []
        for value in self.values:
            total += weights[value]
            self.cum.append(total)

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]


# Referrals (orientations): the share of the parcours that started after a partner's
# referral, by programme (a continuation from another parcours is not one), the partners
# who refer, and the days from the referral to the entry. The people referred in the last
# weeks who have not started (ORIENTE) or will not (NON_ENTRE) are referred on their
# parcours' start date, as the orientation form records them.
REFERRED_SHARE = {"CVG": 0.8, "PHC": 0.85, "DPH": 0.6, "IAE": 0.45}
REFERRAL_SOURCES = {
    "CVG": {"MARAUDE": 25, "SIAO": 30, "SPIP": 8, "CCAS": 20, "FRANCE_TRAVAIL": 5, "AUTRE": 12},
    "PHC": {"MARAUDE": 40, "SIAO": 28, "SPIP": 6, "CCAS": 16, "FRANCE_TRAVAIL": 2, "AUTRE": 8},
    "DPH": {"MARAUDE": 20, "SIAO": 20, "CCAS": 30, "FRANCE_TRAVAIL": 10, "AUTRE": 20},
    "IAE": {"FRANCE_TRAVAIL": 55, "CCAS": 14, "SPIP": 9, "SIAO": 5, "MARAUDE": 2, "AUTRE": 15},
}
REFERRAL_DELAY_DAYS = (3, 75)
NON_ENTRY_REASONS = {
    "INJOIGNABLE": 40,
    "REFUS": 20,
    "INADAPTEE": 15,
    "SANTE": 10,
    "AUTRE_SOLUTION": 15,
}
# Follow-up checks after exit (the programmes with a follow-up: Convergence): most are done
# within a month of their due date; the last weeks' are still open ("Aujourd'hui"), and a
# few older ones were never recorded. Reached people: the situation drawn like an exit's.
FOLLOWUP_DONE = 0.85
FOLLOWUP_DONE_RECENT = 0.35  # due in the last 30 days
FOLLOWUP_REACHED = 0.72
FOLLOWUP_HOUSING_KEPT = 0.85
