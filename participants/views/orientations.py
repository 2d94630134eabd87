"""Orientations: recording a referral, then the person's entry or non-entry."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sites.tenancy.permissions import policy
from web.links import return_url

from .. import policies, selectors, services
from ..enums import ParcoursStatus
from ..forms.orientations import NonEntryForm, OrientationEnterForm, ReferralForm
from .base import current_structure_id, log_file_access


def _file_url(participant_id: int) -> str:
    return reverse("participants:detail", kwargs={"participant_pk": participant_id})


def _still_waiting(request: HttpRequest, parcours) -> HttpResponse | None:
    if parcours.status == ParcoursStatus.ORIENTE:
        return None
    messages.info(request, _("Cette personne n'est plus en attente d'entrée."))
    return redirect(return_url(request, _file_url(parcours.participant_id)))


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def orientation_create(request: HttpRequest) -> HttpResponse:
    structure = selectors.structures_of(scope=request.scope).get(pk=current_structure_id(request))
    form = ReferralForm(request.POST or None, initial={"referred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                parcours = services.orientation_refer(
                    structure=structure, actor=request.user, **form.cleaned_data
                )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("Orientation de %(p)s enregistrée : elle attend son entrée sur « Aujourd'hui ».")
                % {"p": parcours.participant},
            )
            return redirect(return_url(request, reverse("participants:today")))
    return render(request, "participants/orientation_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def orientation_enter(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    log_file_access(request, parcours.participant)
    if (refused := _still_waiting(request, parcours)) is not None:
        return refused
    first = parcours.contracts.order_by("start_date").first()
    initial = {
        "start_date": timezone.localdate(),
        "work_site": parcours.work_site_id,
        "weekly_hours": first.weekly_hours if first else None,
        "contract_kind": first.kind if first else None,
    }
    form = OrientationEnterForm(
        request.POST or None, initial=initial, scope=request.scope, parcours=parcours
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.orientation_enter(
                parcours=parcours, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("%(p)s entre en %(prog)s.")
                % {"p": parcours.participant, "prog": parcours.programme.label},
            )
            return redirect(return_url(request, _file_url(parcours.participant_id)))
    return render(
        request,
        "participants/orientation_enter.html",
        {"form": form, "parcours": parcours, "participant": parcours.participant},
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def orientation_decline(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    log_file_access(request, parcours.participant)
    if (refused := _still_waiting(request, parcours)) is not None:
        return refused
    form = NonEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.orientation_decline(
                parcours=parcours,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request, _("Non-entrée enregistrée pour %(p)s.") % {"p": parcours.participant}
            )
            return redirect(return_url(request, _file_url(parcours.participant_id)))
    return render(
        request,
        "participants/orientation_decline.html",
        {"form": form, "parcours": parcours, "participant": parcours.participant},
    )
