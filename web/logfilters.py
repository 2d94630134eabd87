"""Log records without persons (docs/security.md §3, S22).

A URL can hold what a person typed (a name searched: `?q=Hervé`) and a path segment a file's
id; the request object Django attaches to its records prints both (`<WSGIRequest: GET
'/participants/?q=…'>`). `PersonFreeRecords`, a filter on every handler of `LOGGING`,
rewrites the records of Django's loggers (`django.request`, `django.security.*`,
`django.server`) and of the server (`gunicorn.*`), and any record carrying a `request`:

- the request becomes its method and route name (`GET participants:list`), never its path,
  query string or body;
- a URL path in the message or its arguments (`Not Found: /participants/12/`, a request
  line) becomes the route name it resolves to, or `-`;
- a suspicious operation (`django.security.*` but CSRF) keeps its logger name, route and
  status only: its text and traceback may quote what was sent.

The status code stays (`status_code`). Our own loggers already log route names only; their
records pass untouched.
"""

import logging
import re
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import resolve

UNRESOLVED = "-"
# A URL path with whatever follows it up to a space or a quote: query string, fragment.
_PATH = re.compile(r"(?<![\w.])/[^\s\"'<>]*")
_REWRITTEN = ("django.", "gunicorn.")


def route_name(path: str) -> str:
    """The route name a URL path resolves to (`participants:detail`), else `-`."""
    try:
        return resolve(urlsplit(path).path).view_name
    except Exception:  # noqa: BLE001 — a log line must never fail on a malformed path
        return UNRESOLVED


def request_route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else route_name(request.path_info)


def without_paths(text: str) -> str:
    """`text` with every URL path (and its query string) replaced by its route name."""
    return _PATH.sub(lambda found: route_name(found.group()), text)


def _clean(value):
    return without_paths(value) if isinstance(value, str) else value


class PersonFreeRecords(logging.Filter):
    """Rewrites, in place, the records that may hold a URL (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is None and not record.name.startswith(_REWRITTEN):
            return True
        route = UNRESOLVED
        if isinstance(request, HttpRequest):
            route = request_route(request)
            record.request = f"{request.method} {route}"
        elif isinstance(request, str):  # rewritten already (by another handler's filter)
            route = request.rpartition(" ")[2]
        elif request is not None:  # the development server attaches its socket
            record.request = UNRESOLVED
        if record.name.startswith("django.security.") and record.name != "django.security.csrf":
            record.msg = "Suspicious request (%s) on %s"
            record.args = (record.name.rsplit(".", 1)[-1], route)
            record.exc_info = None
            record.exc_text = None
            return True
        record.msg = _clean(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_clean(value) for value in record.args)
        return True
