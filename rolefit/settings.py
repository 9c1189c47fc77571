"""RoleFit settings, read from the environment (every variable is documented in the README)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only for local development; never used when debug is off.
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "" if not DEBUG else "*").split(",")
    if host.strip()
]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "advisor",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (advisor/middleware.py).
    "advisor.middleware.RequestIdMiddleware",
    "advisor.middleware.PrivateLinkNoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the first reader of a body (CSRF): hostile charsets, unstorable text, file parts.
    "advisor.middleware.RequestGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rolefit.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "rolefit.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction pooling a server-side cursor would outlive the transaction
# that opened it on its server connection: DJANGO_DISABLE_SERVER_SIDE_CURSORS=1 turns them off
# (Django's advice); the CSV export then reads in keyset chunks (advisor/selectors.py).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DJANGO_DISABLE_SERVER_SIDE_CURSORS", False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (several gunicorn workers) wait for SQLite's write lock instead of
    # failing with "database is locked" when a transaction upgrades from reading to writing.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages RoleFit serves (no LocaleMiddleware: every page is in LANGUAGE_CODE's). Rendered
# pages are cached per language, and a deleted assessment's are removed in each of these
# (advisor/rendercache.py), so a deployment adding a translation lists it here.
LANGUAGES = [("en", _("English"))]
TIME_ZONE = "UTC"
USE_I18N = True
# `make messages` writes the catalogues here (locale/<language>/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` puts the files WhiteNoise serves (benchmarks use a temporary directory).
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")

LOGIN_URL = "login"
# After signing in: the workspace, the admin or a page saying what the account can do
# (advisor/accounts.py).
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Production and security (README "Deploying") --------------------------------------------

# HTTPS is on by default whenever debug is off; DJANGO_HTTPS=0 serves plain HTTP (loopback
# benchmarks and the load test only).
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

# Behind a TLS-terminating proxy (nginx, a cloud load balancer) the app sees plain HTTP.
# DJANGO_TRUST_PROXY=1 believes the proxy's X-Forwarded-Proto (so HTTPS is recognised and not
# redirected forever) and takes the client address for rate limits and login lockouts from the
# last X-Forwarded-For entry (the one the proxy appended). Set it only when clients cannot reach
# the app except through that proxy: otherwise they could forge both headers.
TRUST_PROXY = env_bool("DJANGO_TRUST_PROXY", False)
if TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Result links carry their private token: never send it to another site as a referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): our own files only, no inline script or style. The admin
# works under it unchanged (Django's admin has no inline script). `data:` images are Bootstrap's
# CSS icons (select arrows, check marks), which are SVG data URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Static files: WhiteNoise serves compressed, content-hashed files (run `collectstatic` first).
# Debug and tests use the plain storage, which needs no manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Caches. `default` is shared by every worker and app instance: rendered results, reports and
# PDFs (advisor/rendercache.py) and team results. By default the database table `rolefit_cache`,
# which every `migrate` creates when missing (advisor/apps.py); Redis when ROLEFIT_CACHE is a
# redis URL; `locmem` for one process. `local` is per process: the blank questionnaire (no
# personal data, and reading it costs no query). `recent`: below.
SHARED_CACHE = os.environ.get("ROLEFIT_CACHE", "database").strip() or "database"
if SHARED_CACHE == "database":
    _shared_cache = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "rolefit_cache",
        # A bounded table: past this many entries, a write first removes the expired ones and
        # then a third of the rest. Entries take 20-40 kB as stored (a result's sections, a
        # report's body, the standard report's PDF), so about 60 MB; never more than
        # MAX_ENTRIES x the PDF cap below (base64: x 4/3), under 3 GB.
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
elif SHARED_CACHE == "locmem":
    _shared_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
elif SHARED_CACHE.startswith(("redis://", "rediss://", "unix://")):
    _shared_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SHARED_CACHE,
    }
else:
    raise ImproperlyConfigured("ROLEFIT_CACHE must be 'database', 'locmem' or a redis:// URL.")
# Rendered pages a worker served last, per process, in front of the shared cache: a repeat view
# then costs no read of the shared cache (0.9 ms of CPU with the database table, issue 20). They
# hold personal data, so few and briefly: at most RENDER_CACHE_RECENT_ENTRIES entries, each for
# RENDER_CACHE_RECENT_SECONDS, none over RENDER_CACHE_RECENT_MAX_BYTES (advisor/rendercache.py).
RENDER_CACHE_RECENT_SECONDS = 60
RENDER_CACHE_RECENT_ENTRIES = 200
RENDER_CACHE_RECENT_MAX_BYTES = 256 * 1024
CACHES = {
    "default": _shared_cache,
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
    "recent": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "recent",
        "TIMEOUT": RENDER_CACHE_RECENT_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": RENDER_CACHE_RECENT_ENTRIES},
    },
}
# Rendered results, reports and PDFs hold personal data (the report names the company and the
# people it was prepared for and by): each entry expires a day after it was rendered, and a
# deleted assessment's entries are removed at once (advisor/rendercache.py).
RENDER_CACHE_SECONDS = 24 * 60 * 60
# A PDF larger than this is rendered on every download rather than kept, so a few huge reports
# cannot crowd out the rest (measured: the standard report 31 kB; with the largest logo allowed,
# 500 kB of noise, 0.5 MB).
RENDER_CACHE_PDF_MAX_BYTES = 1024 * 1024

# Where rate-limit counts live, shared by every worker (advisor/ratelimit.py): `database` (the
# table `migrate` makes), a Redis URL for large deployments, or `locmem` for a single process.
RATE_CACHE = os.environ.get("ROLEFIT_RATE_CACHE", "database").strip() or "database"
if RATE_CACHE not in {"database", "locmem"} and not RATE_CACHE.startswith(
    ("redis://", "rediss://", "unix://")
):
    raise ImproperlyConfigured("ROLEFIT_RATE_CACHE must be 'database', 'locmem' or a redis:// URL.")


def env_rate(name: str, default: str) -> str:
    # Checked here so a typo stops the start, not the first limited request.
    value = os.environ.get(name, "").strip().lower() or default
    if value != "off" and not re.fullmatch(r"[1-9][0-9]*/[smhd]", value):
        raise ImproperlyConfigured(f"{name} must look like 10/m (per s, m, h or d) or be 'off'.")
    return value


# Logging: every record RoleFit or Django writes goes to stderr once, tokens in paths redacted,
# with the request id; tracebacks of unhandled exceptions come from django.request (the default
# configuration writes nothing with debug off and ADMINS empty). DJANGO_LOG_FORMAT=json writes
# one JSON object per line for log collectors.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "advisor.logs.RedactFilter"}},
    "formatters": {
        "text": {"()": "advisor.logs.TextFormatter"},
        "json": {"()": "advisor.logs.JsonFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Replaces Django's default handlers (console only while debugging, mail to ADMINS).
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "rolefit": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # WeasyPrint warns about every CSS property it ignores (the report's inline SVG styles),
        # several lines per PDF; refused URLs are logged by rolefit.pdf.
        "weasyprint": {"level": "ERROR"},
    },
}

# Per client address, fixed windows (advisor/ratelimit.py).
# Submissions: a workshop of 50 people behind one office address submits within a minute; a
# script is still stopped.
ROLEFIT_RATE_SUBMIT = env_rate("ROLEFIT_RATE_SUBMIT", "60/m")
ROLEFIT_RATE_PDF = env_rate("ROLEFIT_RATE_PDF", "20/m")
# Mail sent on a visitor's request ("email me this link").
ROLEFIT_RATE_MAIL = env_rate("ROLEFIT_RATE_MAIL", "10/h")
# Starting a team assessment (/t/new/); joining one counts under ROLEFIT_RATE_SUBMIT.
ROLEFIT_RATE_TEAM = env_rate("ROLEFIT_RATE_TEAM", "10/h")

# --- Mail (advisor/mail.py) ---------------------------------------------------------------------

# Links in mail are built from this, never from the request's Host header (which a client sets).
ROLEFIT_SITE_URL = (
    os.environ.get("ROLEFIT_SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
)
if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", ROLEFIT_SITE_URL):
    raise ImproperlyConfigured(
        "ROLEFIT_SITE_URL must be an http(s) URL such as https://rolefit.example.com"
    )

# Without DJANGO_EMAIL_HOST mail is printed on the console (`make run` shows it); with it, sent by
# SMTP.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", EMAIL_PORT == 465)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set only one of DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A slow mail server must not hold a worker for long: the respondent waits for the page.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = (
    os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "").strip() or "RoleFit <rolefit@localhost>"
)

# Brute-force protection for both login pages (/admin/login/ and /accounts/login/): django-axes
# guards the authentication backend itself. Five failures for one username from one address lock
# that pair out for 15 minutes; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permission checks only, in one query; it signs nobody in (advisor/permissions.py).
    "advisor.permissions.OneQueryPermissions",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ROLEFIT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ROLEFIT_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "advisor.ratelimit.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "advisor.ratelimit.client_ip"
