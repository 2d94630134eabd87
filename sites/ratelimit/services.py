"""Anti-automation (quality.md S23): per-user limits on exports, PDFs and searches, and an
alert when a user opens many participants' files.

Counters live in PostgreSQL, the one store every web worker shares (the deployment has no
cache server, and Django's database cache cannot increment atomically): one upsert per
limited request, made with the request's own clock so that tests can move it.
"""

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

logger = logging.getLogger("sillon.security")


@dataclass(frozen=True)
class Limit:
    """At most `hits` requests in any `seconds`-long window."""

    hits: int
    seconds: int


LIMITS = {
    "export": Limit(30, 600),  # exports and PDFs: 30 per user per 10 minutes
    "search": Limit(120, 60),  # searches: 120 per user per minute
}
FILES_ALERT = 50  # distinct participants' files opened by one user in an hour
FILES_WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def _window(now: dt.datetime, seconds: int) -> tuple[dt.datetime, float]:
    """The start of the fixed window holding `now`, and the part of it already elapsed."""
    epoch = now.timestamp()
    start = epoch - epoch % seconds
    return dt.datetime.fromtimestamp(start, tz=dt.UTC), (epoch - start) / seconds


def _count(user_id: int, bucket: str, window_start: dt.datetime, previous: dt.datetime):
    """Adds one request to the current window; returns (current window, previous window)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH hit AS (
                INSERT INTO sites_ratecounter (user_id, bucket, window_start, hits)
                VALUES (%(user)s, %(bucket)s, %(start)s, 1)
                ON CONFLICT (user_id, bucket, window_start)
                DO UPDATE SET hits = sites_ratecounter.hits + 1
                RETURNING hits
            )
            SELECT (SELECT hits FROM hit), COALESCE((
                SELECT hits FROM sites_ratecounter
                WHERE user_id = %(user)s AND bucket = %(bucket)s AND window_start = %(previous)s
            ), 0)
            """,
            {"user": user_id, "bucket": bucket, "start": window_start, "previous": previous},
        )
        return cursor.fetchone()


def hit(user_id: int, bucket: str) -> Verdict:
    """Count one request of `bucket` by the user, and say whether it may be served.

    Sliding window, estimated as the current fixed window plus the previous one weighted by
    the part of it still inside the last `seconds`: no burst of twice the limit across a
    window's edge. Refused requests count too (a script that keeps trying stays refused).
    """
    limit = LIMITS[bucket]
    window_start, elapsed = _window(timezone.now(), limit.seconds)
    previous_start = window_start - dt.timedelta(seconds=limit.seconds)
    current, previous = _count(user_id, bucket, window_start, previous_start)
    if current + previous * (1 - elapsed) <= limit.hits:
        return Verdict(True)
    return Verdict(False, _retry_after(limit, current, previous, elapsed))


def _retry_after(limit: Limit, current: int, previous: int, elapsed: float) -> int:
    """Seconds until the estimate falls back to the limit, if nothing more is asked."""
    if current >= limit.hits:
        # The current window must end, then weigh little enough as the previous one.
        wait = (1 - elapsed) + (1 - limit.hits / current)
    else:
        wait = (1 - (limit.hits - current) / previous) - elapsed
    return max(1, math.ceil(wait * limit.seconds))


def note_file_opened(*, user_id: int, participant_id: int) -> int:
    """Record that the user opened the file; returns how many distinct files they opened in
    the last hour. Past `FILES_ALERT`, logs one security alert per user and hour (CNIL
    2021-122: alert on abnormal consultation), for the monitoring that reads the logs."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH opened AS (
                INSERT INTO sites_fileopening (user_id, participant_id, at)
                VALUES (%(user)s, %(participant)s, %(now)s)
                ON CONFLICT (user_id, participant_id) DO UPDATE SET at = EXCLUDED.at
                RETURNING 1
            )
            SELECT count(*) + 1 FROM sites_fileopening
            WHERE user_id = %(user)s AND at > %(since)s AND participant_id <> %(participant)s
            """,
            {
                "user": user_id,
                "participant": participant_id,
                "now": now,
                "since": now - FILES_WINDOW,
            },
        )
        opened = cursor.fetchone()[0]
    if opened > FILES_ALERT:
        window_start, _ = _window(now, int(FILES_WINDOW.total_seconds()))
        first, _ = _count(user_id, "files_alert", window_start, window_start)
        if first == 1:
            logger.warning(
                "many participant files opened",
                extra={
                    "event": "security_alert",
                    "alert": "files_opened",
                    "user_id": user_id,
                    "files_last_hour": opened,
                    "threshold": FILES_ALERT,
                },
            )
    return opened


def purge(before: dt.datetime) -> int:
    """Delete counters and file openings older than `before` (apply_retention)."""
    from .models import FileOpening, RateCounter

    return (
        RateCounter.objects.filter(window_start__lt=before).delete()[0]
        + FileOpening.objects.filter(at__lt=before).delete()[0]
    )
