"""Test settings: a strict harness on a real PostgreSQL database."""

import hashlib

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, TEMPLATES

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "https://sillon.test"
# A stable name, so `--reuse-db` (the default, see pyproject) finds the database of the last
# run; named after the checkout, so two checkouts sharing one server never share a test
# database. pytest-xdist adds a `_gw<n>` suffix per worker.
_CHECKOUT = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
DATABASES["default"]["TEST"] = {"NAME": f"test_sillon_{_CHECKOUT}"}
DATABASES["default"]["CONN_MAX_AGE"] = 0


class _UndefinedVariable(str):
    """Makes templates fail loudly on undefined variables instead of rendering ''."""

    def __mod__(self, other):
        raise NameError(f"Undefined template variable: {other!r}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _UndefinedVariable("%s")

# Serve static files from the source folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Background jobs run inline in tests, so a test sees their result at once.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Second factor off by default so tests log users in with force_login; tests/security turns
# it on where it is the subject (override_settings).
OTP_REQUIRED_ROLES: list[str] = []
