"""Production configuration, checked in fresh processes with production environment variables."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = secrets.token_urlsafe(60)  # well over the 50 characters the deploy check wants
HOST = "rolefit.example"

# Prints the settings that matter for deployment, as JSON.
SETTINGS_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "CSRF_COOKIE_HTTPONLY": settings.CSRF_COOKIE_HTTPONLY,
    "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "RATE_CACHE": settings.RATE_CACHE,
    "CACHES": settings.CACHES,
    "RENDER_CACHE_SECONDS": settings.RENDER_CACHE_SECONDS,
    "RATE_SUBMIT": settings.ROLEFIT_RATE_SUBMIT,
    "RATE_PDF": settings.ROLEFIT_RATE_PDF,
    "RATE_MAIL": settings.ROLEFIT_RATE_MAIL,
    "RATE_TEAM": settings.ROLEFIT_RATE_TEAM,
    "CONN_HEALTH_CHECKS": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "SERVER_SIDE_CURSORS_OFF": settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
}))
"""

# Requests through the production middleware stack; no database is touched.
REQUEST_PROBE = """
import json, sys, django
from django.test import Client, override_settings
django.setup()
plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
out = {}
# Static files are not collected here; the manifest storage is checked by the settings probe.
with override_settings(STORAGES=plain):
    client = Client(HTTP_HOST=sys.argv[1])
    for name, path, secure in [("login", "/admin/login/", True), ("plain", "/admin/login/", False),
                               ("healthz", "/healthz", False)]:
        response = client.get(path, secure=secure)
        out[name] = {
            "status": response.status_code,
            "location": response.get("Location"),
            "headers": {k: v for k, v in response.headers.items()},
            "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                            "samesite": m["samesite"]} for k, m in response.cookies.items()},
        }
print(json.dumps(out))
"""


