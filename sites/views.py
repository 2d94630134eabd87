"""Home page, the person's own account, health checks and the structure switcher."""

import os

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device

from .active_structure import set_active_structure
from .forms import DailyDigestForm
from .services import user_set_daily_digest
from .tenancy.permissions import authenticated, may_open, public

# The reporting dashboards, in order of preference, for people who see no person.
DASHBOARD_URL_NAMES = ["reporting:dashboard", "reporting:home", "reporting:index"]


def _dashboard_url() -> str | None:
    for name in DASHBOARD_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@require_GET
@authenticated
def home(request: HttpRequest) -> HttpResponse:
    """Caseworkers and managers land on "Aujourd'hui"; other roles on the dashboards."""
    if may_open(request, "participants:today"):
        return redirect("participants:today")
    dashboard = _dashboard_url()
    if dashboard and request.scope.sees_aggregates:
        return redirect(dashboard)
    return render(request, "sites/home.html")


@require_http_methods(["GET", "POST"])
@authenticated
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: who they are, their second factor, and the daily digest
    of "Aujourd'hui" (offered to those who have one: caseworkers and managers)."""
    user = request.user
    offers_digest = request.scope.sees_persons
    # An unchecked box posts nothing: an empty POST is still a submitted form.
    data = request.POST if request.method == "POST" else None
    form = DailyDigestForm(data, initial={"daily_digest": user.daily_digest})
    if request.method == "POST":
        if not offers_digest:
            raise PermissionDenied
        if form.is_valid():
            enabled = form.cleaned_data["daily_digest"]
            user_set_daily_digest(user=user, enabled=enabled)
            messages.success(
                request,
                _("Vous recevrez le résumé quotidien par e-mail.")
                if enabled
                else _("Vous ne recevrez plus le résumé quotidien."),
            )
            return redirect("account")
    return render(
        request,
        "sites/account.html",
        {
            "form": form,
            "offers_digest": offers_digest,
            "has_second_factor": user_has_device(user, confirmed=True),
        },
    )


@require_POST
@authenticated
def switch_structure(request: HttpRequest) -> HttpResponse:
    """Make another of the person's structures the active one (its lists, its new files)."""
    raw = request.POST.get("structure", "")
    if raw.isdecimal() and set_active_structure(request, int(raw)):
        messages.success(request, _("Structure active changée."))
    else:
        messages.error(request, _("Cette structure ne fait pas partie des vôtres."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    # A file of the previous structure stays reachable, but lists start again at the top.
    if next_url.startswith(reverse("participants:list")) and "?" in next_url:
        next_url = next_url.split("?", 1)[0]
    return redirect(next_url)


@require_GET
@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def _ready_checks() -> dict[str, bool]:
    """Readiness of each dependency: the database (SELECT 1) and the uploads folder."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            checks["database"] = cursor.fetchone() == (1,)
    except DatabaseError:
        checks["database"] = False
    media = str(settings.MEDIA_ROOT)
    checks["storage"] = os.path.isdir(media) and os.access(media, os.W_OK)
    return checks


@require_GET
@public
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness (quality.md R7): 200 when every dependency answers, else 503. Names only:
    no version, host name or error text."""
    checks = _ready_checks()
    body = "\n".join(f"{name}: {'ok' if ok else 'down'}" for name, ok in checks.items())
    status = 200 if all(checks.values()) else 503
    return HttpResponse(body, content_type="text/plain", status=status)
