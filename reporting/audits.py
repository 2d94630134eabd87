"""The small-count audit of the dashboards, off the request path.

Auditing a région's dashboard grid (reporting.suppression: the secondary suppression, the
rank tests, one insider audit per structure) takes a tenth of a second or more, and its
answer changes only when a count of the grid changes. The background job
(`manage.py refresh_territory_years`, every minute) recomputes, right after the yearly and
monthly rows it refreshes, the audit of every coordinator dashboard those rows feed — each
territory holding one of the structures marked (`AuditStale`, appended with every stale
mark by a trigger), each programme, for the current and the last calendar year, the
periods a dashboard opens on — and stores its statuses by the grid's fingerprint
(`PublishedAudit`). A page then finds the statuses of its grid: in the process first, then
in that table (one indexed query), and audits only a grid nobody audited (another
period, a funder's narrower scope), as before. The statuses are those the audit gives for
the identical grid: the same published page either way.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.utils import timezone

from . import suppression
from .models import AuditStale, PublishedAudit, TerritoryYear

_STORING: ContextVar[bool] = ContextVar("reporting_audits_storing", default=False)

# Stored audits older than this are dropped by the job (a grid unchanged for so long is
# audited again by its first viewer, then kept in that process).
KEPT_DAYS = 35


@contextmanager
def storing() -> Iterator[None]:
    """Inside, the dashboards' audits are stored (the background job)."""
    token = _STORING.set(True)
    try:
        yield
    finally:
        _STORING.reset(token)


def statuses(values: dict, constraints: list, *, dominated, owners) -> dict:
    """`suppression.suppress` for a dashboard grid, read from the stored audits when the
    job audited the identical grid (and stored, inside `storing()`)."""
    key = suppression.fingerprint(values, constraints, dominated, owners)
    status = suppression.kept(key)
    if status is None and not _STORING.get():
        stored = (
            PublishedAudit.objects.filter(fingerprint=key)
            .values_list("statuses", flat=True)
            .first()
        )
        if stored is not None and len(stored) == len(values):
            status = dict(zip(values, stored, strict=True))
            suppression.remember(key, status)
    if status is None:
        status = suppression.suppress(values, constraints, dominated=dominated, owners=owners)
    if _STORING.get():
        PublishedAudit.objects.update_or_create(
            fingerprint=key,
            defaults={"statuses": [status[cell] for cell in values], "computed_at": timezone.now()},
        )
    return status


def due_dashboards(structure_ids, years) -> list[tuple[int, int]]:
    """(programme, territory) of every dashboard the structures' yearly rows feed."""
    return sorted(
        set(
            TerritoryYear.objects.filter(structure_id__in=structure_ids, year__in=years)
            .values_list("programme_id", "territory_id")
            .distinct()
        )
    )


def refresh(audit_dashboard, today: dt.date | None = None) -> int:
    """Audit again the dashboards of the structures marked (owner role; the background
    job): `audit_dashboard(programme_id, territory_id, year)` builds and publishes one
    coordinator dashboard inside `storing()`. Clears the marks it saw and drops old
    audits; returns how many dashboards were audited."""
    today = today or timezone.localdate()
    years = [today.year, today.year - 1]
    seen = list(AuditStale.objects.values_list("pk", "structure_id"))
    if not seen:
        return 0
    done = 0
    with storing():
        for programme_id, territory_id in due_dashboards({s for _, s in seen}, years):
            for year in years:
                with transaction.atomic():
                    audit_dashboard(programme_id, territory_id, year)
                done += 1
    with transaction.atomic(), connection.cursor() as cursor:
        AuditStale.objects.filter(pk__in=[pk for pk, _ in seen]).delete()
        cursor.execute(
            f"DELETE FROM {PublishedAudit._meta.db_table} "  # noqa: S608
            "WHERE computed_at < now() - make_interval(days => %s)",
            [KEPT_DAYS],
        )
    return done
