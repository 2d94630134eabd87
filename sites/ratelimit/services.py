"""Anti-automation (quality.md S23): per-user limits on exports, PDFs and searches, and an
alert when a user opens many participants' files.

The counts live in PostgreSQL, the one store every web worker shares (the deployment has no
cache server, and Django's database cache cannot increment atomically). A limited request
reads the user's recent events of its kind and, when served, inserts one more: plain
inserts, so two requests of the same person never wait on a row lock. Times come from the
application's clock, so that tests can move it.
"""

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import FileOpening, RateEvent

logger = logging.getLogger("sillon.security")


@dataclass(frozen=True)
class Limit:
    """At most `hits` requests in any `seconds`-long window."""

    hits: int
    seconds: int


FILES_WINDOW = dt.timedelta(hours=1)


def limit_of(bucket: str) -> Limit:
    hits, seconds = settings.RATE_LIMITS[bucket]
    return Limit(hits, seconds)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def hit(user_id: int, bucket: str) -> Verdict:
    """Whether the user may be served one more request of `bucket` now; if so, count it.

    A true sliding window: the user's served requests of the last `seconds`. A refused
    request is not counted, so a client that waits `retry_after` seconds is served. Two
    concurrent requests may both pass at the limit's edge (neither sees the other's
    uncommitted row): a request or two over, never a wait.
    """
    limit = limit_of(bucket)
    now = timezone.now()
    window = dt.timedelta(seconds=limit.seconds)
    served = list(
        RateEvent.objects.filter(user_id=user_id, bucket=bucket, at__gt=now - window)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(served) >= limit.hits:
        # Served once enough of the oldest have left the window to leave room for one.
        free_at = served[len(served) - limit.hits] + window
        return Verdict(False, max(1, math.ceil((free_at - now).total_seconds())))
    RateEvent.objects.create(user_id=user_id, bucket=bucket, at=now)
    return Verdict(True)


# Records the opening and counts the distinct files the user opened in the last hour, in one
# statement; `extra_cte` lets the caller add its own write to the same round trip (the
# access log's row, sites.audit), whose first column comes back second.
_FILE_OPENED_SQL = """
WITH opened AS (
    INSERT INTO sites_fileopening (user_id, structure_id, participant_id, at)
    VALUES (%(user)s, %(structure)s, %(participant)s, %(now)s)
    ON CONFLICT (user_id, participant_id) DO UPDATE SET at = EXCLUDED.at
    RETURNING 1
){extra_cte}
SELECT count(*) + 1{extra_column} FROM sites_fileopening
WHERE user_id = %(user)s AND at > %(since)s AND participant_id <> %(participant)s
"""


def note_file_opened(
    *,
    user_id: int,
    structure_id: int,
    participant_id: int,
    now: dt.datetime | None = None,
    extra: tuple[str, dict] | None = None,
):
    """Record that the user opened the file; returns how many distinct files they opened in
    the last hour. Past `settings.RATE_LIMIT_FILES_ALERT`, logs one security alert per user
    and hour (CNIL 2021-122: alert on abnormal consultation), once the request's transaction
    commits, for the monitoring that reads the logs (docs/deployment.md).

    `extra`: (the SQL of a CTE named `extra` returning one row, its parameters), run in the
    same statement; then returns (the count, the CTE's first column)."""
    now = now or timezone.now()
    params = {
        "user": user_id,
        "structure": structure_id,
        "participant": participant_id,
        "now": now,
        "since": now - FILES_WINDOW,
    }
    statement = _FILE_OPENED_SQL.format(extra_cte="", extra_column="")
    if extra is not None:
        statement = _FILE_OPENED_SQL.format(
            extra_cte=f",\nextra AS ({extra[0]})", extra_column=", (SELECT * FROM extra)"
        )
        params.update(extra[1])
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    opened = row[0]
    threshold = settings.RATE_LIMIT_FILES_ALERT
    if opened > threshold:
        alerted = RateEvent.objects.filter(
            user_id=user_id, bucket="files_alert", at__gt=now - FILES_WINDOW
        ).exists()
        if not alerted:
            RateEvent.objects.create(user_id=user_id, bucket="files_alert", at=now)
            alert = {
                "event": "security_alert",
                "alert": "files_opened",
                "user_id": user_id,
                "files_last_hour": opened,
                "threshold": threshold,
            }
            transaction.on_commit(
                lambda: logger.warning("many participant files opened", extra=alert)
            )
    return opened if extra is None else (opened, row[1])


def purge(before: dt.datetime) -> int:
    """Delete the events and file openings older than `before` (apply_retention)."""
    return (
        RateEvent.objects.filter(at__lt=before).delete()[0]
        + FileOpening.objects.filter(at__lt=before).delete()[0]
    )
