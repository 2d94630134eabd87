"""Weekly hours: the paliers of a parcours and the hours worked each week."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sites.models import WorkSite

from .base import StructureOwned, history
from .parcours import Parcours


@history()
class HoursStage(StructureOwned):
    """A palier of weekly hours of a Premières Heures parcours, from a date."""

    parcours = models.ForeignKey(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="stages"
    )
    start_date = models.DateField(_("à partir du"))
    weekly_hours = models.DecimalField(_("heures hebdomadaires"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("palier d'heures")
        verbose_name_plural = _("paliers d'heures")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "parcours", "start_date"], name="hoursstage_uniq"
            ),
            models.CheckConstraint(
                name="hoursstage_hours_positive", condition=Q(weekly_hours__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekly_hours} h/sem. dès le {self.start_date:%d/%m/%Y}"


@history()
class WorkedHours(StructureOwned):
    """Hours worked by a parcours in one ISO week (`week_start` is that week's Monday)."""

    parcours = models.ForeignKey(
        Parcours,
        verbose_name=_("parcours"),
        on_delete=models.CASCADE,
        related_name="worked_hours",
    )
    work_site = models.ForeignKey(
        WorkSite,
        verbose_name=_("lieu d'activité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    week_start = models.DateField(_("semaine du"))
    hours = models.DecimalField(_("heures travaillées"), max_digits=5, decimal_places=2)
    paid_hours = models.DecimalField(
        _("heures payées"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    absence_hours = models.DecimalField(
        _("heures d'absence"), max_digits=5, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("heures travaillées")
        verbose_name_plural = _("heures travaillées")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "parcours", "week_start"], name="workedhours_uniq"
            ),
            models.CheckConstraint(
                name="workedhours_monday", condition=Q(week_start__iso_week_day=1)
            ),
            models.CheckConstraint(
                name="workedhours_range",
                condition=Q(hours__gte=0, hours__lte=60, absence_hours__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "week_start"], name="workedhours_structure_week"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h, semaine du {self.week_start:%d/%m/%Y}"
