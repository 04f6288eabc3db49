"""Settings for the Synergies portal.

Every setting that differs between machines comes from the environment and is read here,
once; `.env.example` lists them all. Nothing else in the project reads ``os.environ``.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"
TIME_ZONE = env("TIME_ZONE", "America/New_York")

SECRET_KEY = env("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY set to a long random value "
            "(50 characters or more), not the development default."
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production refuses to start with DEBUG on.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ENV=production needs ALLOWED_HOSTS.")

# Services the test suite must reach rather than skip (CI sets it).
REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "coalitions",
    "measures",
    "workshops",
    "evaluation",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # gunicorn serves the collected static files itself; runserver does it in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    }
]
FORM_RENDERER = "core.forms.USWDSFormRenderer"

# --- Database -------------------------------------------------------------------------------
# Default: SQLite under var/, in WAL mode with IMMEDIATE transactions, so that the web
# process and the Celery worker queue for the write lock instead of failing with
# "database is locked".
DATABASE_URL = env("DATABASE_URL")
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs DATABASE_URL (postgres://USER:PASSWORD@HOST:5432/NAME); "
        "the SQLite fallback is for development only."
    )
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Demo data of the apps that build on the program registry's demo (coalitions.demo).
DEMO_LOADERS = ["measures.demo.demo_load", "workshops.demo.demo_load"]

# How long a process may reuse the catalog's version (the key of the API's ETags and
# cache) before reading it again; changes made in the same process are seen at once.
CATALOG_VERSION_SECONDS = float(env("CATALOG_VERSION_SECONDS", "1"))

# --- Cache, broker ----------------------------------------------------------------------------
def redis_database(url):
    """The database number a redis:// (or unix://) URL selects, as redis-py reads it."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "db" in query:
        return int(query["db"][0])
    return int(parts.path.strip("/") or 0)


def redis_next_database(url):
    """The same server's next database: redis://host:6379/0 gives redis://host:6379/1."""
    number = redis_database(url) + 1
    base, _, query = url.partition("?")
    if "db" in parse_qs(query):  # unix:///path/redis.sock?db=0
        return f"{base}?{urlencode({**parse_qs(query), 'db': number}, doseq=True)}"
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


# REDIS_URL is Celery's broker. The cache lives in another database of the same server (the
# next number, unless CACHE_URL names one), so that clearing the cache (a FLUSHDB of its
# own database) never drops queued jobs.
REDIS_URL = env("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs REDIS_URL (redis://HOST:6379/0) for the Celery broker "
        "and the cache; the filesystem broker is for development only."
    )
CACHE_URL = env("CACHE_URL") or (redis_next_database(REDIS_URL) if REDIS_URL else "")
if REDIS_URL and CACHE_URL and (
    urlsplit(CACHE_URL).netloc == urlsplit(REDIS_URL).netloc
    and redis_database(CACHE_URL) == redis_database(REDIS_URL)
):
    raise ImproperlyConfigured(
        "CACHE_URL names the broker's Redis database (REDIS_URL): clearing the cache would "
        "drop queued jobs. Give the cache another database number."
    )
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # A job not acknowledged within this many seconds is delivered again (a worker lost
    # mid-job); it must outlast the longest report, whose own limit is REPORT_TIME_LIMIT.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600")),
    }
