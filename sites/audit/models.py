"""The read-access log model (app `audit`, sites/audit/apps.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "VIEW", _("Consultation")
    EXPORT = "EXPORT", _("Export")
    PRINT = "PRINT", _("Impression / PDF")
    EDIT = "EDIT", _("Modification")
    SENSITIVE = "SENSITIVE", _("Consultation des données sensibles")


class AccessLog(models.Model):
    """One access to a participant's file: who, in which role and structure, what, when.

    The participant is kept as a bare pseudonymous id (no foreign key, no name), so the log
    outlives an erased file and never repeats the person's identity. Append-only: the web
    role cannot UPDATE or DELETE rows; `apply_retention` purges rows older than the
    retention period as the owner role.
    """

    at = models.DateTimeField(_("date et heure (UTC)"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("rôle"), max_length=12)
    structure = models.ForeignKey(
        "sites.Structure",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participant_id = models.BigIntegerField(_("identifiant pseudonyme du dossier"))
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    request_id = models.CharField(_("identifiant de requête"), max_length=32, blank=True)
    reason = models.CharField(
        _("motif"),
        max_length=300,
        blank=True,
        help_text=_("Obligatoire pour l'accès aux données sensibles."),
    )

    class Meta:
        db_table = "sites_accesslog"  # created under the sites app
        verbose_name = _("accès à un dossier")
        verbose_name_plural = _("accès aux dossiers")
        ordering = ["-at"]
        indexes = [
            models.Index(
                fields=["structure", "participant_id", "-at"], name="accesslog_struct_part_at"
            ),
            models.Index(fields=["at"], name="accesslog_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.participant_id} – {self.at:%d/%m/%Y %H:%M}"
