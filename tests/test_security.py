"""Security headers, the Content-Security-Policy, and brute-force protection of the login pages."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
LOGIN_PAGES = ["/admin/login/", "/accounts/login/"]

# What a strict CSP (no 'unsafe-inline') would block in a page.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def csp_violations(html: str, *, styles: bool = True) -> list[str]:
    patterns = [INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL]
    if styles:
        patterns += [STYLE_ATTRIBUTE, STYLE_ELEMENT]
    return [match.group(0) for pattern in patterns for match in pattern.finditer(html)]


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db, fast_hasher):
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


# --- Headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/healthz", "/admin/login/", "/accounts/login/"])
def test_every_page_sends_the_security_headers(client, default_criteria, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response


def test_the_csp_allows_no_inline_script_and_no_foreign_origin(client, default_criteria):
    directives = csp_directives(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for name, values in directives.items():
        for value in values:
            assert value in {"'self'", "'none'", "data:"}, (name, value)
        assert "data:" not in values or name == "img-src"


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/healthz")


def test_the_https_redirect_spares_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    response = client.get("/admin/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/"


# --- The CSP does not break the pages -----------------------------------------------------------


def project_templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "advisor").rglob("templates/**/*.html")
    )


@pytest.mark.parametrize("path", project_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_our_templates_need_no_inline_script_or_style(path):
    assert csp_violations(path.read_text(encoding="utf-8")) == []


def admin_pages() -> list[str]:
    pages = ["admin:index"]
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        pages.append(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return pages


def test_the_admin_works_under_the_csp(client, superuser, default_criteria):
    """Django's admin pages carry no inline script or event handler, so the CSP blocks nothing.

    Inline styles are not checked here: third-party admin templates may use a cosmetic one
    (django-simple-history's history paginator); blocking it changes a border, not a function.
    """
    client.force_login(superuser)
    checked = 0
    for name in admin_pages():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert csp_violations(response.content.decode(), styles=False) == [], name
        checked += 1
    # A change form with its widgets and inline formsets.
    from advisor import models

    question = models.Question.objects.first()
    response = client.get(reverse("admin:advisor_question_change", args=[question.pk]))
    assert response.status_code == 200
    assert csp_violations(response.content.decode(), styles=False) == []
    assert checked >= 10


# --- Brute-force protection (django-axes) -------------------------------------------------------


@pytest.fixture
def locked_out():
    """Five failed attempts for `root` from the default test address."""

    def fail(client, url):
        return [
            client.post(url, {"username": "root", "password": "wrong"}).status_code
            for _ in range(settings.AXES_FAILURE_LIMIT)
        ]

    return fail


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_repeated_failures_lock_the_login_even_with_the_right_password(
    client, superuser, locked_out, url
):
    statuses = locked_out(client, url)
    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    response = client.post(url, {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert not logged_in(client)


@pytest.mark.parametrize(("fail_on", "then_on"), [LOGIN_PAGES, LOGIN_PAGES[::-1]])
def test_a_lockout_covers_both_login_pages(client, superuser, locked_out, fail_on, then_on):
    locked_out(client, fail_on)
    response = client.post(then_on, {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_is_per_address(client, superuser, locked_out):
    locked_out(client, "/admin/login/")
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="192.0.2.44"
    )
    assert response.status_code == 302
    assert logged_in(client)


def test_a_success_resets_the_count(client, superuser):
    def fail_four_times():
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = client.post("/admin/login/", {"username": "root", "password": "wrong"})
            assert response.status_code == 200

    def succeed():
        return client.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code

    fail_four_times()
    assert succeed() == 302
    client.logout()
    fail_four_times()
    assert succeed() == 302


def test_the_login_pages_need_a_csrf_token(superuser):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for url in LOGIN_PAGES:
        response = client.post(url, {"username": "root", "password": PASSWORD})
        assert response.status_code == 403
    assert not logged_in(client)


# --- Caching of private pages ---------------------------------------------------------------------


def test_pages_behind_a_private_link_are_never_stored(client, default_criteria, assessment_factory):
    assessment = assessment_factory()
    # The result page sent no Cache-Control: a shared cache could keep a client's result.
    for name in ("advisor:result", "advisor:delete", "advisor:report"):
        response = client.get(reverse(name, kwargs={"token": assessment.token}))
        assert response.status_code == 200, name
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, name
    assert "Cache-Control" not in client.get(reverse("advisor:home"))
