"""Reference codes of programmes and targets, with French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeCode(models.TextChoices):
    CVG = "CVG", _("Convergence")
    PHC = "PHC", _("Premières Heures en Chantier")
    DPH = "DPH", _("Dispositif Premières Heures")
    IAE = "IAE", _("IAE droit commun")
    OTHER = "OTHER", _("Autre programme")


class TargetMetric(models.TextChoices):
    """Indicators a target can be set on; the values are the indicator keys of domain.md §6."""

    ACCOMPANIED = "accompanied", _("Personnes accompagnées")
    ACTIVE_AT_END = "active_at_end", _("File active en fin de période")
    ENTRIES = "entries", _("Entrées (parcours commencés)")
    EXITS = "exits", _("Sorties")
    HOURS_WORKED = "hours_worked", _("Heures travaillées")
