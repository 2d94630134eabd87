"""The participant list's filters. Every choice list is scoped to the active structure."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sites.tenancy import Scope
from web import bounds

from . import selectors
from .enums import ParcoursStatus
from .models import Participant

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    """A date typed as jj/mm/aaaa, whatever the browser's language (a native date picker
    would show mm/dd/yyyy in an English browser)."""

    def __init__(self, attrs=None):
        attrs = {
            "placeholder": _("jj/mm/aaaa"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": r"\d{1,2}/\d{1,2}/\d{2,4}",
            "size": 10,
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class ParticipantFilter(django_filters.FilterSet):
    """Search and filters of the participant list.

    Programme, status, work site and entry period apply to each person's current parcours
    (the open one, else the latest), which is the one the list shows: what you filter is
    what you see, and what you export.
    """

    q = django_filters.CharFilter(
        label=_("Nom ou prénom"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    programme = django_filters.ChoiceFilter(
        label=_("Programme"),
        field_name="current_programme_id",
        empty_label=_("Tous"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut du parcours"),
        field_name="current_status",
        choices=ParcoursStatus.choices,
        empty_label=_("Tous"),
    )
    work_site = django_filters.ChoiceFilter(
        label=_("Lieu d'activité"),
        field_name="current_work_site_id",
        empty_label=_("Tous"),
    )
    referent = django_filters.ChoiceFilter(
        label=_("Référent·e"), field_name="referent_id", empty_label=_("Tous")
    )
    entry_after = django_filters.DateFilter(
        label=_("Entré·e à partir du"),
        field_name="current_start",
        lookup_expr="gte",
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        validators=[bounds.validate_calendar_date],
    )
    entry_before = django_filters.DateFilter(
        label=_("Entré·e jusqu'au"),
        field_name="current_start",
        lookup_expr="lte",
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        validators=[bounds.validate_calendar_date],
    )

    class Meta:
        model = Participant
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, scope: Scope, structure_id: int, **kwargs):
        super().__init__(data=data, queryset=queryset, **kwargs)
        # Scoped choices: another structure's work site or staff is an invalid value.
        choices = selectors.list_filter_choices(scope=scope, structure_id=structure_id)
        for name in ("programme", "work_site", "referent"):
            self.filters[name].extra["choices"] = choices[name]
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must appear in the last name, first name or an identifier."""
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(external_id__iexact=word)
                | Q(pass_iae_number__iexact=word)
            )
        return queryset

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.form.cleaned_data.get(name) for name in self.filters)
