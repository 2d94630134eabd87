"""Forms of the follow-up after exit and of a parcours' prolongation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from web.forms import InlineRadioSelect

from ..enums import Housing, Resource
from ..filters import DateInput
from .base import StyledFormMixin
from .parcours import grouped_exit_situations


class FollowupCheckForm(StyledFormMixin, forms.Form):
    """A follow-up check: reached or not, and where the person is now."""

    event_dates = ("done_on",)

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Date du contrôle"), widget=DateInput)
    reached = forms.TypedChoiceField(
        label=_("La personne a été jointe"),
        choices=[("yes", _("Oui")), ("no", _("Non, injoignable"))],
        coerce=lambda value: value == "yes",
        widget=InlineRadioSelect,
    )
    situation = forms.ChoiceField(
        label=_("Situation professionnelle"),
        choices=grouped_exit_situations,
        required=False,
        help_text=_("Même liste que pour la sortie : emploi, formation, autre situation."),
    )
    housing = forms.ChoiceField(
        label=_("Logement"),
        choices=[("", _("— Non renseigné —")), *Housing.choices],
        required=False,
    )
    resource = forms.ChoiceField(
        label=_("Ressources principales"),
        choices=[("", _("— Non renseigné —")), *Resource.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Restez factuel : la personne peut demander à lire son dossier."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reached") and not data.get("situation"):
            self.add_error("situation", _("Indiquez la situation de la personne à ce jour."))
        return data


class ProlongationForm(StyledFormMixin, forms.Form):
    """Why a parcours goes beyond the programme's duration without prolongation."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    prolongation_reason = forms.CharField(
        label=_("Motif de prolongation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ce qui justifie de poursuivre au-delà de 24 mois : étapes en cours, freins "
            "restant à lever. Restez factuel."
        ),
    )
