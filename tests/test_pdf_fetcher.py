"""The PDF's URL fetcher (advisor/pdf_fetcher.py): `data:` URLs are served, nothing else is
fetched — no server is called, no file is read — and the PDF still renders."""

import base64
import http.server
import io
import threading
import urllib.request

import pytest
from django.template import engines
from pypdf import PdfReader

from advisor import pdf

# A 1×1 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

TEMPLATE = """<!doctype html><html><head>
<link rel="stylesheet" href="{{ server }}/style.css">
<style>@import url("{{ server }}/imported.css"); body { background: url("{{ file_url }}"); }</style>
</head><body>
<h1>Report</h1>
<img src="{{ server }}/logo.png" alt="network">
<img src="{{ file_url }}" alt="file">
<img src="data:image/png;base64,{{ png }}" alt="embedded">
</body></html>"""


@pytest.fixture
def server():
    """A loopback HTTP server that counts what it is asked for."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def test_a_template_with_network_and_file_urls_fetches_nothing_but_data(
    server, tmp_path, monkeypatch
):
    base, requests = server
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    files_opened = []
    original = urllib.request.FileHandler.file_open
    monkeypatch.setattr(
        urllib.request.FileHandler,
        "file_open",
        lambda self, req: files_opened.append(req.full_url) or original(self, req),
    )
    html = (
        engines["django"]
        .from_string(TEMPLATE)
        .render(
            {
                "server": base,
                "file_url": secret.as_uri(),
                "png": base64.b64encode(PNG).decode(),
            }
        )
    )
    data = pdf.document_pdf(html)
    assert requests == []
    assert files_opened == []
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert "Report" in page.extract_text()
    assert len(page.images) == 1  # the data: image only


def test_the_fetcher_is_one_weasyprint_accepts():
    # WeasyPrint 70 reads _fail_on_errors from the fetcher; a refused URL is not fatal.
    from advisor import pdf_fetcher

    fetcher = pdf_fetcher.data_only_fetcher()
    assert fetcher._fail_on_errors is False
    response = fetcher.fetch("data:text/plain;base64,b2s=")
    assert response.read() == b"ok"
    for url in ("http://example.com/x.png", "file:///etc/passwd", "ftp://x/y", "FILE:/etc"):
        with pytest.raises(ValueError, match="fetches nothing but data"):
            fetcher.fetch(url)
