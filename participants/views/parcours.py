"""Parcours: enrolment with a first contract, hours paliers, link to a previous parcours, exit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sites.tenancy.permissions import policy
from web.links import return_url

from .. import policies, selectors, services
from ..enums import ContractKind, ExitSituation, ParcoursStatus
from ..forms import (
    ContinuationForm,
    ExitForm,
    HoursStageForm,
    LinkPreviousForm,
    ParcoursEnrolForm,
    SnapshotForm,
    snapshot_initial,
)
from .base import log_file_access


def _file_url(participant_id: int) -> str:
    return reverse("participants:detail", kwargs={"participant_pk": participant_id})


def _warn(request: HttpRequest, parcours) -> None:
    for message in (parcours.warnings or {}).values():
        messages.warning(request, message)


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def parcours_enrol(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = selectors.participant_get(scope=request.scope, pk=participant_pk)
    log_file_access(request, participant)
    initial = {"start_date": timezone.localdate()}
    programme_code = request.GET.get("programme")
    if programme_code:
        initial["programme"] = selectors.programmes().filter(code=programme_code).first()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if request.GET.get("previous", "").isdecimal():
        # Only pre-selected if it is one of this person's parcours (the queryset decides).
        initial["previous"] = int(request.GET["previous"])
    form = ParcoursEnrolForm(
        request.POST or None, initial=initial, scope=request.scope, participant=participant
    )
    if request.method == "POST" and form.is_valid():
        try:
            parcours = services.parcours_enrol(
                participant=participant, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("%(p)s est inscrit·e en %(prog)s.")
                % {"p": participant, "prog": parcours.programme.label},
            )
            _warn(request, parcours)
            return redirect(_file_url(participant.pk))
    return render(
        request,
        "participants/parcours_enrol.html",
        {"form": form, "participant": participant, "programmes": selectors.programmes()},
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def parcours_set_hours(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    log_file_access(request, parcours.participant)
    form = HoursStageForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.parcours_set_hours(
                parcours=parcours, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("Nouveau palier : %(h)s h par semaine à partir du %(d)s.")
                % {
                    "h": f"{stage.weekly_hours.normalize():f}".replace(".", ","),
                    "d": stage.start_date.strftime("%d/%m/%Y"),
                },
            )
            _warn(request, parcours)
            return redirect(_file_url(parcours.participant_id))
    stages = list(parcours.stages.order_by("start_date"))
    return render(
        request,
        "participants/parcours_hours.html",
        {"form": form, "parcours": parcours, "participant": parcours.participant, "stages": stages},
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def parcours_link_previous(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    log_file_access(request, parcours.participant)
    form = LinkPreviousForm(request.POST or None, parcours=parcours)
    if request.method == "POST" and form.is_valid():
        try:
            services.parcours_link_previous(
                parcours=parcours, previous=form.cleaned_data["previous"], actor=request.user
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Les deux parcours sont liés."))
            return redirect(_file_url(parcours.participant_id))
    return render(
        request,
        "participants/parcours_link.html",
        {"form": form, "parcours": parcours, "participant": parcours.participant},
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def parcours_exit(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    """The exit; to a continuation (suite de parcours), the next parcours in the same step."""
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    log_file_access(request, parcours.participant)
    participant = parcours.participant
    if parcours.status != ParcoursStatus.EN_COURS:
        messages.info(request, _("Ce parcours n'est pas en cours : pas de sortie à enregistrer."))
        return redirect(_file_url(participant.pk))
    data = request.POST or None
    form = ExitForm(data, initial={"date": timezone.localdate()})
    snapshot_form = SnapshotForm(
        data,
        prefix="sortie",
        initial=snapshot_initial(selectors.latest_snapshot(participant=participant)),
        participant=participant,
        barrier_codes=policies.visible_barrier_codes(request.scope, participant.structure_id),
        with_context=False,
    )
    next_form = ContinuationForm(
        data,
        prefix="suite",
        initial={"work_site": parcours.work_site_id, "contract_kind": ContractKind.CDDI},
        scope=request.scope,
        parcours=parcours,
    )
    # The next parcours' fields count only for an exit to a continuation.
    continuing = request.method == "POST" and request.POST.get("situation") in (
        services.CONTINUATION_PROGRAMME
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and snapshot_form.is_valid()
        and (not continuing or next_form.is_valid())
    ):
        try:
            if continuing:
                exit_, next_parcours = services.parcours_continue(
                    parcours=parcours,
                    actor=request.user,
                    exit_snapshot=snapshot_form.service_fields(),
                    **form.cleaned_data,
                    **next_form.service_kwargs(),
                )
            else:
                exit_ = services.parcours_exit(
                    parcours=parcours,
                    actor=request.user,
                    exit_snapshot=snapshot_form.service_fields(),
                    **form.cleaned_data,
                )
        except ValidationError as error:
            if continuing and hasattr(error, "error_dict"):
                error = ValidationError(next_form.apply_next_errors(error) or [])
            if error.messages:
                form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("Sortie enregistrée : %(s)s.") % {"s": exit_.get_situation_display()},
            )
            if continuing:
                messages.success(
                    request,
                    _("Suite de parcours ouverte : %(prog)s à partir du %(d)s.")
                    % {
                        "prog": next_parcours.programme.label,
                        "d": next_parcours.start_date.strftime("%d/%m/%Y"),
                    },
                )
                _warn(request, next_parcours)
                return redirect(_file_url(participant.pk))
            return redirect(return_url(request, _file_url(participant.pk)))
    return render(
        request,
        "participants/parcours_exit.html",
        {
            "form": form,
            "snapshot_form": snapshot_form,
            "next_form": next_form,
            "continuing": continuing,
            "continuation_labels": [
                ExitSituation(code).label for code in services.CONTINUATION_PROGRAMME
            ],
            "parcours": parcours,
            "participant": participant,
        },
    )
