"""The project's form renderer (`FORM_RENDERER`): every field of every form is rendered by
one template, `templates/forms/field.html` (Bootstrap 5: label, widget, help text and
errors, the last two tied to the widget by `aria-describedby`), through
`{{ form.field.as_field_group }}`.

`TemplatesSetting` renders with the project's template engine, so our templates directory
is searched (and Django's widget templates, through `django.forms` in INSTALLED_APPS).
The choice widgets below only name a layout the field template reads from `widget_type`.
"""

from django import forms
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    field_template_name = "forms/field.html"


class InlineRadioSelect(forms.RadioSelect):
    """Radio buttons side by side (a short list: sex, the situation's context)."""


class PillsRadioSelect(forms.RadioSelect):
    """Radio buttons as a wrapping row of pills (a long list of short labels)."""


class PillsCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Check boxes as a wrapping row of pills."""
