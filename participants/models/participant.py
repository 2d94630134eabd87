"""The person accompanied by a structure."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import Sex
from .base import StructureOwned, history

EXTERNAL_ID_UNIQ = "participant_structure_external_id_uniq"
EXTERNAL_ID_TAKEN = _(
    "Cet identifiant externe est déjà celui d'un autre dossier de la structure : "
    "vérifiez qu'il ne s'agit pas de la même personne."
)


@history()
class Participant(StructureOwned):
    """A person accompanied by a structure. No social security number (NIR) is ever stored.

    `version` implements optimistic locking: a save must name the version it was read at.
    """

    external_id = models.CharField(
        _("identifiant externe"),
        max_length=64,
        blank=True,
        help_text=_("Identifiant dans le tableur d'origine, pour les imports."),
    )
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("adresse ou domiciliation"), max_length=300, blank=True)
    orienteur = models.CharField(
        _("orienteur"),
        max_length=200,
        blank=True,
        help_text=_("Maraude, travailleur social ou organisme qui a orienté la personne."),
    )
    pass_iae_number = models.CharField(_("numéro de PASS IAE"), max_length=20, blank=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référent·e"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_given_on = models.DateField(_("notice d'information remise le"), null=True, blank=True)
    notice_version = models.CharField(_("version de la notice"), max_length=20, blank=True)
    last_contact_on = models.DateField(_("dernier contact"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        ordering = ["last_name", "first_name"]
        constraints = [
            # Target of the composite foreign keys that keep children in their structure.
            models.UniqueConstraint(
                fields=["structure", "id"], name="participant_structure_id_uniq"
            ),
            models.UniqueConstraint(
                fields=["structure", "external_id"],
                condition=~Q(external_id=""),
                name=EXTERNAL_ID_UNIQ,
            ),
        ]
        indexes = [
            models.Index(
                fields=["structure", "last_name", "first_name"], name="participant_structure_name"
            ),
            models.Index(fields=["structure", "birth_date"], name="participant_structure_birth"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    def validate_constraints(self, exclude=None):
        """Django names a conditional unique constraint in its message
        (`participant_structure_external_id_uniq`): say it in French, next to the field."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            taken = [e for e in general if EXTERNAL_ID_UNIQ in str(e.message)]
            if taken:
                errors.setdefault("external_id", []).append(
                    ValidationError(EXTERNAL_ID_TAKEN, code="external_id_taken")
                )
            if general := [e for e in general if e not in taken]:
                errors[NON_FIELD_ERRORS] = general
            raise ValidationError(errors) from None
