"""The structure a person works in right now, for people who belong to several.

Visibility is decided by the scope (sites.tenancy); this only picks, among the structures
the scope already allows, the one whose lists are shown and where new files are created.
The choice lives in the session and is re-checked against the scope on every read, so a
revoked membership can never stay "active".
"""

from django.http import HttpRequest

SESSION_KEY = "active_structure_id"


def active_structure_id(request: HttpRequest) -> int | None:
    """The chosen structure if still in scope, else a stable default (None without any)."""
    allowed = request.scope.structure_ids
    if not allowed:
        return None
    chosen = request.session.get(SESSION_KEY)
    if chosen in allowed:
        return chosen
    return min(allowed)


def set_active_structure(request: HttpRequest, structure_id: int) -> bool:
    """Remember `structure_id` as the active one; refuses (False) one outside the scope."""
    if structure_id not in request.scope.structure_ids:
        return False
    request.session[SESSION_KEY] = structure_id
    return True
