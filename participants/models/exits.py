"""The exit of a parcours."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..enums import EXIT_CATEGORY, DgefpCategory, ExitSituation
from .base import StructureOwned, history
from .parcours import Parcours


def _exit_category_condition() -> Q:
    condition = Q()
    for category in DgefpCategory.values:
        situations = [code for code, cat in EXIT_CATEGORY.items() if cat == category]
        condition |= Q(dgefp_category=category, situation__in=situations)
    return condition


@history()
class Exit(StructureOwned):
    """The exit (sortie) of a parcours: its date equals the parcours end date.

    `dgefp_category` is derived from the detailed situation and stored so reporting can
    group by it in SQL.
    """

    parcours = models.OneToOneField(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="exit"
    )
    date = models.DateField(_("date de sortie"))
    situation = models.CharField(
        _("situation à la sortie"), max_length=24, choices=ExitSituation.choices
    )
    dgefp_category = models.CharField(
        _("catégorie DGEFP"), max_length=20, choices=DgefpCategory.choices, editable=False
    )
    followup_until = models.DateField(_("suivi après sortie jusqu'au"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("sortie")
        verbose_name_plural = _("sorties")
        ordering = ["-date"]
        constraints = [
            # The detailed situation is known and its DGEFP category is the right one.
            models.CheckConstraint(
                name="exit_category_known",
                condition=_exit_category_condition(),
            ),
            models.CheckConstraint(
                name="exit_followup_after_exit",
                condition=Q(followup_until__isnull=True) | Q(followup_until__gte=F("date")),
            ),
        ]
        indexes = [models.Index(fields=["structure", "date"], name="exit_structure_date")]

    def __str__(self) -> str:
        return f"{self.get_situation_display()} – {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.dgefp_category = EXIT_CATEGORY.get(self.situation, "")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Derived before constraints are validated by full_clean().
        self.dgefp_category = EXIT_CATEGORY.get(self.situation, "")
