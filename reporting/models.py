"""Frozen funder reports: the figures of a deployment × period as published at one moment."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from programmes.models import Deployment


class ReportStatus(models.TextChoices):
    PENDING = "PENDING", _("En attente")
    RUNNING = "RUNNING", _("En cours de génération")
    DONE = "DONE", _("Prêt")
    FAILED = "FAILED", _("Échec")


class ReportSnapshot(models.Model):
    """A funder report, frozen: its published figures are stored once and never recomputed.

    `figures` holds the published document (small counts already suppressed, no person)
    and `figures_sha256` its fingerprint, printed in the PDF. The PDF is rendered from
    `figures` alone, in the background, so the same snapshot renders the same PDF next year
    even after the underlying files have changed.
    """

    uuid = models.UUIDField(_("identifiant"), default=uuid.uuid4, unique=True, editable=False)
    deployment = models.ForeignKey(
        Deployment,
        verbose_name=_("déploiement"),
        on_delete=models.PROTECT,
        related_name="report_snapshots",
    )
    period_code = models.CharField(_("période"), max_length=32)
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    figures = models.JSONField(_("chiffres publiés"))
    figures_sha256 = models.CharField(_("empreinte SHA-256 des chiffres"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("figé le"), auto_now_add=True)
    status = models.CharField(
        _("état"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rapport financeur figé")
        verbose_name_plural = _("rapports financeurs figés")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="reportsnapshot_period_ordered",
                condition=models.Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="reportsnapshot_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]
        indexes = [
            models.Index(fields=["deployment", "-created_at"], name="reportsnap_dep_created"),
        ]

    def __str__(self) -> str:
        return f"{self.deployment} – {self.period_code}"

    @property
    def period_label(self) -> str:
        """The period as people name it ("année 2021"), from its stable code."""
        from .periods import parse

        try:
            return str(parse(self.period_code).label)
        except ValueError:
            return self.period_code

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
