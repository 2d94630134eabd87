"""Shared pieces of the forms: the styled mixin, the hours widget, the parcours choice field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from web import bounds

from ..filters import DATE_INPUT_FORMATS

HOURS_WIDGET = forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "inputmode": "decimal"})


class StyledFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on the fields in error (Django
    itself adds aria-invalid and aria-describedby pointing at the error and help text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                # Always jj/mm/aaaa (or ISO), whatever language the browser asks for: an
                # English locale would otherwise read 03/04 as the 4th of March.
                field.input_formats = DATE_INPUT_FORMATS
                # No date outside 1900-2100 reaches a service (web.bounds).
                field.validators = [*field.validators, bounds.validate_calendar_date]
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(
                widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    # Dates checked against web.bounds next to their field (the services check them again).
    event_dates: tuple[str, ...] = ()
    planned_dates: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for names, check in (
            (self.event_dates, bounds.event_date_errors),
            (self.planned_dates, bounds.planned_date_errors),
        ):
            for name in names:
                if name in self.fields and data.get(name):
                    for message in check(data[name], today=today):
                        self.add_error(name, message)
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show a service's block-rule errors next to the matching fields."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class ParcoursChoiceField(forms.ModelChoiceField):
    """A participant's parcours named by programme and dates (the person is already known)."""

    def label_from_instance(self, obj) -> str:
        if obj.end_date:
            return _("%(prog)s, du %(a)s au %(b)s") % {
                "prog": obj.programme.label,
                "a": obj.start_date.strftime("%d/%m/%Y"),
                "b": obj.end_date.strftime("%d/%m/%Y"),
            }
        return _("%(prog)s, depuis le %(a)s") % {
            "prog": obj.programme.label,
            "a": obj.start_date.strftime("%d/%m/%Y"),
        }


# Participants ---------------------------------------------------------------------------
