"""Situation snapshots (entry, follow-up, exit) of a participant."""

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
from ..enums import SnapshotContext
from ..forms import SnapshotForm, snapshot_initial
from .base import log_file_access


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def snapshot_create(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = selectors.participant_get(scope=request.scope, pk=participant_pk)
    log_file_access(request, participant)
    parcours_list = list(selectors.parcours_of(participant=participant))
    latest = selectors.latest_snapshot(participant=participant)
    has_entry = selectors.has_entry_snapshot(participant=participant)
    open_parcours = next((p for p in parcours_list if p.end_date is None), None)
    initial = {
        **snapshot_initial(latest),
        "date": timezone.localdate(),
        "context": SnapshotContext.SUIVI if has_entry else SnapshotContext.ENTREE,
        "parcours": open_parcours.pk if open_parcours else None,
    }
    if request.GET.get("context") in SnapshotContext.values:
        initial["context"] = request.GET["context"]
    form = SnapshotForm(
        request.POST or None,
        initial=initial,
        participant=participant,
        barrier_codes=policies.visible_barrier_codes(request.scope, participant.structure_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.snapshot_record(
                participant=participant,
                actor=request.user,
                context=form.cleaned_data["context"],
                date=form.cleaned_data["date"],
                parcours=form.cleaned_data["parcours"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("La situation est enregistrée."))
            file_url = reverse("participants:detail", kwargs={"participant_pk": participant.pk})
            return redirect(return_url(request, file_url))
    return render(
        request,
        "participants/snapshot_form.html",
        {"form": form, "participant": participant},
    )
