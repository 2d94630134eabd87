"""Parcours: enrolment with a first contract, hours paliers, link to a previous parcours, exit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programmes.enums import ProgrammeCode
from sites.tenancy.permissions import policy
from web.links import return_url

from .. import policies, selectors, services
from ..enums import ExitSituation, ParcoursStatus
from ..forms import (
    ExitForm,
    HoursStageForm,
    LinkPreviousForm,
    ParcoursEnrolForm,
    SnapshotForm,
    snapshot_initial,
)
from .base import log_file_access

# An exit to one of these situations continues in another programme of the structure:
# after saving, the enrolment form opens with that programme and the link pre-filled.
NEXT_PROGRAMME = {ExitSituation.SUITE_CVG: ProgrammeCode.CVG}


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
    if request.method == "POST" and form.is_valid() and snapshot_form.is_valid():
        try:
            exit_ = services.parcours_exit(
                parcours=parcours,
                actor=request.user,
                exit_snapshot=snapshot_form.service_fields(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("Sortie enregistrée : %(s)s.") % {"s": exit_.get_situation_display()},
            )
            next_code = NEXT_PROGRAMME.get(exit_.situation)
            if next_code:
                messages.info(
                    request,
                    _("Inscrivez maintenant la suite de parcours : le lien est déjà prérempli."),
                )
                url = reverse(
                    "participants:parcours_enrol", kwargs={"participant_pk": participant.pk}
                )
                return redirect(f"{url}?programme={next_code}&previous={parcours.pk}")
            return redirect(return_url(request, _file_url(participant.pk)))
    return render(
        request,
        "participants/parcours_exit.html",
        {
            "form": form,
            "snapshot_form": snapshot_form,
            "parcours": parcours,
            "participant": participant,
        },
    )
