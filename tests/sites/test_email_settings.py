"""E-mail settings from one EMAIL_URL (django-environ): the console by default, SMTP with
STARTTLS or implicit TLS from the URL, and the variables of earlier releases refused rather
than silently ignored."""

import os
import subprocess
import sys

from django.conf import settings

READ = (
    "import config.settings.base as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
    "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, repr(s.SITE_URL))"
)


def _settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SITE_URL"))}
    return subprocess.run(  # noqa: S603 — our own interpreter, a fixed program
        [sys.executable, "-c", READ],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_console_by_default_and_smtp_from_the_url():
    default = _settings()
    assert default.returncode == 0, default.stderr
    assert default.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"
    assert default.stdout.strip().endswith("''")  # no SITE_URL unless set
    starttls = _settings(
        EMAIL_URL="smtp+tls://sillon%40example.org:p%40ss%3Aword@smtp.example.org:587",
        SITE_URL="https://sillon.example.org/",
    )
    assert starttls.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "sillon@example.org",
        "p@ss:word",
        "True",
        "False",
        "'https://sillon.example.org'",
    ]
    implicit = _settings(EMAIL_URL="smtp+ssl://u:p@smtp.example.org:465")
    assert implicit.stdout.split()[2:7] == ["465", "u", "p", "False", "True"]


def test_the_variables_of_earlier_releases_are_refused():
    old = _settings(EMAIL_HOST="smtp.example.org", EMAIL_PORT="587")
    assert old.returncode != 0
    assert "ImproperlyConfigured" in old.stderr and "EMAIL_URL" in old.stderr
