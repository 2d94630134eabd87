"""The programmes' rule parameters as the national texts set them (domain reference §5): the one
copy every loader uses — the demo, the national dataset and the tests' factories. A real
deployment loads them the same way (`programmes_ensure`); afterwards they are data, edited in
the admin, never read from here again.
"""

from decimal import Decimal

from .models import Programme

PROGRAMMES = {
    "CVG": {
        "label": "Convergence",
        "max_months": 60,
        "base_months": 24,
        "warn_months": None,
        "min_weekly_hours": Decimal(20),
        "max_weekly_hours": Decimal(35),
        "derogation_min_weekly_hours": Decimal(1),
        "followup_months": 12,
        "followup_check_months": [3, 6, 12],
        "has_hours_stages": False,
        "tracks_housing": True,
        "tracks_continuations": False,
        "open_to_every_structure": True,
    },
    "PHC": {
        "label": "Premières Heures en Chantier",
        "max_months": None,
        "base_months": None,
        "warn_months": 12,
        "min_weekly_hours": Decimal(4),
        "max_weekly_hours": Decimal(20),
        "derogation_min_weekly_hours": None,
        "followup_months": 0,
        "has_hours_stages": True,
        "tracks_housing": False,
        "tracks_continuations": True,
        "open_to_every_structure": True,
    },
    "DPH": {
        "label": "Dispositif Premières Heures",
        "max_months": None,
        "base_months": None,
        "warn_months": 12,
        "min_weekly_hours": Decimal(1),
        "max_weekly_hours": Decimal(16),
        "derogation_min_weekly_hours": None,
        "followup_months": 0,
        "has_hours_stages": True,
        "tracks_housing": False,
        "tracks_continuations": False,
        "open_to_every_structure": True,
    },
    "IAE": {
        "label": "IAE droit commun",
        "max_months": 60,
        "base_months": 24,
        "warn_months": None,
        "min_weekly_hours": Decimal(20),
        "max_weekly_hours": Decimal(35),
        "derogation_min_weekly_hours": Decimal(1),
        "followup_months": 0,
        "has_hours_stages": False,
        "tracks_housing": False,
        "tracks_continuations": False,
        "open_to_every_structure": True,
    },
}


def programmes_ensure(codes: list[str] | None = None) -> dict[str, Programme]:
    """The programmes of `codes` (all by default), created with these parameters when missing;
    an existing row is left as it is (its parameters may have been edited since)."""
    return {
        code: Programme.objects.get_or_create(code=code, defaults=PROGRAMMES[code])[0]
        for code in (codes or list(PROGRAMMES))
    }
