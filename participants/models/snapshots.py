"""The person's situation at a date (entry, follow-up, exit)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import BarrierLevel, Housing, Resource, SnapshotContext
from .base import StructureOwned, history
from .parcours import Parcours
from .participant import Participant


def _barrier(label) -> models.CharField:
    """One barrier's level field (the snapshot has one per enums.Barrier code)."""
    return models.CharField(
        label, max_length=10, choices=BarrierLevel.choices, default=BarrierLevel.AUCUN
    )


@history()
class SituationSnapshot(StructureOwned):
    """The person's situation at a date: at entry, during follow-up or at exit.

    Barriers are one level field each; health, addictions and justice are sensitive data
    (GDPR art. 9 and 10) shown only with the sensitive-data permission.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant·e"),
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    parcours = models.ForeignKey(
        Parcours,
        verbose_name=_("parcours"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    date = models.DateField(_("date"))
    context = models.CharField(_("moment"), max_length=8, choices=SnapshotContext.choices)
    housing = models.CharField(
        _("situation de logement"), max_length=16, choices=Housing.choices, default=Housing.INCONNU
    )
    street_history = models.BooleanField(_("a connu un parcours de rue"), default=False)
    resources = ArrayField(
        models.CharField(max_length=20, choices=Resource.choices),
        verbose_name=_("ressources"),
        default=list,
        blank=True,
    )
    barrier_logement = _barrier(_("frein logement"))
    barrier_sante_physique = _barrier(_("frein santé physique"))
    barrier_sante_psychique = _barrier(_("frein santé psychique"))
    barrier_addictions = _barrier(_("frein addictions"))
    barrier_mobilite = _barrier(_("frein mobilité"))
    barrier_justice = _barrier(_("frein justice"))
    barrier_administratif = _barrier(_("frein administratif / accès aux droits"))
    barrier_budget = _barrier(_("frein budget / dettes"))
    barrier_langue = _barrier(_("frein langue"))
    barrier_numerique = _barrier(_("frein numérique"))
    barrier_famille = _barrier(_("frein famille / garde d'enfants"))
    has_health_insurance = models.BooleanField(_("couverture maladie"), default=False)
    has_complementary = models.BooleanField(_("complémentaire santé"), default=False)
    has_gp = models.BooleanField(_("médecin traitant"), default=False)
    has_rqth = models.BooleanField(_("RQTH"), default=False)
    has_aah = models.BooleanField(_("AAH"), default=False)

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-date"]
        indexes = [
            models.Index(
                fields=["structure", "participant", "date"], name="snapshot_structure_part_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_context_display()} – {self.date:%d/%m/%Y}"
