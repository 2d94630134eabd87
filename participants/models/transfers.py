"""The transfer of a participant's file to another structure of the same deployment, and
the read access it leaves behind (docs/security.md §2, "Transfers")."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sites.models import Structure

from .base import StructureOwned


class Transfer(StructureOwned):
    """A file handed over from `structure` (the sending one) to `to_structure`, with the
    person's consent. Written only by `services.participant_transfer` (as the owner role:
    the web role may only read it); read by both structures (an extra row-level policy
    lets the receiving structure through). The participant and parcours are bare ids: the
    record outlives an erased file, like the read-access log."""

    to_structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure d'accueil"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participant_id = models.BigIntegerField(_("identifiant pseudonyme du dossier"))
    date = models.DateField(_("date du transfert"))
    consent_on = models.DateField(_("accord de la personne recueilli le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_parcours_id = models.BigIntegerField(_("parcours clos"), null=True)
    to_parcours_id = models.BigIntegerField(_("parcours ouvert"), null=True)
    readable_until = models.DateField(_("consultable par la structure d'origine jusqu'au"))

    class Meta:
        verbose_name = _("transfert")
        verbose_name_plural = _("transferts")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="transfer_to_another_structure", condition=~Q(to_structure=F("structure"))
            ),
            models.CheckConstraint(
                name="transfer_consent_before", condition=Q(consent_on__lte=F("date"))
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "participant_id"], name="transfer_struct_part"),
            models.Index(fields=["to_structure", "participant_id"], name="transfer_to_part"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.structure_id} → {self.to_structure_id}"


class ParticipantAccessGrant(StructureOwned):
    """Read access of `structure` to a file it does not own (`participant_id`), until a date
    (inclusive; none: for good). The row-level policies of the participant and parcours
    tables let the granted rows through for reading only (never for a write).

    A transfer writes two: the sending structure reads the file for 30 days, the receiving
    one reads the parcours left in the sending structure (the file's history) for good."""

    participant_id = models.BigIntegerField(_("identifiant pseudonyme du dossier"))
    until = models.DateField(_("jusqu'au"), null=True, blank=True)
    transfer = models.ForeignKey(
        Transfer, verbose_name=_("transfert"), on_delete=models.CASCADE, related_name="grants"
    )

    class Meta:
        verbose_name = _("accès accordé à un dossier")
        verbose_name_plural = _("accès accordés à des dossiers")
        indexes = [
            # The policies' look-up: the grants of the scope's structures still valid.
            models.Index(
                fields=["structure", "until", "participant_id"], name="grant_struct_until_part"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.structure_id} → {self.participant_id} ({self.until or '∞'})"
