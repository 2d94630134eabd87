"""Counters behind the anti-automation limits (quality.md S23)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How many requests of one kind (`bucket`: exports, searches…) a user made in one
    fixed window. The limit is checked on a sliding window estimated from this window and
    the previous one (services.hit). Purged after a day by `apply_retention`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    bucket = models.CharField(_("type de demande"), max_length=20)
    window_start = models.DateTimeField(_("début de la fenêtre"))
    hits = models.PositiveIntegerField(_("demandes"), default=0)

    class Meta:
        app_label = "sites"
        verbose_name = _("compteur de demandes")
        verbose_name_plural = _("compteurs de demandes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "bucket", "window_start"], name="ratecounter_user_bucket_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.bucket} {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class FileOpening(models.Model):
    """When a user last opened a participant's file: how many distinct files a user opened
    in the last hour, for the mass-consultation alert. The participant is a bare id, as in
    the read-access log (which records every read, list rows included, and cannot tell a
    file opened from a name listed). Purged after a day by `apply_retention`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    participant_id = models.BigIntegerField(_("identifiant pseudonyme du dossier"))
    at = models.DateTimeField(_("dernière ouverture (UTC)"))

    class Meta:
        app_label = "sites"
        verbose_name = _("ouverture de dossier")
        verbose_name_plural = _("ouvertures de dossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "participant_id"], name="fileopening_user_participant"
            )
        ]
        indexes = [models.Index(fields=["user", "at"], name="fileopening_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.participant_id} at {self.at:%Y-%m-%d %H:%M}"
