"""What django-axes counts failures against: the account, however its e-mail is typed; and
the page it answers a locked account with."""

import math
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

# The longest e-mail address an account has (User.email); django-axes keeps what it counts
# against in 255 characters, so a longer typed name was a server error.
USERNAME_MAX = 254


def username_of(request, credentials) -> str:
    """`Camille@Example.org ` and `camille@example.org` are one account, so one counter.
    Past the longest address an account can have, the rest names no account."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()[:USERNAME_MAX]


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): the French 429 page, with
    `Retry-After` in seconds until the account's lock ends (15 minutes after its last failed
    attempt, AXES_COOLOFF_TIME)."""
    cool_off = get_cool_off(request)
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"cooloff_timedelta": cool_off},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(_seconds_left(username_of(request, credentials), cool_off))
    return response


def _seconds_left(username: str, cool_off: timedelta) -> int:
    last = AccessAttempt.objects.filter(username=username).aggregate(at=Max("attempt_time"))["at"]
    if last is None:
        return int(cool_off.total_seconds())
    left = (last + cool_off - timezone.now()).total_seconds()
    return max(1, min(math.ceil(left), int(cool_off.total_seconds())))
