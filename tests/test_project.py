"""Project-level contracts: the health check, the home page, a plain `migrate`."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_ok_without_touching_the_database(client):
    # No `db` fixture: pytest-django fails this test on any database access.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"product owner" in response.content.lower()


def test_plain_migrate_creates_the_rate_limit_and_cache_tables(tmp_path):
    """The rate limits count in a table of their own and the shared cache (the default) keeps
    rendered pages in another; `migrate` alone must make both."""
    database = tmp_path / "fresh.sqlite3"
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "ROLEFIT_RATE_CACHE": "",
            "ROLEFIT_CACHE": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    tables = {
        name
        for (name,) in sqlite3.connect(database).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert "advisor_ratecounter" in tables
    assert "rolefit_cache" in tables  # advisor/apps.py: after every migrate
    # The database cache the limits used to count in (non-atomically) is gone.
    assert "rolefit_ratelimit_cache" not in tables


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/password_change/"])
def test_no_password_reset_pages_that_would_need_email(client, path):
    assert client.get(path).status_code == 404
