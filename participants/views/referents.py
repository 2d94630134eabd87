"""The referents of the active structure, for its managers only: each one's caseload, and
handing files over to another referent in one step (a colleague leaves, files without a
referent, a caseload to rebalance)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from sites.audit.models import AccessAction
from sites.audit.services import log_bulk_read
from sites.tenancy.permissions import authorize, policy

from .. import policies, selectors, services
from ..forms import ReassignForm
from ..presentation.referents import file_state, not_moved_text
from ..referents import (
    NOBODY,
    handover_files,
    handover_source,
    not_moved,
    referent_caseloads,
)
from .base import current_structure_id


def _team_structure(request: HttpRequest) -> int:
    """The active structure, if the person manages it (else 403)."""
    structure_id = current_structure_id(request)
    authorize(request, policies.can_manage_team, structure_id)
    return structure_id


@require_GET
@policy(policies.manages_a_structure)
def referents(request: HttpRequest) -> HttpResponse:
    """Each referent's caseload (counts only: no person is named on this page)."""
    structure_id = _team_structure(request)
    caseloads = referent_caseloads(
        scope=request.scope, structure_id=structure_id, today=timezone.localdate()
    )
    return render(
        request, "participants/referents/page.html", {"caseloads": caseloads, "nobody": NOBODY}
    )


def _posted_ids(request: HttpRequest) -> set[int]:
    return {int(v) for v in request.POST.getlist("files") if v.isdecimal() and len(v) < 19}


@require_http_methods(["GET", "POST"])
@policy(policies.manages_a_structure)
def referents_reassign(request: HttpRequest) -> HttpResponse:
    """One referent's files in progress (or those without an active referent), each with a
    check box, and the new referent: one submit hands the checked files over."""
    structure_id = _team_structure(request)
    scope, today = request.scope, timezone.localdate()
    source = handover_source(scope=scope, structure_id=structure_id, raw=request.GET.get("de", ""))
    form = ReassignForm(
        request.POST if request.method == "POST" else None,
        scope=scope,
        structure_id=structure_id,
        exclude_id=source.referent_id if source.on_staff else None,
    )
    checked: set[int] | None = None  # None: every file checked (the page's first state)
    report = []
    logged: set[int] = set()
    if request.method == "POST":
        checked = _posted_ids(request)
        if form.is_valid():
            chosen = list(form.cleaned_data["files"])
            # The request names these files and works on them: one EDIT row each (S21).
            log_bulk_read(request, participants=chosen, action=AccessAction.EDIT)
            logged = {p.pk for p in chosen}
            try:
                result = services.participants_reassign(
                    structure=selectors.structures_of(scope=scope).get(pk=structure_id),
                    referent=form.cleaned_data["referent"],
                    versions=form.versions,
                    actor=request.user,
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                referent = form.cleaned_data["referent"]
                done = len(result.moved) + len(result.unchanged)
                if done:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s dossier confié à %(who)s.",
                            "%(n)s dossiers confiés à %(who)s.",
                            done,
                        )
                        % {"n": done, "who": referent},
                    )
                if not result.conflicts:
                    return redirect("participants:referents")
                report = [
                    (item.participant, not_moved_text(item))
                    for item in not_moved(
                        scope=scope, structure_id=structure_id, conflicts=result.conflicts
                    )
                ]
                checked = {c.participant_id for c in result.conflicts}
    files = handover_files(scope=scope, structure_id=structure_id, source=source, today=today)
    log_bulk_read(
        request,
        participants=[f.participant for f in files if f.participant.pk not in logged],
        action=AccessAction.VIEW,
    )
    rows = [
        {
            "file": f,
            "state": file_state(f),
            "checked": checked is None or f.participant.pk in checked,
        }
        for f in files
    ]
    return render(
        request,
        "participants/referents/reassign.html",
        {"source": source, "rows": rows, "form": form, "report": report},
    )
