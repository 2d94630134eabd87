"""Recording a follow-up check after exit, and motivating a parcours' prolongation."""

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
from ..forms.followups import FollowupCheckForm, ProlongationForm
from .base import log_file_access


def _file_url(participant_id: int) -> str:
    return reverse("participants:detail", kwargs={"participant_pk": participant_id})


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def followup_check(request: HttpRequest, check_pk: int) -> HttpResponse:
    check = selectors.followup_check_get(scope=request.scope, pk=check_pk)
    participant = check.parcours.participant
    log_file_access(request, participant)
    initial = {
        "expected_version": check.version,
        "done_on": check.done_on or timezone.localdate(),
        "reached": {True: "yes", False: "no"}.get(check.reached, ""),
        "situation": check.situation,
        "housing": check.housing,
        "resource": check.resource,
        "comment": check.comment,
    }
    form = FollowupCheckForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_check_record(
                check=check,
                actor=request.user,
                expected_version=form.cleaned_data["expected_version"],
                done_on=form.cleaned_data["done_on"],
                reached=form.cleaned_data["reached"],
                situation=form.cleaned_data["situation"],
                housing=form.cleaned_data["housing"],
                resource=form.cleaned_data["resource"],
                comment=form.cleaned_data["comment"],
            )
        except services.FollowupCheckConflict as conflict:
            current = conflict.current
            form = FollowupCheckForm(
                initial={**initial, "expected_version": current.version}, data=None
            )
            messages.error(
                request,
                _(
                    "Ce contrôle a été enregistré entre-temps par quelqu'un d'autre : voici ce "
                    "qui a été saisi. Rien n'a été écrasé."
                ),
            )
            check = current
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("Contrôle à %(n)s mois enregistré pour %(p)s.")
                % {"n": check.months, "p": participant},
            )
            return redirect(return_url(request, _file_url(participant.pk)))
    return render(
        request,
        "participants/followup_check.html",
        {"form": form, "check": check, "participant": participant, "exit": check.parcours.exit},
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def parcours_prolong(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    participant = parcours.participant
    log_file_access(request, participant)
    form = ProlongationForm(
        request.POST or None,
        initial={
            "expected_version": parcours.version,
            "prolongation_reason": parcours.prolongation_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.parcours_prolong(
                parcours=parcours,
                actor=request.user,
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data["prolongation_reason"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Motif de prolongation enregistré."))
            return redirect(return_url(request, _file_url(participant.pk)))
    return render(
        request,
        "participants/parcours_prolong.html",
        {"form": form, "parcours": parcours, "participant": participant},
    )
