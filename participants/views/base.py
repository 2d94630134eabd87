"""Helpers shared by the participants' views.

Who may open these screens is declared on each view with
`@policy(policies.can_work_on_files)` (sites.tenancy.permissions): coordinators and funders
get a 403 before the view runs.
"""

from django.http import HttpRequest

from sites.active_structure import active_structure_id
from sites.audit.models import AccessAction
from sites.audit.services import log_read


def current_structure_id(request: HttpRequest) -> int:
    """The structure whose list is shown and where new files go."""
    return active_structure_id(request)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def log_file_access(request: HttpRequest, participant) -> None:
    """One read-access row for a page that names the person (quality.md S21): a GET reads
    the file, a POST works on it."""
    action = AccessAction.EDIT if request.method == "POST" else AccessAction.VIEW
    log_read(request, participant=participant, action=action)
