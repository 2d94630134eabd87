"""The weekly hours grid of a work site: one row per participant, saved in one submit."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sites.audit.models import AccessAction
from sites.audit.services import log_bulk_read
from sites.tenancy.permissions import policy
from web import bounds
from web.jinja2 import render_fragment
from web.links import url_for_ids

from .. import hours_grid, policies
from ..filters import DATE_INPUT_FORMATS


@require_GET
@policy(policies.can_work_on_files)
def hours_sites(request: HttpRequest) -> HttpResponse:
    """The work sites whose grid the person may fill, each linked to the current week."""
    year, week, _weekday = timezone.localdate().isocalendar()
    return render(
        request,
        "participants/hours/sites.html",
        {
            "work_sites": hours_grid.work_sites_for_hours(scope=request.scope),
            "year": year,
            "week": week,
        },
    )


@require_GET
@policy(policies.can_work_on_files)
def hours_this_week(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = hours_grid.work_site_get(scope=request.scope, pk=site_pk)
    day = timezone.localdate()
    if request.GET.get("jour"):
        try:
            # Typed as jj/mm/aaaa like every date of the site (ISO still accepted).
            asked = forms.DateField(input_formats=DATE_INPUT_FORMATS).clean(request.GET["jour"])
            # The grid is addressed by ISO year: 01/01/2000 lies in week 52 of 1999.
            if not bounds.year_in_bounds(asked.isocalendar()[0]):
                raise ValidationError("out of bounds")
            day = asked
        except ValidationError:
            messages.error(
                request,
                _("Date invalide : saisissez un jour de la semaine voulue, au format jj/mm/aaaa."),
            )
    year, week, _weekday = day.isocalendar()
    return redirect("participants:hours_grid", site_pk=site.pk, year=year, week=week)


@require_http_methods(["GET", "POST"])
@policy(policies.can_work_on_files)
def hours_grid_view(request: HttpRequest, site_pk: int, year: int, week: int) -> HttpResponse:
    site = hours_grid.work_site_get(scope=request.scope, pk=site_pk)
    try:
        week_start = hours_grid.week_monday(year, week)
    except ValueError:
        raise Http404 from None
    rows = hours_grid.grid_rows(scope=request.scope, work_site=site, week_start=week_start)
    if request.method == "POST":
        saved, refused = hours_grid.grid_save(
            rows=rows, data=request.POST, work_site=site, week_start=week_start, actor=request.user
        )
        conflicts = sum(1 for row in rows if row.conflict)
        if not refused and not conflicts:
            messages.success(
                request,
                _("Heures de la semaine enregistrées (%(n)s ligne(s) modifiée(s)).") % {"n": saved},
            )
            return redirect("participants:hours_grid", site_pk=site.pk, year=year, week=week)
        if refused:
            messages.warning(
                request,
                _(
                    "%(saved)s ligne(s) enregistrée(s) ; %(refused)s à corriger : "
                    "voir les messages en face des personnes."
                )
                % {"saved": saved, "refused": refused},
            )
        else:
            messages.warning(
                request,
                _(
                    "%(saved)s ligne(s) enregistrée(s) ; %(conflicts)s modifiée(s) entre-temps "
                    "par quelqu'un d'autre, non remplacée(s) : voir en face des personnes."
                )
                % {"saved": saved, "conflicts": conflicts},
            )
    # One row per person shown, even with two parcours on the site in the same week.
    shown = {row.participant.pk: row.participant for row in rows}
    log_bulk_read(request, participants=shown.values(), action=AccessAction.VIEW)
    previous_week = (week_start - dt.timedelta(days=7)).isocalendar()
    next_week = (week_start + dt.timedelta(days=7)).isocalendar()
    return render(
        request,
        "participants/hours/grid.html",
        {
            "site": site,
            "rows": rows,
            "rows_html": render_fragment(
                "participants/hours_rows.html",
                {"rows": rows, "detail_url": url_for_ids("participants:detail", "participant_pk")},
            ),
            "week_start": week_start,
            "week_end": week_start + dt.timedelta(days=6),
            "year": year,
            "week": week,
            "previous": {"year": previous_week[0], "week": previous_week[1]},
            "next": {"year": next_week[0], "week": next_week[1]},
            "errors_count": sum(1 for row in rows if row.errors),
            "conflicts_count": sum(1 for row in rows if row.conflict),
        },
    )
