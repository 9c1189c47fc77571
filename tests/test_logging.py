"""Logging (settings.LOGGING, advisor/logs.py): every unhandled exception once, with its
traceback and request id, on stderr, as text or JSON lines; no bearer token in any log line,
RoleFit's own or gunicorn's access log (`make serve`)."""

import io
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import path

from advisor import logs

ROOT = Path(__file__).resolve().parent.parent
# The shape of a real token (43 URL-safe characters), fixed: parallel workers collect alike.
TOKEN = "YpTHJjbWIIhsvGuV7Ohm6E0GL0W57J4nuFGhQV6cs7o"


def boom(request, token):
    raise RuntimeError("boom")


def fine(request, token):
    logging.getLogger("rolefit.test").warning("looked at %s", request.path)
    return HttpResponse("ok")


# This module is also the URL configuration of the tests that need a failing view.
urlpatterns = [
    path("a/<str:token>/boom/", boom),
    path("a/<str:token>/fine/", fine),
]


@pytest.fixture
def stderr_log():
    """What the configured stderr handler writes, as it would write it."""
    (handler,) = [h for h in logging.getLogger("django").handlers if h.name == "stderr"]
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


@pytest.mark.urls("tests.test_logging")
def test_an_unhandled_exception_is_logged_once_with_traceback_and_request_id(
    client, stderr_log, db
):
    client.raise_request_exception = False
    response = client.get(f"/a/{TOKEN}/boom/")
    assert response.status_code == 500
    text = stderr_log.getvalue()
    assert text.count("Traceback (most recent call last)") == 1
    assert text.count("RuntimeError: boom") == 1
    assert text.count("Internal Server Error") == 1
    assert "/a/…/boom/" in text
    assert f"[{response['X-Request-ID']}]" in text
    assert TOKEN not in text


@pytest.mark.urls("tests.test_logging")
def test_records_logged_during_a_request_carry_its_id_and_no_token(client, stderr_log, db):
    response = client.get(f"/a/{TOKEN}/fine/", HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    (line,) = stderr_log.getvalue().splitlines()
    assert "rolefit.test [req-42] looked at /a/…/fine/" in line


def test_a_404_is_one_warning_with_the_path_redacted(client, stderr_log, db):
    client.get(f"/a/{TOKEN}/")
    (line,) = stderr_log.getvalue().splitlines()
    assert "WARNING django.request" in line and "Not Found: /a/…/" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/a/{TOKEN}/", "/a/…/"),
        (f"GET /a/{TOKEN}/report.pdf HTTP/1.1", "GET /a/…/report.pdf HTTP/1.1"),
        (f"/t/{TOKEN}/join/", "/t/…/join/"),
        (f"/assessments/{TOKEN}/", "/assessments/…/"),
        (f"https://rolefit.example/a/{TOKEN}", "https://rolefit.example/a/…"),
        (f"/accounts/login/?next=%2Fa%2F{TOKEN}%2F", "/accounts/login/?next=%2Fa%2F…%2F"),
        (f"/accounts/login/?next=/a/{TOKEN}/", "/accounts/login/?next=/a/…/"),
        ("/t/new/", "/t/new/"),
        ("/assessments/export.csv?company=Acme", "/assessments/export.csv?company=Acme"),
        ("/admin/advisor/question/12/change/", "/admin/advisor/question/12/change/"),
    ],
)  # fmt: skip
def test_redact(text, expected):
    assert logs.redact(text) == expected


def test_the_json_format_writes_one_object_per_line_with_the_traceback():
    """In a fresh process with DJANGO_LOG_FORMAT=json, as a server would run."""
    script = f"""
import django
from django.test import Client, override_settings
django.setup()
with override_settings(ROOT_URLCONF="tests.test_logging", ALLOWED_HOSTS=["testserver"]):
    client = Client(raise_request_exception=False)
    response = client.get("/a/{TOKEN}/boom/")
    print(response.status_code, response["X-Request-ID"])
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_LOG_FORMAT": "json",
            "DJANGO_SETTINGS_MODULE": "rolefit.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    status, request_id = done.stdout.split()
    assert status == "500"
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    errors = [entry for entry in entries if entry["level"] == "ERROR"]
    assert len(errors) == 1
    (error,) = errors
    assert error["logger"] == "django.request"
    assert error["request_id"] == request_id
    assert error["path"] == "/a/…/boom/"
    assert "RuntimeError: boom" in error["exception"]
    assert TOKEN not in done.stderr


def test_a_bad_log_format_stops_the_start():
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DJANGO_LOG_FORMAT must be" in done.stderr


# --- gunicorn, as `make serve` runs it ----------------------------------------------------------


def serve_flags() -> list[str]:
    """The gunicorn logging flags of the Makefile's `serve` recipe."""
    recipe = (ROOT / "Makefile").read_text().split("\nserve:", 1)[1].split("\n\n", 1)[0]
    flags = recipe.replace("\\\n", " ").split()
    return [flag for flag in flags if flag.startswith("--") and "log" in flag] + [
        flags[flags.index("--logger-class") + 1]
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_make_serve_logs_no_token_and_one_traceback_per_500(tmp_path):
    flags = serve_flags()
    assert flags[-2:] == ["--logger-class", "advisor.logs.GunicornLogger"]
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        # Never migrated: a result page fails with "no such table", an unhandled exception.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    env["DJANGO_STATIC_ROOT"] = str(tmp_path / "static")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "rolefit.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--access-logfile", "-", "--logger-class",
             "advisor.logs.GunicornLogger"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if fetch(f"{base}/healthz") == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            assert fetch(f"{base}/a/{TOKEN}/", Referer=f"{base}/a/{TOKEN}/change/") == 500
            assert fetch(f"{base}/accounts/login/?next=%2Fassessments%2F{TOKEN}%2F") == 200
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    text = log_path.read_text()
    assert TOKEN not in text
    assert '"GET /a/…/ HTTP/1.1" 500' in text
    assert f"{base}/a/…/change/" in text  # the referrer, redacted
    # One record for the 500 (its traceback chains sqlite3's error to Django's: one cause).
    assert text.count("Internal Server Error: /a/…/") == 1, text
    assert text.count("OperationalError: no such table: advisor_assessment") == 2, text
    assert text.count("The above exception was the direct cause") == 1, text


def test_a_pdf_adds_no_log_line(client, stderr_log, default_criteria, assessment_factory):
    # WeasyPrint warned about each SVG property it ignores: nine lines per PDF.
    assessment = assessment_factory(answers={})
    response = client.get(f"/a/{assessment.token}/report.pdf")
    assert response.status_code == 200
    assert stderr_log.getvalue() == ""
