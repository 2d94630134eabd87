"""Root URLconf."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("sites.audit.urls")),
    path("", include("sites.auth.urls")),
    path("participants/", include("participants.urls")),
    path("", include("sites.urls")),
    path("rapports/", include("reporting.urls")),
]
