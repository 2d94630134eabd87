"""Writing and reading the read-access log."""

import enum
import uuid
from collections.abc import Iterable

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from sites.enums import Role
from sites.ratelimit.services import note_file_opened

from .models import AccessAction, AccessLog

PLATFORM_ADMIN = "ADMIN"


def request_id(request: HttpRequest) -> str:
    """The request's id (set by the RLS middleware; made up once for a bare request)."""
    rid = getattr(request, "request_id", None)
    if not rid:
        rid = uuid.uuid4().hex
        request.request_id = rid
    return rid


def _role_in(request: HttpRequest, structure_id: int) -> str:
    scope = request.scope
    if structure_id in scope.manager_structure_ids:
        return Role.MANAGER
    if structure_id in scope.structure_ids:
        return Role.CASEWORKER
    if scope.is_platform_admin:
        return PLATFORM_ADMIN
    # A caller logging a read outside its scope is a bug upstream: refuse loudly.
    raise PermissionError("Participant outside the caller's scope.")


def log_read(
    request: HttpRequest,
    *,
    participant,
    action: str = AccessAction.VIEW,
    reason: str = "",
    structure_id: int | None = None,
) -> AccessLog:
    """Record one access to `participant`'s file by the request's user.

    Call it exactly once per view, export or PDF that renders the participant's personal
    data (after the object was looked up in the scoped queryset). `structure_id`: the
    structure on whose behalf the file is read when it is not the file's own (a structure
    reading a file it transferred, during its 30 days of read access); the row is that
    structure's.
    """
    structure_id = structure_id or participant.structure_id
    if action == AccessAction.SENSITIVE and not reason.strip():
        raise ValueError("A reason is required to open sensitive data.")
    log = AccessLog(
        at=timezone.now(),
        actor_id=request.user.pk,
        actor_role=_role_in(request, structure_id),
        structure_id=structure_id,
        participant_id=participant.pk,
        action=AccessAction(action),
        request_id=request_id(request),
        reason=reason.strip(),
    )
    # Every one-file access passes here: the mass-consultation alert counts them (S23). The
    # log's row is written by the same statement (one round trip on every file page).
    _, log.pk = note_file_opened(
        user_id=request.user.pk,
        structure_id=structure_id,
        participant_id=participant.pk,
        now=log.at,
        extra=(_INSERT_LOG_SQL, {f"log_{f}": _plain(getattr(log, f)) for f in _LOG_FIELDS}),
    )
    log._state.adding = False
    return log


def _plain(value):
    """Choices as their stored text (psycopg would send an enum's name)."""
    return value.value if isinstance(value, enum.Enum) else value


_LOG_FIELDS = ("at", "actor_id", "actor_role", "structure_id", "participant_id", "action")
_LOG_FIELDS += ("request_id", "reason")
_INSERT_LOG_SQL = (
    f"INSERT INTO {AccessLog._meta.db_table} "  # noqa: S608 (the model's own names)
    f"({', '.join(_LOG_FIELDS)}) "
    f"VALUES ({', '.join(f'%(log_{name})s' for name in _LOG_FIELDS)}) RETURNING id"
)


def log_bulk_read(
    request: HttpRequest, *, participants: Iterable, action: str = AccessAction.EXPORT
) -> int:
    """One row per participant for a page or export covering several files; returns the count.

    One INSERT … SELECT FROM unnest() rather than a model instance per row: every list page
    logs its 50 rows, and exports log thousands.
    """
    action = AccessAction(action)
    structure_ids, participant_ids, roles = [], [], []
    for p in participants:
        structure_ids.append(p.structure_id)
        participant_ids.append(p.pk)
        roles.append(_role_in(request, p.structure_id))
    if not participant_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{AccessLog._meta.db_table}" '  # noqa: S608 — the model's own table
            "(at, actor_id, actor_role, structure_id, participant_id, action, request_id, reason) "
            "SELECT %s, %s, u.role, u.structure_id, u.participant_id, %s, %s, '' "
            "FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[]) "
            "AS u(role, structure_id, participant_id)",
            [
                timezone.now(),
                request.user.pk,
                action.value,
                request_id(request),
                roles,
                structure_ids,
                participant_ids,
            ],
        )
    return len(participant_ids)