# Evaluation reports: a compile is stopped after REPORT_TIME_LIMIT seconds (well below the
# broker's visibility timeout), and a report whose worker has shown no life for
# REPORT_STALE_SECONDS is taken over by the next delivery of its job.
REPORT_TIME_LIMIT = int(env("REPORT_TIME_LIMIT", "1200"))
REPORT_STALE_SECONDS = int(env("REPORT_STALE_SECONDS", "120"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "core.tasks.sessions_clear_expired_task",
        "schedule": timedelta(hours=24),
    },
    # Side effects the broker lost (core.outbox): sent within a minute or two.
    "send-owed-enrollment-welcomes": {
        "task": "coalitions.tasks.enrollment_welcome_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "send-owed-invitations": {
        "task": "coalitions.tasks.invitation_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "send-owed-event-notices": {
        "task": "workshops.tasks.notices_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Each lapsing offer has a task queued for its moment; this catches any it missed.
    "pass-on-lapsed-seat-offers": {
        "task": "workshops.tasks.holds_expire_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Quarterly process reports and the formal analysis, caught up if the scheduler was down.
    "schedule-evaluation-reports": {
        "task": "evaluation.tasks.reports_schedule_task",
        "schedule": timedelta(hours=1),
    },
    "send-event-reminders": {
        "task": "workshops.tasks.reminders_send_task",
        "schedule": timedelta(minutes=15),
    },
    # Published events that ended WORKSHOPS_COMPLETE_AFTER_HOURS ago are marked as held:
    # attendees are asked for feedback, the registered who did not come get the materials.
    "complete-held-events": {
        "task": "workshops.tasks.events_complete_task",
        "schedule": timedelta(minutes=30),
    },
}

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Lock an account for one client address after repeated failed logins, and an address alone
# after more (django-axes, accounts/lockout.py): failures from elsewhere never lock a person
# out. Failures are not wiped by a success: a success on one account from an address would
# otherwise clear that address's failures against every other account too.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(env("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = False
# Django's login form and its failure signal both call the login "username"; axes would
# otherwise look for the user model's field name ("email") and never match the two.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind N trusted reverse proxies the client address is read from X-Forwarded-For
# (django-ipware); with 0 it is the connection's own address. Production must say which:
# a wrong guess makes the proxy's address stand for every client (one lockout for all).
if PRODUCTION and not env("PROXY_COUNT").strip():
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs PROXY_COUNT: the number of trusted reverse proxies in "
        "front of the portal (1 behind one TLS-terminating proxy, 0 when clients connect "
        "directly)."
    )
if not env("PROXY_COUNT", "0").strip().isdigit():
    raise ImproperlyConfigured("PROXY_COUNT must be a whole number (0, 1, 2...).")
PROXY_COUNT = int(env("PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds before a mail server that stops answering fails the send (then retried), rather
# than holding a worker, and the claim on what it sends, indefinitely.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Synergies portal <noreply@synergies.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address as people reach it, for links in e-mails sent by Celery (no request).
PORTAL_URL = env("PORTAL_URL", "http://127.0.0.1:8000")

# Workshops: seconds a registration waits for an event's lock before answering "busy, try
# again" (PostgreSQL lock_timeout), and the domain in calendar UIDs (stable for ever).
WORKSHOPS_LOCK_TIMEOUT = int(env("WORKSHOPS_LOCK_TIMEOUT", "15"))
CALENDAR_UID_DOMAIN = env("CALENDAR_UID_DOMAIN", "synergies-portal")
# Hours after its end that the scheduler marks a published event as held (staff may do it
# sooner with "Mark as held"), leaving time to take attendance and import the participant report.
WORKSHOPS_COMPLETE_AFTER_HOURS = int(env("WORKSHOPS_COMPLETE_AFTER_HOURS", "12"))

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
# Third-party assets are served from their npm packages, never copied into the repository.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    # On by default (the deployment checklist asks for it); a site whose subdomains are not
    # all on HTTPS turns it off.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Off unless asked for: a preloaded domain is built into browsers as HTTPS-only, for it
    # and every subdomain, and leaving the list takes months. That is the domain owner's
    # decision, not a default; so the checklist's reminder (security.W021) is silenced
    # until SECURE_HSTS_PRELOAD=1.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Content-Security-Policy (django-csp 4) ---------------------------------------------------
# Sent on every answer, in every environment (so the browser tests see what production sends).
# A page may load only the portal's own files, and nothing inline runs or applies: USWDS and
# htmx are static files served from their npm packages, the portal's own CSS and JS are in
# static/, and no template has an inline <script>, <style> or style="" attribute (a bar's
# width is an SVG attribute). What it must allow, and why:
# - htmx would inject its request-indicator <style> and could eval hx-on/js: attributes; the
#   htmx-config <meta> in base.html turns both off (includeIndicatorStyles, allowEval), and
#   the indicator's style is in portal.css.
# - connect-src 'self': htmx asks the same pages for their results.
# - The API documentation (/api/docs/) is drf-spectacular's split Swagger UI view: its start
#   script is a file (?script) instead of an inline <script>, and its page's three inline
#   style rules are in static/css/api_docs.css. That page alone adds img-src data: (django-csp's
#   csp_update on its view, config/urls.py), as Swagger UI's stylesheet draws its icons as
#   data: images; no other page needs it.
# - The Django admin (5.2) has no inline script or style and works under the same policy.
# Anything else is refused, and reported in the browser's console; the browser tests fail on
# any console error.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- REST framework ---------------------------------------------------------------------------
def env_rate(name, default):
    rate = env(name, default)
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", rate):
        raise ImproperlyConfigured(f"{name} must read like 120/minute, not {rate!r}.")
    return rate


# Password-reset requests per client address (the same address as the sign-in lockout's).
PASSWORD_RESET_RATE = env_rate("PASSWORD_RESET_RATE", "5/hour")

# Anonymous clients are counted per address (the client's own behind PROXY_COUNT proxies),
# token and session holders per user; a rate is "<requests>/<second|minute|hour|day>".
API_THROTTLE_ANON = env_rate("API_THROTTLE_ANON", "120/minute")
API_THROTTLE_USER = env_rate("API_THROTTLE_USER", "1200/minute")
# The FHIR face (/fhir/r4/), public, per client address: a client that reads the catalog
# measure by measure makes some 150 requests.
FHIR_THROTTLE = env_rate("FHIR_THROTTLE", "300/minute")
# Seconds the server keeps a full catalog answer in the cache (0: never); the key holds the
# catalog's version, so a change to the catalog is never served stale.
API_CACHE_TIMEOUT = int(env("API_CACHE_TIMEOUT", "300"))
# Seconds a client or proxy may reuse a public catalog answer before asking again
# (Cache-Control: public, max-age); after that an If-None-Match costs a 304.
API_CACHE_MAX_AGE = int(env("API_CACHE_MAX_AGE", "60"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.renderers.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttles.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER, "fhir": FHIR_THROTTLE,
    },
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Synergies portal API",
    "DESCRIPTION": (
        "The measure catalog (public: measures, measure sets, tools) and, with a token, "
        "coalitions' measure adoption and incentive programs. Send a token from "
        "`manage.py create_api_token EMAIL` as `Authorization: Bearer <token>`. Lists are "
        "paged with a cursor (follow `next`); every GET answers with an ETag, and "
        "`If-None-Match` with it costs a 304. Errors: 400 names the parameter or field at "
        "fault; 429 comes with `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the drf-spectacular-sidecar package: the docs work without the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MeasureStatusEnum": "measures.models.Measure.Status",
        "IncentiveProgramStatusEnum": "measures.models.IncentiveProgram.Status",
        "IncentiveProgramKindEnum": "measures.models.IncentiveProgram.Kind",
        "AdoptionUseEnum": "measures.models.MeasureAdoption.Use",
        "AdoptionStageEnum": "measures.models.MeasureAdoption.Stage",
        "EventKindEnum": "workshops.models.Event.Kind",
        "EventStatusEnum": "workshops.models.Event.Status",
        "RegistrationStatusEnum": "workshops.models.Registration.Status",
        "ReportKindEnum": "evaluation.models.Report.Kind",
        "ReportStatusEnum": "evaluation.models.Report.Status",
        "IndicatorKindEnum": [("process", "Process"), ("outcome", "Outcome")],
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The filesystem broker has no host; kombu warns about that on every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}
