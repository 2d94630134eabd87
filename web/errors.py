"""The server-error page: an incident number the person can quote, logged with the traceback.

Django's own 404, 403 and 400 views render the templates of the same names (templates/);
the 500 view is ours so that the page and the log share a number. The page is rendered
without the request's context: nothing on it may need the database that may have failed.
"""

import logging
import secrets

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from .logfilters import request_route

logger = logging.getLogger("sillon.incidents")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponseServerError:
    incident = secrets.token_hex(4).upper()
    # The route name only: a path holds ids, a query string what people typed (a name).
    logger.error(
        "Incident %s: server error on %s %s",
        incident,
        request.method,
        request_route(request),
        exc_info=True,
    )
    page = loader.get_template("500.html").render({"incident": incident})
    return HttpResponseServerError(page)
