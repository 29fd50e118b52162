"""Convene settings. The only module that reads the environment (through ``config.env``).

Two runtime shapes from one codebase:
- embedded default: SQLite file, in-memory channel layer, background work in-process, mail to a local
  mailbox folder;
- production: ``DATABASE_URL=postgres://…``, ``REDIS_URL=redis://…``, ``EMAIL_URL=smtp://…``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CONVENE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    # Embedded default: a per-installation key kept beside the SQLite file.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_DOMAIN = urlparse(SITE_URL).hostname or "localhost"
# Websocket origins allowed, compared by scheme, host and port (issue 14): the site itself and the trusted origins.
WEBSOCKET_ALLOWED_ORIGINS = env_list("WEBSOCKET_ALLOWED_ORIGINS", [SITE_URL, *CSRF_TRUSTED_ORIGINS])
# Served over TLS: secure cookies, HSTS and the HTTP→HTTPS redirect follow from SITE_URL, so the embedded demo over
# plain http on 127.0.0.1 keeps working and a production SITE_URL=https://… gets all three (docs/security.md).
HTTPS = SITE_URL.startswith("https://") and not DEBUG

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "panels",
    "agendas",
    "minutes",
    "notifications",
]

MIDDLEWARE = [
    "panels.http_limits.NoStoreMiddleware",  # outermost: every answer carrying child data is no-store
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "panels.sessions.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "panels.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "config" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "panels.context.navigation",
                "agendas.context.helpers",
                "notifications.context.unread",
            ],
        },
    },
    {
        # The Django admin keeps Django's own template language.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
_sqlite_path = env_str("SQLITE_PATH", str(VAR_DIR / "convene.sqlite3"))
_database_url = env_url("DATABASE_URL", schemes=("sqlite", "postgres", "postgresql", "pgsql"))
if _database_url:
    try:
        # Persistent connections (checked before reuse): every live-minutes keystroke is stored, and a new
        # PostgreSQL connection per store was the bottleneck of bench/minutes_load.py (docs/performance.md).
        _db = dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
                                    conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": _sqlite_path}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and background threads share the file.
    _db.setdefault("OPTIONS", {}).update(
        # IMMEDIATE: a transaction takes the write lock when it begins, so two writers queue (for up to
        # `timeout` s) instead of one failing with "database is locked" when it upgrades a read lock
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- channels ------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    # redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis's blocking pop (BZPOPMIN,
    # 5 s): every idle worker then fails its receive, crashing a socket (1011) and sometimes losing a message in
    # flight (django/channels_redis#422). A read timeout longer than the blocking pop keeps failure detection.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        },
        # Live-minutes relays between workers (minutes.live.hub): one PUBLISH per message, pushed to the
        # subscribers, where the default layer's queues cost several round trips per message received. It may
        # lose a message (a restart, a dropped connection) like the default layer; the rooms' catch-up finds it.
        "relay": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        },
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
                      "relay": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

from celery.schedules import crontab  # noqa: E402  (settings read top to bottom; kept beside its use)

# --- background work ------------------------------------------------------------------------------
# Production shape: Celery on the same Redis (config/celery.py), beat runs the daily jobs. Embedded
# shape: no broker; tasks run in-process when called, and cron runs the management commands.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "reminders-daily": {"task": "notifications.reminders_daily", "schedule": crontab(hour=7, minute=0),
                        "options": {"expires": 60 * 60 * 12}},
    # missed statutory timescales (issue 17.5): after the cohort's overnight import, before the working day
    "statutory-escalation-daily": {"task": "notifications.statutory_escalation_daily",
                                   "schedule": crontab(hour=7, minute=15), "options": {"expires": 60 * 60 * 12}},
    # debounced calendar updates and retries after a mail-server outage
    "outbox-deliver": {"task": "notifications.outbox_deliver", "schedule": 60.0, "options": {"expires": 55}},
    # the audit log's retention (AUDIT_RETENTION_DAYS); `manage.py prune_audit` from cron in the embedded shape
    "audit-prune-daily": {"task": "panels.audit_prune", "schedule": crontab(hour=3, minute=30),
                          "options": {"expires": 60 * 60 * 12}},
    # long jobs whose worker died (panels/jobs.py); the progress page checks its own job too
    "jobs-fail-stuck": {"task": "panels.jobs_fail_stuck", "schedule": 300.0, "options": {"expires": 290}},
}
# Long jobs (panels/jobs.py: the cohort import): on Celery in the production shape, in a thread of the
# process in the embedded one. A job in a running status for longer than JOB_TIMEOUT_SECONDS is failed.
JOBS_BACKEND = "celery" if REDIS_URL else "thread"
JOB_TIMEOUT_SECONDS = 15 * 60

# --- auth ----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "panels.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Idle expiry: a session ends SESSION_COOKIE_AGE seconds after the *last* request. panels.sessions refreshes the
# expiry at most once a SESSION_REFRESH_SECONDS (not SESSION_SAVE_EVERY_REQUEST: a write on every request).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 3600, minimum=300, maximum=24 * 3600)
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60, minimum=1, maximum=3600)
# Absolute lifetime: however active, a session ends this long after sign-in (a working day by default).
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 10, minimum=1, maximum=7 * 24)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from <meta name="csrf-token"> (and Swagger UI from its page)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3600, minimum=300, maximum=3 * 24 * 3600)

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT failures lock the account out for LOGIN_LOCKOUT_MINUTES.
# LOGIN_LOCKOUT_BY: comma-separated, each "username", "ip_address" or a combination joined by "+"; the default locks
# an account (password guessing) and, separately, an address (password spraying). The address is REMOTE_ADDR: behind
# a proxy run uvicorn with --proxy-headers --forwarded-allow-ips=<the proxy's address> so it is the client's.
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60))
_lockout_by = env_list("LOGIN_LOCKOUT_BY", ["username", "ip_address"])
_lockout_fields = {"username", "ip_address", "user_agent"}
for _item in _lockout_by:
    if not set(_item.split("+")) <= _lockout_fields:
        raise ImproperlyConfigured(
            f"LOGIN_LOCKOUT_BY has {_item!r}; use username, ip_address, user_agent or a combination joined by +")
AXES_LOCKOUT_PARAMETERS = [item.split("+") if "+" in item else item for item in _lockout_by]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "panels.account_views.locked_out"
AXES_VERBOSE = False

# Two-factor (django-otp, TOTP): required for the service's managers and coordinators and for panel chairs
# (panels.permissions.requires_two_factor); optional for everyone else. TWO_FACTOR_ENFORCED=false switches the
# middleware off (the test settings do, except in tests/security).
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Convene")

# Audit entries older than this are deleted by `manage.py prune_audit` (the only deletion path).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 6 * 365, minimum=30)

# --- transport security and browser policy ---------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes over plain http
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients): TRUSTED_PROXY_TLS=true.
if env_bool("TRUSTED_PROXY_TLS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: Chromium posts Origin: null under no-referrer and the CSRF check refuses it.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from this origin or with the response's nonce (the GOV.UK
# template's one-line js-enabled script); no inline handlers, no eval. Styles allow inline <style> (the PDF
# packs and Swagger UI) but never scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],  # 'self' covers ws(s):// to the same host (CSP level 3)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- i18n / time ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the build output too, so a fresh `npm run build` needs no collectstatic in dev.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
API_MAX_BODY_BYTES = 256 * 1024  # a JSON body of the API (panels.http_limits.BoundedJSONParser)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
COHORT_MAX_UPLOAD_BYTES = env_int("COHORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)

# --- email ---------------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:587?tls=1 | smtps://… | file:///path/to/mailbox | console: ;
# unset = the embedded default, a local mailbox folder the demo can show.
# Every email is written to the outbox first (notifications.outbox, in the transaction of the change that
# causes it); the outbox's worker hands it to the transport chosen here, retrying while it is down.
EMAIL_BACKEND = "notifications.outbox.OutboxBackend"
# Calendar updates wait this long for further changes, so a burst of edits sends one update.
INVITE_DEBOUNCE_SECONDS = env_int("INVITE_DEBOUNCE_SECONDS", 60, minimum=0, maximum=3600)
# Secret for POST /api/itip/replies/ (a mail gateway posting attendees' METHOD:REPLY emails); unset = off.
INBOUND_REPLY_TOKEN = env_str("INBOUND_REPLY_TOKEN", "")
_email_url = env_url("EMAIL_URL", schemes=("smtp", "smtps", "file", "console"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Convene <panels@convene.example>")
EMAIL_FILE_PATH = str(VAR_DIR / "mailbox")
if not _email_url:
    OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    _mail = urlparse(_email_url)
    if _mail.scheme in ("smtp", "smtps"):
        if not _mail.hostname:
            raise ImproperlyConfigured("EMAIL_URL names no host")
        OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = _mail.hostname
        EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
        EMAIL_HOST_USER = unquote(_mail.username or "")
        EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
        EMAIL_USE_SSL = _mail.scheme == "smtps"
        EMAIL_USE_TLS = parse_qs(_mail.query).get("tls", ["0"])[0] in ("1", "true")
        EMAIL_TIMEOUT = 20
    elif _mail.scheme == "file":
        OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        EMAIL_FILE_PATH = _mail.path
    else:
        OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # signed in; and no query parameter the operation does not take (a 400 naming it)
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "panels.http_limits.KnownQueryParameters"],
    "DEFAULT_PARSER_CLASSES": ["panels.http_limits.BoundedJSONParser"],  # size- and depth-limited
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Convene API",
    "DESCRIPTION": "Panels, meetings, children and agendas, with need-to-know access.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_SPLIT_PATCH": False,  # the one PATCH (an agenda slot) takes the whole slot, not a part of it
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"MappaNumberEnum": "panels.enums.MappaNumber"},
    # every operation documents its error responses (403/404/400 bodies: config/openapi.py)
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.openapi.add_error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "uvicorn.error": {"level": "WARNING"},  # every socket opened
                "axes": {"level": "WARNING"},  # axes logs every sign-in
                # the embedded shape runs Celery tasks in-process: a line per delivery run and kombu's warning about
                # the memory:// broker having no host buried the demo's logins (issue 15); workers keep theirs
                "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
                "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"}},
}
