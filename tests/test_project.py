"""Project-level contracts: the health check and the engine's independence from Django."""

import pytest


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
