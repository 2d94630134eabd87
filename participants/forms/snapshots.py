"""The situation snapshot form (housing, resources, barriers, health rights)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from web.forms import InlineRadioSelect, PillsCheckboxSelectMultiple

from .. import selectors
from ..enums import (
    Barrier,
    BarrierLevel,
    Resource,
    SnapshotContext,
)
from ..filters import DateInput
from ..models import Participant, SituationSnapshot
from .base import ParcoursChoiceField, StyledFormMixin

HEALTH_FLAGS = ["has_health_insurance", "has_complementary", "has_gp", "has_rqth", "has_aah"]


class SnapshotForm(StyledFormMixin, forms.ModelForm):
    """A situation at a date. Sensitive barriers are removed for people without access."""

    event_dates = ("date",)

    resources = forms.MultipleChoiceField(
        label=_("Ressources"),
        choices=Resource.choices,
        required=False,
        widget=PillsCheckboxSelectMultiple,
    )

    class Meta:
        model = SituationSnapshot
        fields = [
            "context",
            "date",
            "parcours",
            "housing",
            "street_history",
            "resources",
            *[f"barrier_{code}" for code in Barrier.values],
            *HEALTH_FLAGS,
        ]
        field_classes = {"parcours": ParcoursChoiceField}
        widgets = {
            "date": DateInput,
            "context": InlineRadioSelect,
            **{f"barrier_{code}": forms.RadioSelect for code in Barrier.values},
        }

    def __init__(
        self,
        *args,
        participant: Participant,
        barrier_codes: list[str],
        with_context: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["parcours"].queryset = selectors.parcours_of(participant=participant)
        self.fields["parcours"].empty_label = _("— Aucun en particulier —")
        self.fields["parcours"].required = False
        for code in Barrier.values:
            name = f"barrier_{code}"
            if code not in barrier_codes:
                del self.fields[name]
            else:
                self.fields[name].label = Barrier(code).label
                self.fields[name].choices = BarrierLevel.choices
        if not with_context:
            # At an exit, the context and date are the exit's own.
            for name in ("context", "date", "parcours"):
                del self.fields[name]
        else:
            self.fields["context"].choices = SnapshotContext.choices
        self.barrier_codes = [code for code in Barrier.values if code in barrier_codes]
        self.hides_sensitive = len(self.barrier_codes) < len(Barrier.values)
        self.barrier_levels = BarrierLevel.choices

    @property
    def barrier_fields(self):
        return [self[f"barrier_{code}"] for code in self.barrier_codes]

    @property
    def health_fields(self):
        return [self[name] for name in HEALTH_FLAGS]

    def service_fields(self) -> dict:
        names = ["housing", "street_history", "resources", *HEALTH_FLAGS]
        names += [f"barrier_{code}" for code in self.barrier_codes]
        return {name: self.cleaned_data[name] for name in names}


def snapshot_initial(snapshot: SituationSnapshot | None) -> dict:
    """The last known situation, so a new one only needs what changed."""
    if snapshot is None:
        return {}
    names = ["housing", "street_history", "resources", *HEALTH_FLAGS]
    names += [f"barrier_{code}" for code in Barrier.values]
    return {name: getattr(snapshot, name) for name in names}
