"""Settings shared by every environment; everything variable is read from the environment.

One reader (django-environ) reads the process environment and, when present, a `.env` file
at the project root. Every variable is documented in `.env.example`.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's widget templates for FORM_RENDERER (TemplatesSetting renders with our engine).
    "django.forms",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sites",
    "sites.audit",
    "sites.ratelimit",
    "programmes",
    "participants",
    "reporting",
    "demo",
    # After the project's apps: `manage.py db_worker` is sites' (a worker that waits for
    # its database, sites/worker.py), not django-tasks-db's own.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # `request.user.is_verified()`: has this session passed its second factor?
    "django_otp.middleware.OTPMiddleware",
    # Idle (30 min) and absolute (12 h) session expiry, before anything uses the user.
    "sites.auth.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sites.tenancy.middleware.ScopeMiddleware",
    # A NUL byte in the path or the query string: 400 (the error page needs the scope),
    # before any view or lookup meets it.
    "web.nul_bytes.RefuseNulBytesMiddleware",
    # Right after the scope: the rest of the request runs as the `sillon_web` database role
    # with row-level security set to the scope's structures (docs/security.md).
    "sites.tenancy.middleware.RowLevelSecurityMiddleware",
    # Who and which URL caused each history event (writes only: a GET must not write).
    "pghistory.middleware.HistoryMiddleware",
    # Sessions still lacking their second factor reach only the TOTP pages.
    "sites.auth.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Authenticated pages hold personal data: never cached by browsers or proxies.
    "sites.auth.middleware.NoStoreMiddleware",
    # django-axes must come last (it reads the response of failed logins).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "participants.today_badge.today_badge",
            ],
        },
    },
    # Hot fragments only (web/jinja2.py): rendered with `using="jinja2"`, never a whole page.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "web.jinja2.environment"},
    },
]


def _database() -> dict:
    """DATABASE_URL, with a Unix-socket host given percent-encoded (as localdb.py prints it)."""
    config = env.db_url("DATABASE_URL", default="postgres://postgres@localhost/sillon")
    config["HOST"] = unquote(config.get("HOST", ""))
    config["ATOMIC_REQUESTS"] = True
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    # Runaway queries fail fast instead of holding a worker (les-emplois values). No JIT
    # compilation: the territory walks' estimates (hundreds of thousands of rows for a few
    # hundred) put the dashboards' statements over `jit_above_cost`, and a PostgreSQL built
    # with LLVM (Debian's) then compiled them on every request — 1.7–1.9 s a coordinator
    # dashboard instead of 26–28 ms (docs/performance.md). Every migrate sets it as the
    # database's default too (sites/database_settings.py), for connections through a pooler
    # (no `options` there), the worker and psql.
    # Options given in the URL's query (sslmode, target_session_attrs, …) are kept.
    config["OPTIONS"] = {
        **config.get("OPTIONS", {}),
        "options": "-c statement_timeout={} -c lock_timeout={} -c jit=off".format(
            env.int("DB_STATEMENT_TIMEOUT_MS", default=10_000),
            env.int("DB_LOCK_TIMEOUT_MS", default=5_000),
        ),
    }
    return config


DATABASES = {"default": _database()}


def _reporting_database() -> dict:
    """Reporting reads (sites/tenancy/replica.py): a hot standby when REPORTING_DATABASE_URL
    is set, else the same database through a second alias that nothing uses (reports then
    read the primary's connection). Never ATOMIC_REQUESTS (a request must not open a replica
    transaction it does not use); tests mirror `default`."""
    config = dict(DATABASES["default"], ATOMIC_REQUESTS=False, TEST={"MIRROR": "default"})
    url = env.str("REPORTING_DATABASE_URL", default="")
    if url:
        replica = env.db_url_config(url)
        for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
            config[key] = unquote(replica.get(key) or "") if key == "HOST" else replica.get(key)
        # A standby that does not answer costs a request 3 s once, then reports read the
        # primary for 30 s (replica.RETRY_AFTER_SECONDS).
        config["OPTIONS"] = dict(
            config["OPTIONS"], connect_timeout=env.int("REPORTING_CONNECT_TIMEOUT", default=3)
        )
    return config


DATABASES["reporting"] = _reporting_database()


def transaction_pooler(config: dict) -> dict:
    """A connection through a transaction pooler (PgBouncer `pool_mode = transaction`), where
    consecutive transactions of one client may run on different server connections and one
    server connection serves many clients (docs/deployment.md §7):

    - no server-side cursors (`.iterator()` would DECLARE a cursor WITH HOLD outside the
      transaction, on a server connection the next statement may not get);
    - no prepared statements (psycopg prepares a query run 5 times on a connection: its name
      would exist on one server connection and not on the next, or clash with another
      client's);
    - no `options` startup parameter (PgBouncer refuses it): the statement and lock timeouts
      are then set on the login role (`ALTER ROLE … SET statement_timeout = '10s'`), and
      `jit = off` comes from the database's default (sites/database_settings.py).

    Row-level security needs nothing more: the role and `app.structure_ids` are set with
    `set_config(..., true)`, transaction-local (sites/tenancy/rls.py).
    """
    options = {k: v for k, v in config.get("OPTIONS", {}).items() if k != "options"}
    options["prepare_threshold"] = None
    return {**config, "OPTIONS": options, "DISABLE_SERVER_SIDE_CURSORS": True}


# "transaction" when DATABASE_URL (and REPORTING_DATABASE_URL) go through PgBouncer in
# transaction mode; empty for a direct connection.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER == "transaction":
    DATABASES = {alias: transaction_pooler(config) for alias, config in DATABASES.items()}
elif DATABASE_POOLER:
    raise ImproperlyConfigured("DATABASE_POOLER is 'transaction' or empty.")
# True when reports read a replica; False: they read the primary, as a single server does.
REPORTING_REPLICA = bool(env.str("REPORTING_DATABASE_URL", default=""))
DATABASE_ROUTERS = ["config.routers.ReportingReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sites.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates stay dd/mm/yyyy in English too (config/formats/en): Django's own `en` formats would
# read a typed 03/04/2025 as March 4th.
FORMAT_MODULE_PATH = ["config.formats"]
# The switcher's cookie (django.views.i18n.set_language): no script reads it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded spreadsheets are kept outside any publicly served folder.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# E-mail (password resets, the daily digest): one URL, read by django-environ.
# `consolemail://` prints e-mails on the console (the default: development);
# `smtp+tls://USER:PASSWORD@smtp.example.org:587` (STARTTLS) or `smtp+ssl://…:465` (implicit
# TLS) in production, the user and password percent-encoded. The separate EMAIL_HOST,
# EMAIL_PORT… variables of earlier releases are refused, so an upgrade cannot silently fall
# back to the console.
_LEGACY_EMAIL = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER"]
_LEGACY_EMAIL += ["EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS"]
if "EMAIL_URL" not in env.ENVIRON and any(name in env.ENVIRON for name in _LEGACY_EMAIL):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and "
        "EMAIL_USE_TLS are replaced by EMAIL_URL (docs/configuration.md), e.g. "
        "EMAIL_URL=smtp+tls://user:password@smtp.example.org:587"
    )
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# Seconds before an unanswering SMTP server fails the send (never a hung daily job).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sillon <no-reply@sillon.localhost>")
# The site's address as people open it, for the links of e-mails sent outside a request
# (the daily digest): `https://sillon.example.org`. `send_today_digest` refuses to run
# without it (config.settings.dev sets the local server's).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

# Sessions: 30 minutes idle, 12 hours in all (ASVS 4.0.3 L2 3.3.1/3.3.2), enforced by
# sites.auth.middleware.SessionTimeoutMiddleware; the cookie itself never outlives 12 h.
# Django's database sessions, loaded with one plain statement (sites/auth/sessions.py).
SESSION_ENGINE = "sites.auth.sessions"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout: 5 failures in 15 minutes lock the account (whatever the IP) for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "sites.auth.lockout.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same page, with Retry-After (seconds until the lock ends).
AXES_LOCKOUT_CALLABLE = "sites.auth.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# axes.W006 asks for an IP-based lockout too. Deliberately not: a structure's whole office
# often shares one public IP, and 5 failures across colleagues would lock everyone out.
# Spraying from one IP is throttled at the reverse proxy instead (docs/security.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Anti-automation (S23, sites/ratelimit): per user, at most (requests, seconds) in any window
# of that length; past RATE_LIMIT_FILES_ALERT distinct files opened in an hour, one alert.
RATE_LIMITS = {
    "export": (30, 600),  # exports and PDFs: 30 per 10 minutes
    "search": (120, 60),  # searches: 120 a minute
}
RATE_LIMIT_FILES_ALERT = 50

# Second factor (TOTP). Required for these roles (ADMIN = staff and superusers); available
# to everyone. The demo (config.settings.dev) turns the requirement off unless set.
OTP_REQUIRED_ROLES = env.list(
    "OTP_REQUIRED_ROLES", default=["MANAGER", "COORDINATOR", "FUNDER", "ADMIN"]
)
OTP_TOTP_ISSUER = "Sillon"

# Content-Security-Policy: everything from our own origin, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Retention (docs/security.md §6): files 2 years after the last contact (CNIL 2023-095),
# read-access log 12 months (CNIL 2021-122). `manage.py apply_retention` enforces both.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=730)
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=365)
# An uploaded spreadsheet never imported (analysed, failed or abandoned mid-way) is deleted
# with its report this many days after its last change (apply_retention).
IMPORT_PENDING_RETENTION_DAYS = env.int("IMPORT_PENDING_RETENTION_DAYS", default=7)

# "Aujourd'hui" (participants/today.py): a person accompanied with no contact for this many
# weeks is listed; contracts ending within CONTRACT_END_NOTICE_DAYS; follow-up checks shown
# this many days before they are due; a last check still recorded this long after the
# follow-up's end.
TODAY_NO_CONTACT_WEEKS = env.int("TODAY_NO_CONTACT_WEEKS", default=6)
TODAY_CONTRACT_END_DAYS = env.int("TODAY_CONTRACT_END_DAYS", default=30)
TODAY_CHECK_NOTICE_DAYS = env.int("TODAY_CHECK_NOTICE_DAYS", default=14)
FOLLOWUP_LATE_DAYS = env.int("FOLLOWUP_LATE_DAYS", default=60)
# The navigation's count of "Aujourd'hui" is recomputed when older than this.
TODAY_BADGE_SECONDS = 300

PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Every form field is rendered by templates/forms/field.html (web/forms.py).
FORM_RENDERER = "web.forms.FormRenderer"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# One JSON object per line (quality.md S22), for the log collector: level, logger, message,
# a UTC timestamp, and the traceback as one escaped field. LOG_FORMAT=text for a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # No URL, query string, form value or request object in any line (docs/security.md §3):
    # route names and status codes instead (web/logfilters.py). On every handler.
    "filters": {"person_free": {"()": "web.logfilters.PersonFreeRecords"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="json"),
            "filters": ["person_free"],
        }
    },
    # Django's own loggers lose their handlers (a plain console under DEBUG, mail_admins, the
    # development server's line with the full URL) and go through the root handler above;
    # SQL with its parameters (django.db.backends, DEBUG level) is never logged.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Background jobs (funder PDF rendering, the import's analysis, …): rows in PostgreSQL, run
# by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A funder report still waiting for its PDF this long after it was queued is shown as
# stalled, with a button to render it again (the worker stopped mid-way, or never ran).
REPORT_STALLED_AFTER_MINUTES = env.int("REPORT_STALLED_AFTER_MINUTES", default=10)

# Reading an uploaded spreadsheet (docs/import-format.md, docs/security.md): bounds checked
# while reading, beyond the 5 MB upload cap. The analysis runs in the background worker.
IMPORT_MAX_UNCOMPRESSED_MB = env.int("IMPORT_MAX_UNCOMPRESSED_MB", default=100)
IMPORT_MAX_ZIP_MEMBERS = env.int("IMPORT_MAX_ZIP_MEMBERS", default=200)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_MAX_LINE_CHARS = env.int("IMPORT_MAX_LINE_CHARS", default=65_536)
IMPORT_READ_SECONDS = env.int("IMPORT_READ_SECONDS", default=60)
