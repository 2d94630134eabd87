"""Local development: `make run`."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-in-production")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The demo logs in with a password only unless OTP_REQUIRED_ROLES is set (docs/security.md).
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
# Links of the e-mails sent by the daily jobs point at the local server (make run).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
