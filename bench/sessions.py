"""Logged-in sessions for benchmarks and load tests, second factor included.

Generated accounts have no usable password. A session is written the way a real login
writes it (user, backend, password hash, and the confirmed TOTP device django-otp checks),
so requests go through every middleware exactly as a verified user's would.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def verified_session_key(user) -> str:
    """A new session of `user` that has passed its second factor; returns the session key."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = MODEL_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key


def login_client(client, user) -> None:
    """Give a django.test.Client the verified session of `user`."""
    client.cookies[settings.SESSION_COOKIE_NAME] = verified_session_key(user)
