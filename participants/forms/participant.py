"""The participant's identity form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.tenancy import Scope
from web import bounds
from web.forms import InlineRadioSelect

from .. import selectors
from ..filters import DateInput
from ..models import Participant
from .base import StyledFormMixin


class ParticipantForm(StyledFormMixin, forms.ModelForm):
    """Identity of a participant. `expected_version` is the version the form was read at."""

    event_dates = ("notice_given_on",)

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Participant
        fields = [
            "last_name",
            "first_name",
            "birth_date",
            "sex",
            "phone",
            "email",
            "address",
            "orienteur",
            "referent",
            "pass_iae_number",
            "external_id",
            "notice_given_on",
            "notice_version",
        ]
        widgets = {
            "birth_date": DateInput,
            "notice_given_on": DateInput,
            "sex": InlineRadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "notice_given_on": _("Date de remise de la notice d'information (RGPD)."),
        }

    def __init__(self, *args, scope: Scope, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = selectors.referents_of(
            scope=scope, structure_id=structure_id
        )
        self.fields["referent"].empty_label = _("— Aucun·e —")
        self.fields["sex"].choices = [("", _("Non renseigné")), *self.fields["sex"].choices[1:]]
        if self.instance.pk and not self.is_bound:
            self.initial["expected_version"] = self.instance.version

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        errors = bounds.birth_date_errors(birth_date, today=timezone.localdate())
        if errors:
            raise ValidationError(errors)
        return birth_date

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# Parcours -------------------------------------------------------------------------------
