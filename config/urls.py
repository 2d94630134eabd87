"""Root URLconf."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from participants.views.access_log import participant_access_log
from sites.tenancy.permissions import public

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's language switcher (what `include("django.conf.urls.i18n")` gives), public so the
    # login page can switch too: it only sets the language cookie and redirects within the site.
    path("i18n/setlang/", public(set_language), name="set_language"),
    # Outside the participants namespace since its first release (templates and links use it).
    path(
        "participants/<int:participant_pk>/consultations/",
        participant_access_log,
        name="participants_access_log",
    ),
    path("", include("sites.auth.urls")),
    path("participants/", include("participants.urls")),
    path("", include("sites.urls")),
    path("rapports/", include("reporting.urls")),
]

# A numbered incident page, logged with its traceback (web/errors.py).
handler500 = "web.errors.server_error"
