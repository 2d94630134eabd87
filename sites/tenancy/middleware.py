"""Per-request tenancy: `request.scope`, a request id, and the database web role.

`ScopeMiddleware` resolves the user's scope once per request. `RowLevelSecurityMiddleware`
(right after it) runs the rest of the request inside one transaction as the `sillon_web`
role, with `app.structure_ids` set to the scope's structures, so PostgreSQL's row-level
security filters every query even if a view forgets to.
"""

import re
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, transaction
from django.utils.functional import SimpleLazyObject

from . import rls
from .scope import scope_for_user

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for_user(request.user))
        return self.get_response(request)


def _request_id(request) -> str:
    """The proxy's X-Request-ID when it looks sane, otherwise a fresh one."""
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class RowLevelSecurityMiddleware:
    """Runs the view, its templates and streamed content as the web role within the scope.

    `ATOMIC_REQUESTS` only wraps the view, so this opens the request's transaction itself
    (the view's atomic block then joins it). The role and the setting are transaction-local:
    nothing survives on a pooled connection. Inside an enclosing transaction (tests) the
    previous role and setting are put back at the end.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = _request_id(request)
        if not getattr(settings, "SILLON_ROW_LEVEL_SECURITY", True):
            response = self.get_response(request)
        else:
            nested = connection.in_atomic_block
            with transaction.atomic(savepoint=False):
                previous = rls.enter_web_role(request.scope)
                response = self.get_response(request)
                # Outermost: the commit ends the role. Nested: restore what was there.
                if nested and not connection.needs_rollback:
                    rls.leave_web_role(previous)
            if response.streaming:
                response.streaming_content = _as_web_role(response.streaming_content, request.scope)
        response.headers.setdefault("X-Request-ID", request.request_id)
        return response


def _as_web_role(content, scope) -> Iterator[bytes]:
    """Streamed content is produced after the request's transaction: give it its own."""
    with rls.web_role(scope):
        yield from content
