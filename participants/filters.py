"""The participant list's filters. Every choice list is scoped to the active structure."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sites.tenancy import Scope

from . import selectors
from .enums import ParcoursStatus
from .models import Participant


class DateInput(forms.DateInput):
    """A native date picker: it shows dd/mm/yyyy in a French browser and sends ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        field_name="current_programme_id",
        queryset=None,
        empty_label=_("Tous"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut du parcours"),
        field_name="current_status",
        choices=ParcoursStatus.choices,
        empty_label=_("Tous"),
    )
    work_site = django_filters.ModelChoiceFilter(
        label=_("Lieu d'activité"),
        field_name="current_work_site_id",
        queryset=None,
        empty_label=_("Tous"),
    )
    referent = django_filters.ModelChoiceFilter(
        label=_("Référent·e"), field_name="referent", queryset=None, empty_label=_("Tous")
    )
    entry_after = django_filters.DateFilter(
        label=_("Entré·e à partir du"),
        field_name="current_start",
        lookup_expr="gte",
        widget=DateInput,
    )
    entry_before = django_filters.DateFilter(
        label=_("Entré·e jusqu'au"), field_name="current_start", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Participant
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, scope: Scope, structure_id: int, **kwargs):
        super().__init__(data=data, queryset=queryset, **kwargs)
        self.filters["programme"].queryset = selectors.programmes()
        self.filters["work_site"].queryset = selectors.work_sites_of(
            scope=scope, structure_id=structure_id
        )
        self.filters["referent"].queryset = selectors.referents_of(
            scope=scope, structure_id=structure_id
        )
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
