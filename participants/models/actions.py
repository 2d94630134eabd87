"""Accompaniment actions on a parcours."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import ActionKind, ActionTheme
from .base import StructureOwned, history
from .parcours import Parcours


@history()
class AccompanimentAction(StructureOwned):
    """An accompaniment action on a parcours. The note is confidential and must stay factual."""

    parcours = models.ForeignKey(
        Parcours, verbose_name=_("parcours"), on_delete=models.CASCADE, related_name="actions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type d'action"), max_length=28, choices=ActionKind.choices)
    theme = models.CharField(_("thème"), max_length=12, choices=ActionTheme.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=60)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·e"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    partner = models.CharField(_("partenaire"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("action d'accompagnement")
        verbose_name_plural = _("actions d'accompagnement")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                name="action_duration_bounded",
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=24 * 60),
            ),
        ]
        indexes = [
            models.Index(
                fields=["structure", "parcours", "date"], name="action_structure_parc_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.date:%d/%m/%Y}"
