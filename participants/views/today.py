""" "Aujourd'hui": what needs doing now, most urgent first, each item one click from the form
that settles it."""

from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.paginator import Paginator
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

# Items shown at once, most urgent first: a long list is read from its top, and a structure
# of 750 people may have hundreds of items (docs/performance.md §10).
ITEMS_PER_PAGE = 50


@require_GET
@policy(policies.can_work_on_files)
def today(request: HttpRequest) -> HttpResponse:
    structure_id = current_structure_id(request)
    who = request.GET.get("qui")
    if who not in (MINE, STRUCTURE):
        who = default_who(request, structure_id)
    kind = request.GET.get("type", "")
    kind = kind if kind in TodayKind else ""  # an unknown kind lists everything
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
    listed = [item for item in items if item.kind == kind] if kind else items
    page = Paginator(listed, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    shown = page.object_list
    # The page names people: one read-access row per person shown (S21).
    people = {item.participant_id for item in shown if item.participant_id}
    log_bulk_read(
        request,
        participants=[SimpleNamespace(pk=pk, structure_id=structure_id) for pk in sorted(people)],
        action=AccessAction.VIEW,
    )
    query = {"qui": who, **({"type": kind} if kind else {})}
    # Back to the same page once an item is settled (the list then moves up by one).
    here = {**query, **({"page": page.number} if page.number > 1 else {})}
    back = f"{reverse('participants:today')}?{urlencode(here)}"
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
            "page": page,
            "query": urlencode(query),
            "counts": counts,
            "total": len(items),
            "who": who,
            "kind": kind,
            "mine": MINE,
            "structure": STRUCTURE,
        },
    )
