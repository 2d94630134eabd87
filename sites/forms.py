"""The forms of a person's own account ("Mon compte")."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DailyDigestForm(forms.Form):
    """Opt in to the daily digest of "Aujourd'hui" (counts and a link, no person)."""

    daily_digest = forms.BooleanField(
        label=_("Recevoir chaque matin le résumé d'« Aujourd'hui » par e-mail"),
        required=False,
        help_text=_(
            "Le nombre de choses à faire par type, et un lien vers Sillon : jamais un nom, "
            "une date de naissance ni aucun détail sur une personne. Rien n'est envoyé les "
            "jours où il n'y a rien à faire."
        ),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
