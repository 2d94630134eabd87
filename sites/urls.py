"""Accounts and the home page."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .tenancy.permissions import authenticated, public

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path(
        "connexion/",
        public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("deconnexion/", authenticated(auth_views.LogoutView.as_view()), name="logout"),
    path("structure/", views.switch_structure, name="switch_structure"),
    path("compte/", views.account, name="account"),
    # Password reset by e-mail (console backend by default, SMTP through settings).
    path(
        "mot-de-passe/oubli/",
        public(
            auth_views.PasswordResetView.as_view(
                subject_template_name="registration/password_reset_subject.txt",
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/fait/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
