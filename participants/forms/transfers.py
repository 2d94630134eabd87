"""The transfer of a file to another structure of the same deployment."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import services
from ..filters import DateInput
from ..models import Participant
from .base import StyledFormMixin


class TransferForm(StyledFormMixin, forms.Form):
    """Where the file goes, from when, and the person's consent. The choices are the
    structures sharing a running deployment with the file's structure: any other id posted
    is refused like an unknown value (the service checks the programme's deployment)."""

    event_dates = ("date", "consent_on")

    to_structure = forms.ModelChoiceField(
        label=_("Structure d'accueil"),
        queryset=None,
        empty_label=_("— Choisissez la structure —"),
        help_text=_("Les structures qui participent à un même déploiement que la vôtre."),
    )
    date = forms.DateField(
        label=_("Date du transfert"),
        widget=DateInput,
        help_text=_("Le parcours en cours se termine ce jour-là dans votre structure."),
    )
    consent_on = forms.DateField(label=_("Accord de la personne recueilli le"), widget=DateInput)
    consent = forms.BooleanField(
        label=_("La personne a donné son accord au transfert de son dossier."),
        error_messages={"required": _("Le transfert demande l'accord de la personne.")},
    )

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_structure"].queryset = services.transfer_targets(
            participant.structure_id, timezone.localdate()
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("to_structure", "date", "consent_on")}
