"""Work contracts of a parcours."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sites.models import Structure

from ..enums import ContractKind
from .base import StructureOwned, history
from .parcours import Parcours


@history()
class Contract(StructureOwned):
    """A work contract of a parcours; the employer differs from the host for an AI placement."""

    parcours = models.ForeignKey(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="contracts"
    )
    kind = models.CharField(
        _("type"), max_length=24, choices=ContractKind.choices, default=ContractKind.CDDI
    )
    employer = models.ForeignKey(
        Structure, verbose_name=_("employeur"), on_delete=models.PROTECT, related_name="+"
    )
    host = models.ForeignKey(
        Structure,
        verbose_name=_("structure d'accueil"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placement_company = models.CharField(
        _("entreprise utilisatrice"),
        max_length=200,
        blank=True,
        help_text=_("Pour une mise à disposition par une AI."),
    )
    start_date = models.DateField(_("début"))
    planned_end_date = models.DateField(_("fin prévue"), null=True, blank=True)
    actual_end_date = models.DateField(_("fin effective"), null=True, blank=True)
    weekly_hours = models.DecimalField(_("heures hebdomadaires"), max_digits=4, decimal_places=1)
    derogation_from = models.DateField(_("dérogation horaire du"), null=True, blank=True)
    derogation_to = models.DateField(_("dérogation horaire au"), null=True, blank=True)

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(name="contract_hours_positive", condition=Q(weekly_hours__gt=0)),
            models.CheckConstraint(
                name="contract_end_after_start",
                condition=(
                    Q(actual_end_date__isnull=True) | Q(actual_end_date__gte=F("start_date"))
                ),
            ),
            models.CheckConstraint(
                name="contract_derogation_ordered",
                condition=(
                    Q(derogation_from__isnull=True, derogation_to__isnull=True)
                    | Q(
                        derogation_from__isnull=False,
                        derogation_to__isnull=False,
                        derogation_to__gte=F("derogation_from"),
                    )
                ),
            ),
        ]
        indexes = [models.Index(fields=["structure", "parcours"], name="contract_structure_parc")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.start_date:%d/%m/%Y}"
