"""Access logs carry no assessment token (advisor/logs.py, as `make serve` runs gunicorn)."""

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from advisor import logs

TOKEN = "Zq3-x_9AbCdEfGhIjKlMnOpQrStUvWx"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/a/{TOKEN}/", "/a/…/"),
        (f"/a/{TOKEN}/report/", "/a/…/report/"),
        (f"/a/{TOKEN}/report.pdf", "/a/…/report.pdf"),
        (f"/a/{TOKEN}/delete/", "/a/…/delete/"),
        (f"/assessments/{TOKEN}/", "/assessments/…/"),
        ("/assessments/export.csv?sort=company", "/assessments/export.csv?sort=company"),
        ("/assessments/", "/assessments/"),
        ("/assess/", "/assess/"),
        (f"https://rolefit.example.com/a/{TOKEN}/", "https://rolefit.example.com/a/…/"),
    ],
)
def test_redact(path, logged):
    assert logs.redact(path) == logged


def test_gunicorn_access_line_has_no_token(capsys):
    config = Config()
    config.set("accesslog", "-")
    logger = logs.GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/a/{TOKEN}/report/",
        "PATH_INFO": f"/a/{TOKEN}/report/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://rolefit.example.com/a/{TOKEN}/",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=5))
    line = capsys.readouterr().out
    assert '"GET /a/…/report/ HTTP/1.1" 200' in line
    assert '"https://rolefit.example.com/a/…/"' in line
    assert TOKEN not in line
