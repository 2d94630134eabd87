"""`rate_limited`: the views that export, print or search say so, and are refused past the
limits of `settings.RATE_LIMITS` (quality.md S23) with a 429 page that says when to retry."""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import services

logger = logging.getLogger("sillon.security")


def rate_limited(bucket: str, *, when: Callable[[HttpRequest], bool] | None = None):
    """Count the view's requests in `bucket` (every request, or those for which `when`
    is true, e.g. a list with a search typed in). The view carries `rate_limit = bucket`,
    so that a test can find every export, PDF or search view that forgot it."""
    if bucket not in settings.RATE_LIMITS:
        raise ValueError(f"Unknown rate-limit bucket {bucket!r}")

    def decorate(view):
        @functools.wraps(view)
        def limited(request: HttpRequest, *args, **kwargs):
            if request.user.is_authenticated and (when is None or when(request)):
                verdict = services.hit(request.user.pk, bucket)
                if not verdict.allowed:
                    logger.warning(
                        "request refused by a rate limit",
                        extra={
                            "event": "rate_limited",
                            "bucket": bucket,
                            "user_id": request.user.pk,
                            # The route's name, not its path: a path may hold a file's id.
                            "view": request.resolver_match.view_name
                            if request.resolver_match
                            else "",
                        },
                    )
                    return too_many_requests(request, verdict.retry_after)
            return view(request, *args, **kwargs)

        limited.rate_limit = bucket
        return limited

    return decorate


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, -(-retry_after // 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def asks_export(request: HttpRequest) -> bool:
    """A dashboard's route that serves its CSV or XLSX export (`export.<fmt>`)."""
    return bool(request.resolver_match and request.resolver_match.kwargs.get("export_fmt"))


def is_post(request: HttpRequest) -> bool:
    """A form that generates a document (a funder PDF) when posted."""
    return request.method == "POST"


def has_search(request: HttpRequest) -> bool:
    """A list with a search typed in (`q`)."""
    return bool(request.GET.get("q", "").strip())
