"""Second-factor pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("compte/double-authentification/", views.otp_setup, name="otp_setup"),
    path("compte/verification/", views.otp_verify, name="otp_verify"),
]
