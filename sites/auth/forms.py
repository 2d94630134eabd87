"""Second-factor forms: a 6-digit code checked against the user's TOTP device."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """The code shown by the authenticator app; the device checks it (±1 step of 30 s, and a
    code already used is refused: replay protection of django-otp's TOTP device)."""

    token = forms.CharField(
        label=_("Code à 6 chiffres"),
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def full_clean(self):
        super().full_clean()
        if "token" in self.errors:
            widget = self.fields["token"].widget
            widget.attrs["class"] = f"{widget.attrs['class']} is-invalid"

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not token.isdigit():
            raise forms.ValidationError(_("Saisissez les 6 chiffres affichés par l'application."))
        device = self.device
        allowed, _wait = device.verify_is_allowed()
        if not allowed or not device.verify_token(token):
            raise forms.ValidationError(
                _(
                    "Code incorrect ou expiré : saisissez le code affiché en ce moment par "
                    "l'application (il change toutes les 30 secondes)."
                )
            )
        return token
