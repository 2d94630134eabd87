"""The project's URLconf plus a view that fails, to test the server-error page (S24)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as project_urlpatterns


@login_not_required
def fails(request):
    raise ValueError("SELECT secret FROM participants_participant WHERE last_name = 'S24-SECRET'")


urlpatterns = [*project_urlpatterns, path("boom/", fails)]

__all__ = ["handler500", "urlpatterns"]
