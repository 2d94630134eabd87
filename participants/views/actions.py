"""Logging an accompaniment action: inline in the participant list (htmx) or as a page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sites.tenancy.permissions import policy
from web.links import return_url

from .. import policies, selectors, services
from ..forms import ActionForm
from ..tables import ParticipantTable
from .base import is_htmx, log_file_access


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def action_create(request: HttpRequest, parcours_pk: int) -> HttpResponse:
    """From the list, htmx inserts the form as a table row under the person and swaps the
    saved confirmation in its place; without JavaScript it is an ordinary page."""
    parcours = selectors.parcours_get(scope=request.scope, pk=parcours_pk)
    participant = parcours.participant
    log_file_access(request, participant)
    form = ActionForm(request.POST or None, prefix=f"action-{parcours.pk}")
    saved = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.action_log(parcours=parcours, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            if not is_htmx(request):
                messages.success(
                    request,
                    _("Action enregistrée pour %(p)s.") % {"p": participant},
                )
                file_url = reverse("participants:detail", kwargs={"participant_pk": participant.pk})
                return redirect(return_url(request, file_url))
    context = {
        "form": form,
        "parcours": parcours,
        "participant": participant,
        "saved": saved,
        "colspan": len(ParticipantTable.base_columns),
    }
    template = (
        "participants/_action_row.html" if is_htmx(request) else "participants/action_form.html"
    )
    return render(request, template, context)
