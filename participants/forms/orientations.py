"""Forms of an orientation: the referral, the entry and the non-entry."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from web import bounds
from web.forms import InlineRadioSelect

from .. import selectors
from ..enums import NonEntryReason, ReferralSource, Sex
from ..filters import DateInput
from .base import StyledFormMixin
from .parcours import ParcoursEnrolForm


class ReferralForm(StyledFormMixin, forms.Form):
    """A person referred by a partner: who they are (the minimum), who referred them,
    when, and to which programme."""

    event_dates = ("referred_on",)

    last_name = forms.CharField(label=_("Nom"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    birth_date = forms.DateField(label=_("Date de naissance"), required=False, widget=DateInput)
    sex = forms.ChoiceField(
        label=_("Sexe"),
        choices=[("", _("Non renseigné")), *Sex.choices],
        required=False,
        widget=InlineRadioSelect,
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme proposé"), queryset=None, empty_label=_("— Choisissez le programme —")
    )
    referred_by = forms.ChoiceField(
        label=_("Orienté·e par"),
        choices=[
            ("", _("— Choisissez —")),
            # A transfer is recorded by the transfer itself, never typed.
            *[(c, t) for c, t in ReferralSource.choices if c != ReferralSource.TRANSFERT],
        ],
    )
    orienteur = forms.CharField(
        label=_("Précision sur l'orienteur"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : maraude du Samu social, SPIP de Nantes, conseiller·e."),
    )
    referred_on = forms.DateField(label=_("Date d'orientation"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = selectors.programmes()

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        errors = bounds.birth_date_errors(birth_date, today=timezone.localdate())
        if errors:
            raise forms.ValidationError(errors)
        return birth_date


class OrientationEnterForm(ParcoursEnrolForm):
    """The usual enrolment form, for an oriented person: the programme is already chosen."""

    def __init__(self, *args, parcours, **kwargs):
        super().__init__(*args, participant=parcours.participant, **kwargs)
        for name in ("programme", "status", "previous"):
            del self.fields[name]
        self.parcours = parcours


class NonEntryForm(StyledFormMixin, forms.Form):
    event_dates = ("decided_on",)

    reason = forms.ChoiceField(
        label=_("Motif de non-entrée"),
        choices=[("", _("— Choisissez le motif —")), *NonEntryReason.choices],
    )
    decided_on = forms.DateField(
        label=_("Date de la décision"),
        widget=DateInput,
        help_text=_("Le jour où il a été constaté que la personne n'entrera pas."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
