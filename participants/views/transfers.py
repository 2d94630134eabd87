"""Transfers of files between structures of a deployment: the transfer form (the sending
structure's managers), the list of transfers sent and received, and the read-only file a
sending structure still reads for 30 days."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sites.audit.models import AccessAction
from sites.audit.services import log_read
from sites.tenancy.permissions import authorize, policy

from .. import policies, selectors, services
from ..forms import TransferForm
from .base import log_file_access


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def participant_transfer(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = selectors.participant_get(scope=request.scope, pk=participant_pk)
    authorize(request, policies.can_transfer, participant.structure_id)
    log_file_access(request, participant)
    today = timezone.localdate()
    form = TransferForm(
        request.POST or None,
        initial={"date": today, "consent_on": today},
        participant=participant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.participant_transfer(
                participant=participant, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _(
                    "Le dossier de %(p)s est transféré à %(s)s. Votre structure peut le "
                    "consulter jusqu'au %(d)s."
                )
                % {
                    "p": participant,
                    "s": transfer.to_structure.name,
                    "d": transfer.readable_until.strftime("%d/%m/%Y"),
                },
            )
            return redirect(
                reverse("participants:detail", kwargs={"participant_pk": participant.pk})
            )
    return render(
        request,
        "participants/transfer_form.html",
        {"form": form, "participant": participant},
    )


@require_GET
@policy(policies.can_work_on_files)
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers sent and received by the user's structures: structures, dates, consent,
    the file's number (no name: a sent file is linked only while it is still readable, and
    its page logs the read)."""
    today = timezone.localdate()
    transfers = list(selectors.transfers_of(scope=request.scope)[:200])
    return render(
        request,
        "participants/transfer_list.html",
        {"transfers": transfers, "today": today, "structure_ids": request.scope.structure_ids},
    )


def transferred_file(request: HttpRequest, participant) -> HttpResponse:
    """The read-only page of a file the user's structure transferred (called by the file
    page for a file read through a grant)."""
    transfers = selectors.transfers_of_file(participant=participant)
    sent = next((t for t in transfers if t.structure_id in request.scope.structure_ids), None)
    log_read(
        request,
        participant=participant,
        action=AccessAction.VIEW,
        structure_id=sent.structure_id if sent else None,
    )
    return render(
        request,
        "participants/detail_transferred.html",
        {
            "p": participant,
            "transfer": sent,
            "parcours": selectors.parcours_elsewhere(participant=participant, everywhere=True),
        },
    )
