"""Writes on a person's own account: their settings, and the daily digest's bookkeeping."""

import datetime as dt

from django.db.models import Q

from .models import User


def user_set_daily_digest(*, user: User, enabled: bool) -> None:
    """Opt in to (or out of) the daily digest of "Aujourd'hui" by e-mail."""
    User.objects.filter(pk=user.pk).update(daily_digest=enabled)
    user.daily_digest = enabled


def user_claim_daily_digest(*, user_id: int, day: dt.date) -> bool:
    """Take the right to send `day`'s digest to this person: True once per person and day,
    however many runs of the job overlap (a conditional UPDATE, atomic in PostgreSQL)."""
    return bool(
        User.objects.filter(pk=user_id, is_active=True, daily_digest=True)
        .filter(Q(daily_digest_done_on__isnull=True) | Q(daily_digest_done_on__lt=day))
        .update(daily_digest_done_on=day)
    )


def user_release_daily_digest(*, user_id: int, day: dt.date, previous: dt.date | None) -> None:
    """Give a claim back when the e-mail could not be sent, so the next run retries."""
    User.objects.filter(pk=user_id, daily_digest_done_on=day).update(daily_digest_done_on=previous)
