"""People's rights on a file (GDPR art. 15, 17, 20), for the managers of its structure only:
export the whole file (JSON and PDF, access history included), anonymise it, erase it.

Each export writes exactly one read-access row (EXPORT for JSON, PRINT for PDF). Anonymising
and erasing are asked for on a confirmation page and done on POST only (CSRF-protected).
"""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from weasyprint import HTML

from participants.rights.export import (
    participant_export,
    printable,
    printable_history,
    printable_sections,
)
from participants.rights.services import participant_anonymise, participant_erase
from sites.audit.models import AccessAction
from sites.audit.services import log_read
from sites.ratelimit.decorators import rate_limited
from sites.tenancy.permissions import authorize, policy
from web.pdf import StaticOnlyFetcher

from .. import policies, selectors
from ..models import Participant


def _managed_participant(request: HttpRequest, participant_pk: int) -> Participant:
    """The file if the scope sees it (else 404) and the user manages its structure (else 403)."""
    participant = selectors.participant_get(scope=request.scope, pk=participant_pk)
    authorize(request, policies.can_exercise_rights, participant.structure_id)
    return participant


def _filename(participant: Participant, extension: str) -> str:
    # The pseudonymous number, never the name: file names end up in download folders.
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return f"dossier-{participant.pk}-{stamp}.{extension}"


@require_GET
@rate_limited("export")
@policy(policies.can_work_on_files)
def rights_export_json(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = _managed_participant(request, participant_pk)
    # Logged first, so the export's access history names this export too.
    log_read(request, participant=participant, action=AccessAction.EXPORT)
    data = participant_export(scope=request.scope, participant=participant)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(participant, "json")}"'
    return response


@require_GET
@rate_limited("export")
@policy(policies.can_work_on_files)
def rights_export_pdf(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = _managed_participant(request, participant_pk)
    log_read(request, participant=participant, action=AccessAction.PRINT)
    data = participant_export(scope=request.scope, participant=participant)
    html = render_to_string(
        "participants/rights/file_print.html",
        {
            "p": participant,
            "data": data,
            "generated_at": printable(data["generated_at"]),
            "sections": printable_sections(data),
            "history": printable_history(data),
        },
    )
    # No URL is ever fetched: the fetcher refuses everything but our own static files.
    pdf = HTML(string=html, url_fetcher=StaticOnlyFetcher()).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(participant, "pdf")}"'
    return response


def _confirm(request: HttpRequest, participant_pk: int, *, erase: bool) -> HttpResponse:
    participant = _managed_participant(request, participant_pk)
    if request.method == "POST":
        # The request names the file it changes: an access, logged before the change.
        log_read(request, participant=participant, action=AccessAction.EDIT)
        if erase:
            participant_erase(participant=participant)
            messages.success(request, _("Le dossier est effacé, historique compris."))
            return redirect("participants:list")
        if participant_anonymise(participant=participant):
            messages.success(request, _("Le dossier est anonymisé."))
        else:
            messages.info(request, _("Ce dossier était déjà anonymisé."))
        return redirect("participants:detail", participant_pk=participant.pk)
    log_read(request, participant=participant, action=AccessAction.VIEW)
    return render(request, "participants/rights/confirm.html", {"p": participant, "erase": erase})


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def rights_anonymise(request: HttpRequest, participant_pk: int) -> HttpResponse:
    return _confirm(request, participant_pk, erase=False)


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def rights_erase(request: HttpRequest, participant_pk: int) -> HttpResponse:
    return _confirm(request, participant_pk, erase=True)
