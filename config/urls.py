"""Root URLconf."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from sites.tenancy.permissions import public

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's language switcher (what `include("django.conf.urls.i18n")` gives), public so the
    # login page can switch too: it only sets the language cookie and redirects within the site.
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("sites.audit.urls")),
    path("", include("sites.auth.urls")),
    path("participants/", include("participants.urls")),
    path("", include("sites.urls")),
    path("rapports/", include("reporting.urls")),
]

# A numbered incident page, logged with its traceback (sites/errors.py).
handler500 = "sites.errors.server_error"
