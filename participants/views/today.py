""" "Aujourd'hui": what needs doing now, most urgent first, each item one click from the form
that settles it."""

from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sites.audit.models import AccessAction
from sites.audit.services import log_bulk_read
from sites.tenancy.permissions import policy

from .. import policies
from ..presentation.today import kind_counts, today_rows
from ..today import TodayKind, today_items
from ..today_badge import MINE, STRUCTURE, default_who, remember_count
from .base import current_structure_id


@require_GET
@policy(policies.can_work_on_files)
def today(request: HttpRequest) -> HttpResponse:
    structure_id = current_structure_id(request)
    who = request.GET.get("qui")
    if who not in (MINE, STRUCTURE):
        who = default_who(request, structure_id)
    kind = request.GET.get("type", "")
    day = timezone.localdate()
    items = today_items(
        scope=request.scope,
        structure_id=structure_id,
        referent_id=request.user.pk if who == MINE else None,
        today=day,
    )
    if who == default_who(request, structure_id):
        remember_count(request, structure_id, len(items))
    counts = kind_counts(items)
    shown = [item for item in items if item.kind == kind] if kind in TodayKind else items
    # The page names people: one read-access row per person shown (S21).
    people = {item.participant_id for item in shown if item.participant_id}
    log_bulk_read(
        request,
        participants=[SimpleNamespace(pk=pk, structure_id=structure_id) for pk in sorted(people)],
        action=AccessAction.VIEW,
    )
    back = f"{reverse('participants:today')}?qui={who}"
    return render(
        request,
        "participants/today/page.html",
        {
            "rows": today_rows(
                shown,
                today=day,
                back=back,
                manages=structure_id in request.scope.manager_structure_ids,
            ),
            "counts": counts,
            "total": len(items),
            "who": who,
            "kind": kind if kind in TodayKind else "",
            "mine": MINE,
            "structure": STRUCTURE,
        },
    )
