"""The count of "Aujourd'hui" in the navigation.

Kept in the session with the time it was computed: the page refreshes it at every visit,
and the navigation recomputes it when it is older than TODAY_BADGE_SECONDS (one count, the
same queries as the page, at most once every few minutes per person) — never a query per
page view.
"""

import time

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from sites.active_structure import active_structure_id

SESSION_KEY = "today.badge"
# The page's two filters: the referent's own people, or the whole structure.
MINE, STRUCTURE = "moi", "structure"


def who_for(scope, structure_id: int) -> str:
    """Caseworkers start with their own people, managers with the whole structure (the
    page's first filter, the navigation's count and the daily digest)."""
    return STRUCTURE if structure_id in scope.manager_structure_ids else MINE


def default_who(request, structure_id: int) -> str:
    return who_for(request.scope, structure_id)


def remember_count(request, structure_id: int, count: int) -> None:
    value = {"structure": structure_id, "count": count, "at": int(time.time())}
    if request.session.get(SESSION_KEY, {}).get("count") != count or _stale(
        request.session.get(SESSION_KEY)
    ):
        request.session[SESSION_KEY] = value


def _stale(saved: dict | None) -> bool:
    return saved is None or time.time() - saved.get("at", 0) > settings.TODAY_BADGE_SECONDS


def _fresh_count(request) -> int | None:
    from .today import today_items

    structure_id = active_structure_id(request)
    saved = request.session.get(SESSION_KEY)
    if saved and saved.get("structure") == structure_id and not _stale(saved):
        return saved["count"]
    who = default_who(request, structure_id)
    items = today_items(
        scope=request.scope,
        structure_id=structure_id,
        referent_id=request.user.pk if who == MINE else None,
        today=timezone.localdate(),
    )
    remember_count(request, structure_id, len(items))
    return len(items)


def today_badge(request) -> dict:
    """Context processor: `today_count`, computed only if a template shows it."""
    scope = getattr(request, "scope", None)
    if scope is None or not scope.sees_persons:
        return {}
    return {"today_count": SimpleLazyObject(lambda: _fresh_count(request))}
