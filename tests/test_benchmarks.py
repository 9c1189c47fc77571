"""The benchmark code runs (issue 7). Benchmarks measure and report; these tests only check that the
code works on tiny sizes, and assert nothing about speed."""

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks import harness, httpbench, run

# The benchmark tooling runs a real gunicorn and a benchmark round (about 27 s).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000/healthz
  1 threads and 2 connections
  1500 requests in 1.00s, 700.00KB read
Requests/sec:   1500.00
rolefit requests=1500 duration_us=1002000 p50_us=1200 p99_us=9800 unexpected=3 errors=2
"""


def test_wrk_script_sets_the_request_and_checks_every_status():
    target = httpbench.Target(
        "submit_post",
        "/assess/",
        method="POST",
        body='company=A+"B"&x=1',
        headers=(("Cookie", "csrftoken=abc"),),
        expect=302,
    )
    script = httpbench.wrk_script(target)
    assert "EXPECT = 302" in script
    assert 'wrk.method = "POST"' in script
    assert 'wrk.body = "company=A+\\"B\\"&x=1"' in script
    assert 'wrk.headers["Cookie"] = "csrftoken=abc"' in script
    assert "function response(status, headers, body)" in script


def test_parse_wrk_reads_the_summary_line():
    load = httpbench.parse_wrk(WRK_OUTPUT)
    assert load.requests == 1497  # the unexpected statuses do not count as served
    assert load.unexpected == 5
    assert load.p50_ms == 1.2
    assert load.p99_ms == 9.8
    assert round(load.rps) == 1494


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert httpbench.percentile(values, 0.50) == 50.0
    assert httpbench.percentile(values, 0.99) == 99.0
    assert httpbench.percentile([], 0.5) == 0.0


def test_ratio_is_the_median_of_each_rounds_ratio_to_the_floor():
    def rounds(floor, page):
        return {
            name: httpbench.Load(requests=rps, seconds=1.0, p50_ms=1.0, p99_ms=2.0)
            for name, rps in {"healthz": floor, **dict.fromkeys(httpbench.ENDPOINTS, page)}.items()
        }

    queries = dict.fromkeys(["healthz", *httpbench.ENDPOINTS], 1)
    summary = httpbench.summarise([rounds(1000, 300), rounds(500, 100), rounds(800, 400)], queries)
    assert summary["healthz"]["ratio"] == 1.0
    assert summary["questionnaire_get"]["ratio"] == 0.3  # of 0.3, 0.2 and 0.5
    assert summary["questionnaire_get"]["rps"] == 300


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200 if self.path == "/ok" else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer((harness.LOOPBACK, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_python_load_generator_counts_served_and_unexpected(tiny_server):
    served = httpbench.python_load(
        tiny_server, httpbench.Target("ok", "/ok"), seconds=0.3, connections=2
    )
    assert served.requests > 0
    assert served.unexpected == 0
    assert 0 < served.p50_ms <= served.p99_ms
    missing = httpbench.python_load(
        tiny_server, httpbench.Target("missing", "/missing"), seconds=0.2, connections=1
    )
    assert missing.requests == 0
    assert missing.unexpected > 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_load_generator_counts_served_and_unexpected(tiny_server, tmp_path):
    wrk = shutil.which("wrk")
    served = httpbench.wrk_load(
        wrk, tiny_server, httpbench.Target("ok", "/ok"), seconds=1, connections=2, workdir=tmp_path
    )
    assert served.requests > 0
    assert served.unexpected == 0
    missing = httpbench.wrk_load(
        wrk,
        tiny_server,
        httpbench.Target("missing", "/missing"),
        seconds=1,
        connections=1,
        workdir=tmp_path,
    )
    assert missing.requests == 0
    assert missing.unexpected > 0


def test_write_markdown_replaces_only_the_results_block(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Title\n\nProse.\n\n{run.RESULTS_BEGIN}\nold\n{run.RESULTS_END}\n\nMore.\n")
    run.write_markdown(doc, "new figures")
    assert doc.read_text() == (
        f"# Title\n\nProse.\n\n{run.RESULTS_BEGIN}\nnew figures\n{run.RESULTS_END}\n\nMore.\n"
    )


def test_tiny_run_writes_both_files_in_the_issues_shape(tmp_path):
    """`make bench` on tiny sizes, on the configured kind of database (a throwaway one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ROLEFIT_"))}
    if "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    command = [sys.executable, "-m", "benchmarks.run", "--tiny", "--output-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]

    figures = json.loads((tmp_path / "benchmarks.json").read_text())
    assert set(figures) == {
        "endpoints",
        "scale",
        "pdf",
        "sensitivity",
        "machine",
        "date",
        "database",
    }
    assert set(figures["sensitivity"]) == {"worst_ms_16", "worst_ms_200"}
    assert set(figures["endpoints"]) == {
        "questionnaire_get",
        "submit_post",
        "result_get",
        "report_html",
        "report_pdf",
        "consultant_list",
        "team_result",
    }
    for row in figures["endpoints"].values():
        assert set(row) == {"rps", "ratio", "p50_ms", "p99_ms", "queries"}
        assert row["rps"] > 0
    assert set(figures["scale"]) == {
        "assessments",
        "list_first_page_ms",
        "list_last_page_ms",
        "search_ms",
        "csv_seconds",
        "csv_peak_rss_growth_mb",
        "xlsx_seconds",
        "xlsx_peak_rss_growth_mb",
    }
    assert figures["scale"]["assessments"] == run.TINY["assessments"]
    assert set(figures["pdf"]) == {
        "warm_median_ms",
        "p95_ms",
        "rss_growth_200_renders_mb",
        "team_report_warm_median_ms",
    }
    postgres = harness.is_postgres(env.get("DATABASE_URL", ""))
    assert figures["database"].startswith("PostgreSQL" if postgres else "SQLite")

    doc = (tmp_path / "benchmarks.md").read_text()
    assert run.RESULTS_BEGIN in doc
    assert "| `GET /healthz` (floor) |" in doc
    assert "queries per request constant as data grows" in doc
