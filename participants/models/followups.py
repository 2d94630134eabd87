"""The checks of the follow-up after exit: where the person is 3, 6, 12 months later."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import EXIT_CATEGORY, DgefpCategory, ExitSituation, Housing, Resource
from .base import StructureOwned, history
from .parcours import Parcours


@history()
class FollowupCheck(StructureOwned):
    """One scheduled check after a parcours' exit (`Programme.followup_check_months`).

    Created with the exit, one per scheduled month, with its due date; settled when the
    caseworker records it (`done_on`): reached or not ("injoignable"), and the person's
    situation then — employment or training in the exit codes' typology, housing,
    resources. A check may be done early or late; the follow-up closes with the last check
    or at the exit's `followup_until` (docs/domain.md, "Suivi après sortie").
    """

    parcours = models.ForeignKey(
        Parcours,
        verbose_name=_("parcours"),
        on_delete=models.CASCADE,
        related_name="followup_checks",
    )
    months = models.PositiveSmallIntegerField(_("mois après la sortie"))
    due_on = models.DateField(_("prévu le"))
    done_on = models.DateField(_("réalisé le"), null=True, blank=True)
    reached = models.BooleanField(_("personne jointe"), null=True, blank=True)
    situation = models.CharField(
        _("situation professionnelle"), max_length=24, choices=ExitSituation.choices, blank=True
    )
    dgefp_category = models.CharField(
        _("catégorie DGEFP"),
        max_length=20,
        choices=DgefpCategory.choices,
        blank=True,
        editable=False,
    )
    housing = models.CharField(_("logement"), max_length=20, choices=Housing.choices, blank=True)
    resource = models.CharField(
        _("ressources"), max_length=24, choices=Resource.choices, blank=True
    )
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("contrôle de suivi")
        verbose_name_plural = _("contrôles de suivi")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "months"], name="followupcheck_once"),
            # Done means answered: reached or not; a reached person has a situation.
            models.CheckConstraint(
                name="followupcheck_done_answered",
                condition=Q(done_on__isnull=True, reached__isnull=True, situation="")
                | Q(done_on__isnull=False, reached=False, situation="")
                | (Q(done_on__isnull=False, reached=True) & ~Q(situation="")),
            ),
        ]
        indexes = [
            # "Aujourd'hui": the structure's open checks by due date.
            models.Index(
                fields=["structure", "due_on"],
                name="followupcheck_open_due",
                condition=Q(done_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parcours_id} +{self.months} mois"

    def save(self, *args, **kwargs):
        self.dgefp_category = EXIT_CATEGORY.get(self.situation, "")
        super().save(*args, **kwargs)
