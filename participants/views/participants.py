"""The participant list, the participant's file, and creating or editing a participant."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sites.audit.models import AccessAction
from sites.audit.services import log_bulk_read, log_read
from sites.ratelimit.decorators import has_search, rate_limited
from sites.tenancy.permissions import policy
from web.tables import configure_table

from .. import policies, selectors, services
from ..enums import ParcoursStatus
from ..filters import ParticipantFilter
from ..forms import ParticipantForm
from ..models import Participant
from ..presentation.file import participant_file
from ..tables import ParticipantTable
from .base import current_structure_id
from .transfers import transferred_file

PER_PAGE = 50
# Query-string keys remembered between visits (the page number is not: a new visit
# starts at page 1 of the same selection).
REMEMBERED_KEYS = [*ParticipantFilter.base_filters, "sort"]
# A first visit shows the people currently accompanied (the "file active").
DEFAULT_FILTERS = urlencode({"status": ParcoursStatus.EN_COURS})


def _filters_session_key(structure_id: int) -> str:
    return f"participants.list.filters.{structure_id}"


def filtered_participants(request: HttpRequest, structure_id: int, params: QueryDict):
    """The FilterSet and the table of exactly what the list shows (the exports reuse it)."""
    queryset = selectors.participant_list(scope=request.scope, structure_id=structure_id)
    filterset = ParticipantFilter(
        params or None, queryset=queryset, scope=request.scope, structure_id=structure_id
    )
    table = ParticipantTable(filterset.qs, order_by=params.get("sort") or None)
    return filterset, table


@require_GET
@rate_limited("search", when=has_search)
@policy(policies.can_work_on_files)
def participant_list(request: HttpRequest) -> HttpResponse:
    structure_id = current_structure_id(request)
    session_key = _filters_session_key(structure_id)
    if "reset" in request.GET:
        # An explicit "everything" choice, remembered like any other.
        request.session[session_key] = ""
        return redirect("participants:list")
    remembered = {k: v for k, v in request.GET.lists() if k in REMEMBERED_KEYS and any(v)}
    if not request.GET:
        saved = request.session.get(session_key)
        if saved is None:
            saved = DEFAULT_FILTERS
        if saved:
            # Filters are remembered for the person: come back to the same selection.
            return redirect(f"{reverse('participants:list')}?{saved}")
    else:
        encoded = urlencode(remembered, doseq=True)
        if request.session.get(session_key) != encoded:
            request.session[session_key] = encoded
    filterset, table = filtered_participants(request, structure_id, request.GET)
    configure_table(request, table, per_page=PER_PAGE)
    # The page names the people it lists: one read-access row each (S21). The page's rows are
    # evaluated once here and rendered from the same list.
    table.page.object_list = list(table.page.object_list)
    log_bulk_read(
        request,
        participants=[row.record for row in table.page.object_list],
        action=AccessAction.VIEW,
    )
    export_query = urlencode(remembered, doseq=True)
    return render(
        request,
        "participants/list.html",
        {
            "filter": filterset,
            "table": table,
            "export_query": export_query,
            "is_filtered": bool(remembered),
            "current_sort": request.GET.get("sort", ""),
        },
    )


@require_GET
@policy(policies.can_work_on_files)
def participant_detail(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = selectors.participant_get_readable(
        scope=request.scope, pk=participant_pk, today=timezone.localdate()
    )
    if participant.structure_id not in request.scope.structure_ids:
        # A file this structure transferred, read-only for 30 days (docs/security.md §2).
        return transferred_file(request, participant)
    log_read(request, participant=participant, action=AccessAction.VIEW)
    file = participant_file(scope=request.scope, participant=participant)
    transfers = selectors.transfers_of_file(participant=participant)
    return render(
        request,
        "participants/detail.html",
        {
            "file": file,
            "p": participant,
            "can_exercise_rights": policies.can_exercise_rights(
                request.scope, participant.structure_id
            ),
            "can_read_access_log": policies.can_read_access_log(
                request.scope, participant.structure_id
            ),
            "can_transfer": policies.can_transfer(request.scope, participant.structure_id),
            "transfers": transfers,
            # Parcours in another structure exist only after a transfer.
            "parcours_elsewhere": transfers
            and selectors.parcours_elsewhere(participant=participant),
        },
    )


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def participant_create(request: HttpRequest) -> HttpResponse:
    structure_id = current_structure_id(request)
    structure = get_object_or_404(selectors.structures_of(scope=request.scope), pk=structure_id)
    form = ParticipantForm(
        request.POST or None,
        initial={"referent": request.user.pk},  # the person creating the file, usually
        scope=request.scope,
        structure_id=structure_id,
    )
    duplicates: list[Participant] = []
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        if request.POST.get("confirm_not_duplicate") != "1":
            duplicates = list(
                services.participant_find_duplicates(
                    structure=structure,
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                )
            )
        if not duplicates:
            try:
                participant = services.participant_create(
                    structure=structure, actor=request.user, **data
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("La fiche de %(p)s est créée.") % {"p": participant})
                return redirect("participants:detail", participant_pk=participant.pk)
    return render(
        request,
        "participants/participant_form.html",
        {"form": form, "duplicates": duplicates, "participant": None, "conflict": []},
    )


def _display(model_field, value) -> str:
    if value in (None, ""):
        return _("(vide)")
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def _conflict_lines(conflict: services.ConflictError, form: ParticipantForm) -> list[dict]:
    """For each field where the saved file differs from what was typed: both values."""
    lines = []
    for name in conflict.changed_fields:
        model_field = Participant._meta.get_field(name)
        lines.append(
            {
                "label": form.fields[name].label,
                "saved": _display(model_field, getattr(conflict.current, name)),
                "typed": _display(model_field, form.cleaned_data.get(name)),
            }
        )
    return lines


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def participant_update(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = selectors.participant_get(scope=request.scope, pk=participant_pk)
    form_kwargs = {"scope": request.scope, "structure_id": participant.structure_id}
    form = ParticipantForm(request.POST or None, instance=participant, **form_kwargs)
    form.fields["expected_version"].required = True
    conflict: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_update(
                participant=participant,
                actor=request.user,
                expected_version=form.cleaned_data["expected_version"],
                **form.service_fields(),
            )
        except services.ConflictError as error:
            conflict = _conflict_lines(error, form)
            # Keep what the person typed; a second save, after review, confirms it.
            data = request.POST.copy()
            data["expected_version"] = str(error.current.version)
            form = ParticipantForm(data, instance=error.current, **form_kwargs)
            form.is_valid()
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            log_read(request, participant=participant, action=AccessAction.EDIT)
            messages.success(request, _("Les modifications sont enregistrées."))
            return redirect("participants:detail", participant_pk=participant.pk)
    log_read(request, participant=participant, action=AccessAction.VIEW)
    return render(
        request,
        "participants/participant_form.html",
        {"form": form, "duplicates": [], "participant": participant, "conflict": conflict},
    )
