"""S13 deployment configuration, S14 headers (quality.md §3.1)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**settings: str) -> dict[str, str]:
    """The environment of a production process: the browser tests of this same run set
    DJANGO_ALLOW_ASYNC_UNSAFE (Playwright's event loop), which production never has."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **settings}


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="sillon.example.org")
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_values():
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(50))
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.OTP_REQUIRED_ROLES)"
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == (
        "False True True True True True Lax ['MANAGER', 'COORDINATOR', 'FUNDER', 'ADMIN']"
    )


@pytest.mark.django_db
def test_authenticated_pages_are_never_cached(client, caseworker_a):
    client.force_login(caseworker_a)
    response = client.get(reverse("participants:list"), follow=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_scripts_and_framing(client):
    response = client.get(reverse("login"))
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
