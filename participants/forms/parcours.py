"""Forms of a parcours: enrolment, hours stages, the previous parcours, the exit."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from sites.tenancy import Scope
from web import bounds

from .. import selectors
from ..enums import (
    EXIT_CATEGORY,
    ContractKind,
    DgefpCategory,
    ExitSituation,
    ParcoursStatus,
)
from ..filters import DateInput
from ..models import Participant
from .base import HOURS_WIDGET, ParcoursChoiceField, StyledFormMixin


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
        """The keyword arguments of `services.parcours_enrol`, from the fields this form
        has (a subclass may drop some: the service's defaults then apply)."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


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


class ContinuationForm(ParcoursEnrolForm):
    """The next parcours of an exit to a continuation (suite de parcours), in the exit form:
    its start (by default the day after the exit), work site and first contract. The
    programme and the link to the exited parcours are the service's to set."""

    def __init__(self, *args, parcours, **kwargs):
        super().__init__(*args, participant=parcours.participant, **kwargs)
        for name in (
            "programme",
            "status",
            "previous",
            "prolongation_reason",
            "employer",
            "placement_company",
            "derogation_from",
            "derogation_to",
        ):
            self.fields.pop(name, None)
        start = self.fields["start_date"]
        start.label = _("Début du nouveau parcours")
        start.required = False
        start.help_text = _("Vide : le lendemain de la sortie.")
        self.fields["weekly_hours"].help_text = _(
            "Heures du premier contrat du nouveau parcours (Convergence : 20 à 35 h)."
        )

    def service_kwargs(self) -> dict:
        """The next parcours' arguments of `services.parcours_continue`."""
        data = self.cleaned_data
        return {
            "next_start_date": data.get("start_date"),
            "weekly_hours": data["weekly_hours"],
            "work_site": data.get("work_site"),
            "contract_kind": data.get("contract_kind"),
            "planned_end_date": data.get("planned_end_date"),
        }

    def apply_next_errors(self, error) -> dict:
        """Show the service's `next_…` errors here; return the others (the exit's)."""
        others = {}
        for name, messages in error.message_dict.items():
            if name.startswith("next_"):
                field = name.removeprefix("next_")
                self.add_error(field if field in self.fields else None, messages)
            else:
                others[name] = messages
        return others


# Accompaniment actions ------------------------------------------------------------------
