"""The form of handing files over to another referent (participants/services/referents.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sites.tenancy import Scope

from .. import selectors
from .base import StyledFormMixin

VERSION_MAX_DIGITS = 9


class ReassignForm(StyledFormMixin, forms.Form):
    """The files chosen (check boxes of the page's table, `files`) and their new referent.
    Each file travels with the version the page showed (`version-<id>`), which the service
    compares. Both choices are built on the structure's own rows: another structure's file
    or user is refused like an unknown value."""

    referent = forms.ModelChoiceField(
        label=_("Confier les dossiers cochés à"),
        queryset=None,
        empty_label=_("— Choisissez la ou le référent·e —"),
    )
    files = forms.ModelMultipleChoiceField(
        label=_("Dossiers"),
        queryset=None,
        error_messages={"required": _("Cochez au moins un dossier.")},
    )

    def __init__(self, *args, scope: Scope, structure_id: int, exclude_id: int | None = None, **kw):
        super().__init__(*args, **kw)
        referents = selectors.referents_of(scope=scope, structure_id=structure_id)
        if exclude_id is not None:
            referents = referents.exclude(pk=exclude_id)
        self.fields["referent"].queryset = referents
        self.fields["files"].queryset = selectors.participants_visible(scope=scope).filter(
            structure_id=structure_id
        )
        self.versions: dict[int, int] = {}

    def clean(self):
        data = super().clean()
        for participant in data.get("files") or []:
            raw = str(self.data.get(f"version-{participant.pk}", ""))
            if not raw.isdecimal() or len(raw) > VERSION_MAX_DIGITS:
                raise forms.ValidationError(
                    _("La page est incomplète : rechargez-la avant d'enregistrer."),
                    code="version",
                )
            self.versions[participant.pk] = int(raw)
        return data
