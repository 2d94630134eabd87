"""The accompaniment action form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from web.forms import PillsRadioSelect

from ..enums import (
    ActionKind,
    ActionTheme,
)
from ..filters import DateInput
from .base import StyledFormMixin


class ActionForm(StyledFormMixin, forms.Form):
    """An accompaniment action, short enough to log from the list in a few clicks."""

    event_dates = ("date",)

    date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(
        label=_("Type d'action"),
        choices=ActionKind.choices,
        initial=ActionKind.ENTRETIEN_INDIVIDUEL,
    )
    theme = forms.ChoiceField(
        label=_("Thème"), choices=ActionTheme.choices, widget=PillsRadioSelect
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        min_value=5,
        max_value=24 * 60,
        initial=60,
        widget=forms.NumberInput(attrs={"step": "5", "inputmode": "numeric"}),
    )
    partner = forms.CharField(label=_("Partenaire"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Notez des faits, sans jugement ni détail de santé : la personne peut demander "
            "à lire son dossier (recommandation CNIL)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


# Situation snapshots --------------------------------------------------------------------
