"""URL of the access history of a file (linked from the participant's file page)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "participants/<int:participant_pk>/consultations/",
        views.participant_access_log,
        name="participants_access_log",
    ),
]
