"""Settings for the Chashan Safety Portal.

Every deployment value is read from the environment with the strict helpers in
``chashan_safety.env``; the defaults suit a laptop with no database or broker
server (SQLite and a file-system Celery broker under ``var/``).
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chashan_safety.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CHASHAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, beat's schedule and the laptop broker live here

DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET = "dev-only-not-secret-0b6f4c1e8a9d4f7e9c2a5b3d1e6f8a7c"  # noqa: S105 (laptop default only)  # nosec B105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "chashan_safety",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form widget templates, for the renderer below
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "simple_history",
    "axes",
    "responsibility",
    "inspections",
    "incidents",
    "outreach",
    "dashboard",
    "supervision",
    "duty",
]

MIDDLEWARE = [
    # first: every response, error pages included, carries X-Request-ID, and every log line of a request its id
    "chashan_safety.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # before anything reads the body: a body larger than MAX_REQUEST_BODY_BYTES is refused with 413
    "chashan_safety.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chashan_safety.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, so that it sees the outcome of authentication
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chashan_safety.urls"
WSGI_APPLICATION = "chashan_safety.wsgi.application"

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
                "chashan_safety.context_processors.portal",
            ],
        },
    },
]

# Form widgets render through the project's templates, so that templates/django/forms/ may override one: an
# empty choice reads "— 请选择 —" instead of Django's "---------"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite under var/ unless DATABASE_URL names another.
DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chashan.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
# Errors and outages: connections are health-checked before reuse (CONN_HEALTH_CHECKS, set by
# parse_database_url), so a page after PostgreSQL comes back reconnects; a server that does not answer
# fails a request after DATABASE_CONNECT_TIMEOUT seconds (503) instead of hanging it.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "chashan_safety.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out username + address before the password is checked
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the inbox badge with the user
    "chashan_safety.auth.PortalBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "chashan_safety.auth.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out: a username is locked from one address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "chashan_safety.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind nginx, the client's address is the entry that the trusted proxies added to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "chashan_safety.views.client_ip"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# the age counts from the last request (renewed at most every SESSION_TOUCH_INTERVAL seconds by
# chashan_safety.middleware.IdleSessionMiddleware): sessions expire after inactivity
SESSION_TOUCH_INTERVAL = env_int("SESSION_TOUCH_INTERVAL", 300, minimum=0)

# --- Two-factor sign-in (chashan_safety/twofactor.py) ---------------------------------------------------
# A code from an authenticator app (TOTP) after the password: required for town administrators, leadership
# and staff (CHASHAN_REQUIRE_2FA=0 turns the requirement off), optional for the other roles. The verified
# state lives in the session, so it ends with the session.
CHASHAN_REQUIRE_2FA = env_bool("CHASHAN_REQUIRE_2FA", True)
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("chashan_safety.middleware.IdleSessionMiddleware") + 1,
    "chashan_safety.twofactor.TwoFactorMiddleware",
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "茶山镇安全生产监管平台")  # the name the authenticator app shows
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # Django's admin never shows a secret key or its QR code
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]  # wrong codes count, and are logged masked
# --- end of two-factor sign-in ----------------------------------------------------------------------------

# Internationalisation: Simplified Chinese by default, English as a switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- protected media behind nginx (deploy/nginx/chashan.conf) ---
# An `internal` nginx location aliased to MEDIA_ROOT, e.g. "/protected-media/": a view checks who may
# see a photo, then answers with X-Accel-Redirect and nginx sends the file (chashan_safety/files.py).
# Empty: Django streams the file itself.
PROTECTED_MEDIA_ACCEL_PREFIX = env_str("PROTECTED_MEDIA_ACCEL_PREFIX", "")
if PROTECTED_MEDIA_ACCEL_PREFIX and not (
    PROTECTED_MEDIA_ACCEL_PREFIX.startswith("/") and PROTECTED_MEDIA_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        f"PROTECTED_MEDIA_ACCEL_PREFIX={PROTECTED_MEDIA_ACCEL_PREFIX!r} must start and end with '/', "
        "e.g. /protected-media/."
    )
# --- end protected media ---

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# a list filter left empty reads "All", not Django's "---------"
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# E-mail: EMAIL_URL such as smtp://user:password@mail.example.org:25; the console by default.
globals().update(parse_email_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "茶山镇安全生产监管平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when CELERY_BROKER_URL names it; otherwise a broker on the file system under var/.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Nothing is scheduled in the broker for longer than this; unacknowledged tasks come back after it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    }
# Errors and outages: a web request that publishes a task while Redis is down or hung gives up
# after a few seconds (the caller catches kombu's OperationalError) instead of waiting forever.
# (The file-system broker ignores these options.)
CELERY_BROKER_SOCKET_TIMEOUT = env_int("CELERY_BROKER_SOCKET_TIMEOUT", 3, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# beat and workers keep trying while Redis is away, however long, instead of exiting
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "chashan_safety.tasks.beat_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "clear-expired-sessions": {
        "task": "chashan_safety.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
}
CELERY_BEAT_SCHEDULE.update(
    {
        # hourly by day: a sweep missed while Redis was down is caught up by the next one
        "reminder-sweep": {
            "task": "chashan_safety.tasks.reminder_sweep",
            "schedule": crontab(minute=5, hour="7-22"),
            "options": {"expires": 50 * 60},
        },
        "reminder-digests": {
            "task": "chashan_safety.tasks.send_digests",
            "schedule": crontab(minute=30, hour=8),
            "options": {"expires": 6 * 3600},
        },
    }
)

# The escalation ladder for overdue rectifications (跟踪问责). "notify" names recipient groups
# (responsible_office, zone_officers, section_head) or roles (leadership, town_admin).
REMINDER_DUE_SOON_DAYS = 2
# Each rung tells its own people and again those of the rungs below (the office hears that its yellow
# card is out); a finding first seen high up the ladder is reminded at that rung only, which so tells
# everybody once (inspections.reminders).
REMINDER_LADDER = [
    {"level": "d1", "days": 1, "notify": ["responsible_office"]},
    {"level": "d3", "days": 3, "notify": ["responsible_office", "zone_officers"]},
    {"level": "d7", "days": 7, "notify": ["responsible_office", "zone_officers", "section_head"], "card": "yellow"},
    {
        "level": "d15",
        "days": 15,
        "notify": ["responsible_office", "zone_officers", "section_head", "leadership", "town_admin"],
        "card": "red",
    },
]
# a person told of more than this many items by one rung of one sweep gets one inbox item listing them
REMINDER_GROUP_OVER = 5
# a second yellow card in a year turns into a red one
REMINDER_RED_AFTER_YELLOWS = 2

# The daily digests list items at most this many days old: what could not be sent in a week (no e-mail
# address or mobile number on the account, a gateway down) stays in the inbox and is not sent afterwards.
DIGEST_WINDOW_DAYS = env_int("DIGEST_WINDOW_DAYS", 7, minimum=1)

# Links in e-mails and SMS point here.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Supervision letters (督办函) drafted for red cards.
SUPERVISION_LETTER_NUMBER_FORMAT = env_str("SUPERVISION_LETTER_NUMBER_FORMAT", "茶应急督〔{year}〕{n}号")
SUPERVISION_LETTER_RECTIFY_DAYS = env_int("SUPERVISION_LETTER_RECTIFY_DAYS", 7, minimum=1)
# empty: "Chashan Town Work Safety Committee Office" in the interface language
SUPERVISION_LETTER_OFFICE = env_str("SUPERVISION_LETTER_OFFICE", "")

# SMS: the console backend writes messages to the log; a gateway is a settings change.
SMS_BACKEND = env_str("SMS_BACKEND", "chashan_safety.sms.ConsoleBackend")

# /healthz reports beat as stale when its heartbeat is older than this.
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE_SECONDS", 600, minimum=60)

# Security: production turns on what `check --deploy` asks for.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # monitors may probe gunicorn directly over HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "chashan_safety.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------
# Every script and stylesheet is a file under static/: no inline script, no event-handler attribute,
# no eval, no inline style (templates/base.html configures htmx to match). Images may also be data:
# (Bootstrap's CSS draws the select arrow and the menu button so) and blob: (photo previews before upload).
INSTALLED_APPS += ["csp"]
# right after SecurityMiddleware: every response, error pages included, carries the header
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# --- end Content-Security-Policy ------------------------------------------------------------------

DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# --- request body limit (chashan_safety.middleware.RequestBodyLimitMiddleware) ---
# A whole request with files: 12 photos of at most 10 MB each (inspections.photos) and the form around them.
# A larger body is answered 413 before it is read; nginx's client_max_body_size should be the same (128m).
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_MB", 128, minimum=1) * 1024 * 1024

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    # the request id of the request being served ("-" outside one): chashan_safety.middleware
    "filters": {"request_id": {"()": "chashan_safety.middleware.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "INFO"},
    },
}

# Site-wide words shown in the interface.
PORTAL_NAME = _("Chashan Town Work Safety Portal")