def run(args, **env):
    """Run a Python process in the project with exactly the given DJANGO_/ROLEFIT_ variables."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ROLEFIT_", "PYTEST"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "rolefit.settings"
    base.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def production(**env):
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": HOST,
        **env,
    }


def probe_settings(**env):
    result = run(["-c", SETTINGS_PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deploy_check_passes_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_on_plain_http():
    # DJANGO_HTTPS=0 is for loopback only: the deploy check must say so.
    env = production(DJANGO_HTTPS="0")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout


def test_without_a_secret_key_production_refuses_to_start():
    env = production()
    del env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_secure():
    values = probe_settings(**production())
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "STATICFILES": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "RATE_CACHE": "database",
        "RATE_SUBMIT": "60/m",
        "RATE_PDF": "20/m",
        "RATE_MAIL": "10/h",
        "RATE_TEAM": "10/h",  # its own default, whatever RATE_SUBMIT is (README)
        "CONN_HEALTH_CHECKS": True,
        "SERVER_SIDE_CURSORS_OFF": False,
        # The shared cache: the database's table, bounded; the questionnaire's, per process.
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "rolefit_cache",
                "OPTIONS": {"MAX_ENTRIES": 2000},
            },
            "local": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "local",
            },
            # A worker's recent pages: personal data too, so at most 200, for a minute each.
            "recent": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "recent",
                "TIMEOUT": 60,
                "OPTIONS": {"MAX_ENTRIES": 200},
            },
        },
        "RENDER_CACHE_SECONDS": 24 * 60 * 60,  # rendered pages hold personal data: a day
    }


def test_plain_http_switch_turns_the_https_settings_off():
    values = probe_settings(**production(DJANGO_HTTPS="0"))
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False


def test_debug_has_no_https_redirect_and_plain_static_files():
    values = probe_settings(DJANGO_DEBUG="1")
    assert values["DEBUG"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["STATICFILES"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_trusting_a_proxy_believes_its_forwarded_proto_header():
    assert probe_settings(**production())["SECURE_PROXY_SSL_HEADER"] is None
    values = probe_settings(**production(DJANGO_TRUST_PROXY="1"))
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_server_side_cursors_can_be_turned_off_for_pgbouncer():
    values = probe_settings(**production(DJANGO_DISABLE_SERVER_SIDE_CURSORS="1"))
    assert values["SERVER_SIDE_CURSORS_OFF"] is True


def test_rate_settings_come_from_the_environment():
    values = probe_settings(
        **production(
            ROLEFIT_RATE_SUBMIT="off",
            ROLEFIT_RATE_PDF="5/h",
            ROLEFIT_RATE_MAIL="3/d",
            ROLEFIT_RATE_CACHE="redis://cache:6379/0",
        )
    )
    assert (values["RATE_SUBMIT"], values["RATE_PDF"]) == ("off", "5/h")
    # Starting team assessments has its own limit, whatever the submission rate is.
    assert (values["RATE_MAIL"], values["RATE_TEAM"]) == ("3/d", "10/h")
    assert values["RATE_CACHE"] == "redis://cache:6379/0"
    assert probe_settings(ROLEFIT_RATE_CACHE="locmem")["RATE_CACHE"] == "locmem"
    assert probe_settings(ROLEFIT_RATE_TEAM="2/h")["RATE_TEAM"] == "2/h"


def test_the_shared_cache_comes_from_the_environment():
    local = "django.core.cache.backends.locmem.LocMemCache"
    redis = probe_settings(**production(ROLEFIT_CACHE="redis://cache:6379/1"))["CACHES"]
    assert redis["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/1",
    }
    # The blank questionnaire's cache stays in each process, whatever the shared one is.
    assert redis["local"]["BACKEND"] == local
    assert probe_settings(ROLEFIT_CACHE="locmem")["CACHES"]["default"]["BACKEND"] == local


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ROLEFIT_CACHE", "memcached://x"),
        ("ROLEFIT_RATE_SUBMIT", "10 per minute"),
        ("ROLEFIT_RATE_PDF", "0/m"),
        ("ROLEFIT_RATE_MAIL", "10/week"),
        ("ROLEFIT_RATE_TEAM", "ten/m"),
        ("ROLEFIT_RATE_CACHE", "memcached://x"),
    ],
)
def test_a_bad_rate_setting_stops_the_start(name, value):
    result = run(["manage.py", "check"], **{name: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must" in result.stderr


@pytest.fixture(scope="module")
def responses():
    result = run(["-c", REQUEST_PROBE, HOST], **production())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_redirects_plain_http_to_https(responses):
    assert responses["plain"]["status"] == 301
    assert responses["plain"]["location"] == f"https://{HOST}/admin/login/"


def test_the_health_check_is_exempt_from_the_https_redirect(responses):
    assert responses["healthz"]["status"] == 200


def test_production_sends_hsts_and_the_security_headers_over_https(responses):
    login = responses["login"]
    assert login["status"] == 200
    headers = login["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_production_cookies_are_secure_and_http_only(responses):
    cookie = responses["login"]["cookies"]["csrftoken"]
    assert cookie == {"secure": True, "httponly": True, "samesite": "Lax"}


MAIL_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "RATE_SUBMIT": settings.ROLEFIT_RATE_SUBMIT,
    "RATE_PDF": settings.ROLEFIT_RATE_PDF,
    "RATE_MAIL": settings.ROLEFIT_RATE_MAIL,
    "SITE_URL": settings.ROLEFIT_SITE_URL,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": settings.EMAIL_HOST,
    "EMAIL_PORT": settings.EMAIL_PORT,
    "EMAIL_USE_TLS": settings.EMAIL_USE_TLS,
}))
"""


def probe_mail_settings(**env):
    result = run(["-c", MAIL_PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_limits_that_fit_a_workshop_and_mail_by_default():
    values = probe_mail_settings(**production())
    # 50 people behind one office address submit within a minute (issue 14).
    assert (values["RATE_SUBMIT"], values["RATE_PDF"], values["RATE_MAIL"]) == (
        "60/m",
        "20/m",
        "10/h",
    )
    assert values["SITE_URL"] == "http://127.0.0.1:8000"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_smtp_and_the_site_url_come_from_the_environment():
    values = probe_mail_settings(
        **production(
            ROLEFIT_SITE_URL="https://rolefit.example.com/",
            DJANGO_EMAIL_HOST="smtp.example.com",
            ROLEFIT_RATE_MAIL="3/d",
        )
    )
    assert values["SITE_URL"] == "https://rolefit.example.com"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_USE_TLS"]) == (
        "smtp.example.com",
        587,
        True,
    )
    assert values["RATE_MAIL"] == "3/d"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ROLEFIT_RATE_MAIL", "ten an hour"),
        ("ROLEFIT_SITE_URL", "rolefit.example.com"),
        ("ROLEFIT_SITE_URL", "https://rolefit.example.com/?next=x"),
    ],
)
def test_a_bad_mail_setting_stops_the_start(name, value):
    result = run(["manage.py", "check"], **{name: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must" in result.stderr
