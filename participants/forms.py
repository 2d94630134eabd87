"""Forms of the caseworkers' screens.

No form exposes an ownership field: the structure comes from the scope (or the active
structure), the author from the request, and the record version travels as a separate
hidden `expected_version`, compared by the service (optimistic locking), never assigned.
Every ModelChoiceField is built on a scoped queryset, so another structure's id is refused
like any unknown value.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.tenancy import Scope
from web import bounds
from web.forms import InlineRadioSelect, PillsCheckboxSelectMultiple, PillsRadioSelect

from . import selectors
from .enums import (
    EXIT_CATEGORY,
    ActionKind,
    ActionTheme,
    Barrier,
    BarrierLevel,
    ContractKind,
    DgefpCategory,
    ExitSituation,
    ParcoursStatus,
    Resource,
    SnapshotContext,
)
from .filters import DATE_INPUT_FORMATS, DateInput
from .models import Participant, SituationSnapshot

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


class ParticipantForm(StyledFormMixin, forms.ModelForm):
    """Identity of a participant. `expected_version` is the version the form was read at."""

    event_dates = ("notice_given_on",)

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Participant
        fields = [
            "last_name",
            "first_name",
            "birth_date",
            "sex",
            "phone",
            "email",
            "address",
            "orienteur",
            "referent",
            "pass_iae_number",
            "external_id",
            "notice_given_on",
            "notice_version",
        ]
        widgets = {
            "birth_date": DateInput,
            "notice_given_on": DateInput,
            "sex": InlineRadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "notice_given_on": _("Date de remise de la notice d'information (RGPD)."),
        }

    def __init__(self, *args, scope: Scope, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = selectors.referents_of(
            scope=scope, structure_id=structure_id
        )
        self.fields["referent"].empty_label = _("— Aucun·e —")
        self.fields["sex"].choices = [("", _("Non renseigné")), *self.fields["sex"].choices[1:]]
        if self.instance.pk and not self.is_bound:
            self.initial["expected_version"] = self.instance.version

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and not (bounds.CALENDAR_START <= birth_date <= timezone.localdate()):
            raise ValidationError(_("Indiquez une date de naissance passée (jj/mm/aaaa)."))
        return birth_date

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# Parcours -------------------------------------------------------------------------------


class ParcoursEnrolForm(StyledFormMixin, forms.Form):
    """Enrolment in a programme with the first contract (and first palier)."""

    event_dates = ("start_date",)
    planned_dates = ("planned_end_date", "derogation_from", "derogation_to")

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=None, empty_label=_("— Choisissez le programme —")
    )
    status = forms.ChoiceField(
        label=_("La personne"),
        choices=[
            (ParcoursStatus.EN_COURS, _("commence son parcours")),
            (ParcoursStatus.ORIENTE, _("est orientée, le parcours n'a pas commencé")),
        ],
        initial=ParcoursStatus.EN_COURS,
        widget=forms.RadioSelect,
    )
    start_date = forms.DateField(label=_("Date d'entrée"), widget=DateInput)
    weekly_hours = forms.DecimalField(
        label=_("Heures par semaine"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=bounds.WEEKLY_HOURS_MAX,
        widget=HOURS_WIDGET,
        help_text=_("Premières Heures : 4 à 20 h ; Convergence et IAE : 20 à 35 h."),
    )
    work_site = forms.ModelChoiceField(
        label=_("Lieu d'activité"), queryset=None, required=False, empty_label=_("— Aucun —")
    )
    contract_kind = forms.ChoiceField(
        label=_("Type de contrat"), choices=ContractKind.choices, initial=ContractKind.CDDI
    )
    planned_end_date = forms.DateField(
        label=_("Fin prévue du contrat"), required=False, widget=DateInput
    )
    employer = forms.ModelChoiceField(
        label=_("Employeur"),
        queryset=None,
        required=False,
        empty_label=_("— La structure de la personne —"),
        help_text=_("Pour une mise à disposition par une association intermédiaire."),
    )
    placement_company = forms.CharField(
        label=_("Entreprise utilisatrice"), required=False, max_length=200
    )
    derogation_from = forms.DateField(
        label=_("Dérogation horaire du"), required=False, widget=DateInput
    )
    derogation_to = forms.DateField(label=_("au"), required=False, widget=DateInput)
    previous = ParcoursChoiceField(
        label=_("Suite du parcours"),
        queryset=None,
        required=False,
        empty_label=_("— Aucun —"),
        help_text=_("Par exemple le parcours Premières Heures qui précède une Convergence."),
    )
    prolongation_reason = forms.CharField(
        label=_("Motif de prolongation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire au-delà de 24 mois en Convergence."),
    )

    def __init__(self, *args, scope: Scope, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = selectors.programmes()
        self.fields["work_site"].queryset = selectors.work_sites_of(
            scope=scope, structure_id=participant.structure_id
        )
        self.fields["previous"].queryset = selectors.parcours_of(participant=participant)
        structures = selectors.structures_of(scope=scope)
        self.fields["employer"].queryset = structures
        if len(scope.structure_ids) < 2:
            # Only one structure: the employer is always it.
            del self.fields["employer"]

    def clean(self):
        data = super().clean()
        start, end = data.get("derogation_from"), data.get("derogation_to")
        if bool(start) != bool(end):
            self.add_error(
                "derogation_to" if start else "derogation_from",
                _("Indiquez les deux dates de la dérogation."),
            )
        elif start and end and end < start:
            self.add_error("derogation_to", _("La fin de la dérogation doit suivre son début."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "programme": data["programme"],
            "status": data["status"],
            "start_date": data["start_date"],
            "weekly_hours": data["weekly_hours"],
            "work_site": data["work_site"],
            "contract_kind": data["contract_kind"],
            "planned_end_date": data["planned_end_date"],
            "employer": data.get("employer"),
            "placement_company": data["placement_company"],
            "derogation_from": data["derogation_from"],
            "derogation_to": data["derogation_to"],
            "previous": data["previous"],
            "prolongation_reason": data["prolongation_reason"],
        }


class HoursStageForm(StyledFormMixin, forms.Form):
    """A new palier: the weekly hours from a date."""

    event_dates = ("start_date",)

    start_date = forms.DateField(label=_("À partir du"), widget=DateInput)
    weekly_hours = forms.DecimalField(
        label=_("Nouvelles heures par semaine"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=bounds.WEEKLY_HOURS_MAX,
        widget=HOURS_WIDGET,
    )


class LinkPreviousForm(StyledFormMixin, forms.Form):
    previous = ParcoursChoiceField(label=_("Parcours précédent"), queryset=None)

    def __init__(self, *args, parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous"].queryset = (
            selectors.parcours_of(participant=parcours.participant)
            .exclude(pk=parcours.pk)
            .filter(start_date__lte=parcours.start_date)
        )


def grouped_exit_situations() -> list:
    """Exit situations grouped by their DGEFP category (an optgroup each)."""
    groups = []
    for category, label in DgefpCategory.choices:
        options = [
            (code, text) for code, text in ExitSituation.choices if EXIT_CATEGORY[code] == category
        ]
        groups.append((label, options))
    return [("", _("— Choisissez la situation —")), *groups]


class ExitForm(StyledFormMixin, forms.Form):
    event_dates = ("date",)
    planned_dates = ("followup_until",)

    date = forms.DateField(label=_("Date de sortie"), widget=DateInput)
    situation = forms.ChoiceField(
        label=_("Situation à la sortie"),
        choices=grouped_exit_situations,
        help_text=_("Elle détermine la catégorie DGEFP de la sortie."),
    )
    followup_until = forms.DateField(
        label=_("Suivi après sortie jusqu'au"),
        required=False,
        widget=DateInput,
        help_text=_("Convergence : 12 mois au plus après la sortie."),
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Restez factuel : la personne peut demander à lire son dossier."),
    )


# Accompaniment actions ------------------------------------------------------------------


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
