"""Reporting URLs, mounted under /rapports/."""

from django.urls import path

from . import pack_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path(
        "<str:programme>/territoire/<slug:territory>/", views.territory_dashboard, name="territory"
    ),
    path(
        "<str:programme>/territoire/<slug:territory>/export.<str:export_fmt>",
        views.territory_dashboard,
        name="territory_export",
    ),
    path("<str:programme>/mes-structures/", views.own_dashboard, name="own"),
    path(
        "<str:programme>/mes-structures/export.<str:export_fmt>",
        views.own_dashboard,
        name="own_export",
    ),
    path("<str:programme>/territoires/", views.national, name="national"),
    path(
        "<str:programme>/territoires/export.<str:export_fmt>",
        views.national,
        name="national_export",
    ),
    path("deploiements/<int:pk>/", views.deployment_reports, name="deployment_reports"),
    path("pdf/<uuid:uuid>/", views.snapshot_detail, name="snapshot_detail"),
    path("pdf/<uuid:uuid>/telecharger/", views.snapshot_download, name="snapshot_download"),
    path("pdf/<uuid:uuid>/relancer/", views.snapshot_retry, name="snapshot_retry"),
    path("dossiers/", pack_views.pack_list, name="packs"),
    path("dossiers/<uuid:uuid>/", pack_views.pack_detail, name="pack_detail"),
    path("dossiers/<uuid:uuid>/export.xlsx", pack_views.pack_xlsx, name="pack_xlsx"),
]
