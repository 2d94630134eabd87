""" "Qui a consulté ce dossier ?": the access history of one file, for its structure's managers."""

import django_tables2 as tables
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sites.audit.models import AccessAction, AccessLog
from sites.audit.services import log_read
from sites.tenancy.permissions import authorize, policy
from web.tables import configure_table

from .. import policies, selectors

PER_PAGE = 50


class AccessLogTable(tables.Table):
    at = tables.DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Date et heure"))
    actor = tables.Column(verbose_name=_("Personne"), orderable=False)
    actor_role = tables.Column(verbose_name=_("Rôle"))
    action = tables.Column(verbose_name=_("Action"))
    reason = tables.Column(verbose_name=_("Motif"), orderable=False)

    class Meta:
        model = AccessLog
        fields = ("at", "actor", "actor_role", "action", "reason")
        order_by = ("-at",)
        empty_text = _("Aucun accès enregistré.")
        attrs = {"class": "table table-sm table-striped align-middle"}

    def render_actor(self, value):
        return value.get_full_name() or value.email


@require_GET
@policy(policies.can_work_on_files, hidden=True)
def participant_access_log(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """Managers of the file's structure only (`policies.can_read_access_log`); a file
    outside the scope is a 404 like a missing one (so is the page for people who see no
    file), a caseworker of the structure gets a 403."""
    participant = selectors.participant_get(scope=request.scope, pk=participant_pk)
    scope = request.scope
    authorize(request, policies.can_read_access_log, participant.structure_id)
    # The page names the person, so opening it is itself an access to the file.
    log_read(request, participant=participant, action=AccessAction.VIEW)
    table = AccessLogTable(
        selectors.access_log_for_participant(scope=scope, participant=participant)
    )
    configure_table(request, table, per_page=PER_PAGE)
    return render(
        request, "participants/access_log.html", {"participant": participant, "table": table}
    )
