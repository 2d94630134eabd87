"""Spreadsheet imports in progress or done."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import StructureOwned


class ImportJob(StructureOwned):
    """A spreadsheet uploaded for import: its content until written, its report, its progress.

    One job per structure and file content (`sha256`): uploading the same file twice (a double
    click, a retry) finds the same job (quality.md R3). The content lives in the database —
    never under a served folder nor under the user's file name — and is emptied once the
    import is written, or once the analysis refused the file (`failure` then says why);
    `filename` is only shown back to people. The analysis runs in the background worker
    (PENDING → ANALYSING → ANALYSED or REFUSED), so no web request reads the file.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", _("En attente d'analyse")
        ANALYSING = "ANALYSING", _("Analyse en cours")
        REFUSED = "REFUSED", _("Refusé")
        ANALYSED = "ANALYSED", _("Analysé, en attente de validation")
        RUNNING = "RUNNING", _("Import en cours")
        DONE = "DONE", _("Importé")
        FAILED = "FAILED", _("Interrompu")

    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    kind = models.CharField(_("format"), max_length=4)
    content = models.BinaryField(_("contenu"), editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.ANALYSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.JSONField(_("rapport d'analyse"), default=dict, blank=True)
    result = models.JSONField(_("rapport d'import"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("lignes"), default=0)
    rows_done = models.PositiveIntegerField(_("lignes traitées"), default=0)
    batches_done = models.PositiveIntegerField(_("lots écrits"), default=0)
    failure = models.CharField(_("cause de l'interruption"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import de tableur")
        verbose_name_plural = _("imports de tableurs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "sha256"], name="importjob_file_uniq"),
            models.CheckConstraint(
                name="importjob_progress_bounded", condition=Q(rows_done__lte=F("rows_total"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%d/%m/%Y})"

    @property
    def content_deleted_after(self):
        """When a pending job (not DONE) is deleted with its file by the retention job:
        IMPORT_PENDING_RETENTION_DAYS after its last change (docs/security.md §6)."""
        if self.status == self.Status.DONE:
            return None
        return self.updated_at + timedelta(days=settings.IMPORT_PENDING_RETENTION_DAYS)

    @property
    def percent(self) -> int:
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0
