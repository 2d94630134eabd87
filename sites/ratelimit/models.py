"""What the anti-automation limits count (quality.md S23)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RateEvent(models.Model):
    """One limited request served to a user (an export, a PDF, a search). The limits count
    a user's events of a kind over the last minutes (services.hit). Plain inserts: two
    requests of the same person never wait for each other. Purged after a day by
    `apply_retention`. No person is named: user, kind and time only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    bucket = models.CharField(_("type de demande"), max_length=20)
    at = models.DateTimeField(_("date et heure (UTC)"))

    class Meta:
        db_table = "sites_rateevent"  # created under the sites app
        verbose_name = _("demande limitée")
        verbose_name_plural = _("demandes limitées")
        indexes = [
            models.Index(fields=["user", "bucket", "at"], name="rateevent_user_bucket_at"),
            models.Index(fields=["at"], name="rateevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.bucket} {self.at:%Y-%m-%d %H:%M:%S}"


class FileOpening(models.Model):
    """When a user last opened a participant's file: how many distinct files a user opened
    in the last hour, for the mass-consultation alert. The participant is a bare id, as in
    the read-access log (which records every read, list rows included, and cannot tell a
    file opened from a name listed). Keyed by the participant's structure, so row-level
    security keeps each structure's rows to itself. Purged after a day by
    `apply_retention`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    structure = models.ForeignKey(
        "sites.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    participant_id = models.BigIntegerField(_("identifiant pseudonyme du dossier"))
    at = models.DateTimeField(_("dernière ouverture (UTC)"))

    class Meta:
        db_table = "sites_fileopening"  # created under the sites app
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
