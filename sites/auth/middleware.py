"""Session expiry and the second-factor step, enforced for every authenticated request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from .policies import must_verify

AUTH_AT = "sillon_auth_at"
SEEN_AT = "sillon_seen_at"
# The last-activity stamp is refreshed at most once a minute, so most requests write nothing.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Idle timeout (`SESSION_IDLE_TIMEOUT`, 30 min) and absolute lifetime
    (`SESSION_ABSOLUTE_TIMEOUT`, 12 h) of authenticated sessions (ASVS 3.3.1/3.3.2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(AUTH_AT, now)
            seen = session.setdefault(SEEN_AT, now)
            if (
                now - seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                # Shown when the message storage is already set up for this request.
                messages.info(
                    request, _("Votre session a expiré : reconnectez-vous."), fail_silently=True
                )
            elif now - seen >= SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)


def stamp_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the absolute lifetime counts from the password step."""
    now = int(time.time())
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


# Switching language is harmless before the second factor (it only sets a cookie).
OPEN_URL_NAMES = frozenset({"logout", "otp_verify", "otp_setup", "healthz", "set_language"})


class SecondFactorMiddleware:
    """An authenticated session without its second factor reaches only the second-factor
    pages and logout; everything else redirects there (quality.md S10)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match and match.url_name in OPEN_URL_NAMES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if not must_verify(user, request.scope):
            return None
        target = "otp_verify" if user_has_device(user, confirmed=True) else "otp_setup"
        url = reverse(target)
        next_url = request.get_full_path()
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            url += "?" + urlencode({"next": next_url})
        return redirect(url)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to an authenticated user (S14)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response
