"""The scale-out rehearsal's pieces (benchmarks/stack.py, benchmarks/scaleout.py).

The whole rehearsal (`make scaleout`) takes one to two minutes here — migrations on a fresh cluster,
two gunicorn boots and the load — so the suite runs its pieces instead: nginx with the rehearsal's
configuration for real (when installed; CI installs it) in front of two small HTTP servers, the
setup's failure path, and the checks on made-up records. docs/reliability.md holds the figures of
a full run.
"""

import json
import os
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import harness, scaleout, stack
from benchmarks.scaleout import Event, Run, Submission

TOKEN = "Zq3-x_9AbCdEfGhIjKlMnOpQrStUvWxYz012345"
CLIENT = "127.66.0.9"


# --- Configuration files ----------------------------------------------------------------------


def test_pgbouncer_pools_transactions_with_a_bounded_pool(tmp_path):
    ini = stack.pgbouncer_ini(port=6001, pg_port=5999, userlist=tmp_path / "u", pool_size=3)
    assert "pool_mode = transaction" in ini
    assert "rolefit = host=127.0.0.1 port=5999 dbname=rolefit" in ini
    assert "listen_addr = 127.0.0.1\nlisten_port = 6001" in ini
    assert "default_pool_size = 3" in ini and "max_db_connections = 3" in ini
    assert "auth_type = scram-sha-256" in ini


# --- nginx, for real --------------------------------------------------------------------------


class Echo(BaseHTTPRequestHandler):
    """Answers with its server's name and the headers it got; /die closes without an answer."""

    def do_GET(self):
        self.answer()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer()

    def answer(self):
        self.server.seen.append((self.command, self.path))
        if self.path == "/die":  # an instance dying under the request
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        body = json.dumps({"name": self.server.name, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def echo_server(name: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.name, server.seen = name, []
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def proxied(tmp_path):
    """nginx as the rehearsal configures it, in front of echo servers "a" and "b"."""
    if stack.program("nginx") is None:
        pytest.skip("no nginx installed (Debian: apt-get install nginx)")
    tmp_path.chmod(0o711)  # nginx's workers drop root's rights
    servers = {name: echo_server(name) for name in ("a", "b")}
    topology = stack.Stack(tmp_path)
    port = stack.free_ports(1)[0]
    try:
        topology.start_nginx(port, [s.server_address[1] for s in servers.values()])
        yield topology, port, servers
    finally:
        topology.close()
        for server in servers.values():
            server.shutdown()
            server.server_close()


def get(port, path="/", method="GET", headers=None):
    body = b"" if method == "POST" else None
    status, _headers, body = harness.request(port, method, path, body, headers, source=CLIENT)
    return status, (json.loads(body) if status == 200 else None)


def test_nginx_spreads_requests_and_sets_the_forwarded_headers(proxied):
    _topology, port, _servers = proxied
    answers = [get(port)[1] for _ in range(6)]
    assert {a["name"] for a in answers} == {"a", "b"}  # round robin
    headers = answers[0]["headers"]
    assert headers["X-Forwarded-For"] == CLIENT  # what DJANGO_TRUST_PROXY=1 reads
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Host"] == "127.0.0.1"


def test_nginx_skips_a_dead_instance(proxied):
    _topology, port, servers = proxied
    servers["b"].shutdown()
    servers["b"].server_close()  # its port now refuses connections
    answers = [get(port) for _ in range(4)]
    assert [status for status, _answer in answers] == [200] * 4
    assert {answer["name"] for _status, answer in answers} == {"a"}


def test_a_get_whose_instance_dies_is_retried_on_the_other_one(proxied):
    _topology, port, servers = proxied
    for server in servers.values():
        server.seen.clear()
    # Both die under the request: the GET was tried on each before failing.
    assert get(port, "/die")[0] == 502
    assert [len(s.seen) for s in servers.values()] == [1, 1]


def test_a_post_that_reached_an_instance_is_never_sent_again(proxied):
    _topology, port, servers = proxied
    for server in servers.values():
        server.seen.clear()
    # So a submission is never made twice; the visitor gets the error (502).
    assert get(port, "/die", method="POST")[0] == 502
    assert sorted(len(s.seen) for s in servers.values()) == [0, 1]


def test_nginx_access_log_has_no_token(proxied):
    topology, port, _servers = proxied
    referrer = f"http://127.0.0.1:{port}/a/{TOKEN}/"
    get(port, f"/a/{TOKEN}/report/", headers={"Referer": referrer})
    get(port, f"/assessments/{TOKEN}/")
    get(port, "/assessments/export.csv?sort=company")
    topology.close()  # flushes and closes the log
    log = (topology.workdir / "nginx" / "access.log").read_text()
    assert TOKEN not in log
    assert '"GET /a/…/report/ HTTP/1.1" 200' in log
    assert f'"http://127.0.0.1:{port}/a/…/"' in log
    assert '"GET /assessments/…/ HTTP/1.1"' in log
    assert '"GET /assessments/export.csv?sort=company HTTP/1.1"' in log


def test_a_busy_port_stops_the_setup_with_a_clear_message_and_leaves_nothing_running(proxied):
    topology, port, servers = proxied
    started = list(topology.services)
    with pytest.raises(stack.StackError, match=f"port {port} on 127.0.0.1 .* is in use"):
        topology.start_nginx(port, [s.server_address[1] for s in servers.values()])
    topology.close()
    assert topology.services == []
    for service in started:
        assert service.process.poll() is not None
        with pytest.raises(ProcessLookupError):
            os.kill(service.pid, 0)


def test_a_package_that_will_not_install_stops_the_setup_with_its_name(monkeypatch):
    installed = {"postgres", "redis-server", "nginx"}
    monkeypatch.setattr(stack, "program", lambda name: name if name in installed else None)
    monkeypatch.setattr(stack.shutil, "which", lambda name, path=None: f"/usr/bin/{name}")
    commands = []

    def apt_get(command, **kwargs):
        commands.append(command)
        failed = "install" in command
        return subprocess.CompletedProcess(
            command, 100 if failed else 0, "", "E: Unable to locate package pgbouncer"
        )

    monkeypatch.setattr(stack.subprocess, "run", apt_get)
    with pytest.raises(stack.StackError, match="could not install pgbouncer .*Unable to locate"):
        stack.ensure_packages()
    assert commands[-1][-1] == "pgbouncer"  # only what is missing


# --- The checks, on made-up records -------------------------------------------------------------


def submission(source, status, at=1_000_000.0):
    return Submission(source, at, at + 0.1, status)


def test_limit_check_exact_over_and_undecidable():
    limit = scaleout.SUBMIT_LIMIT
    ok = [submission("127.77.0.1", 302)] * limit + [submission("127.77.0.1", 429)]
    over = [submission("127.77.0.2", 302)] * (limit + 1)
    lost_answer = [submission("127.77.0.3", 302)] * (limit - 1) + [submission("127.77.0.3", 502)]
    miscounted = [submission("127.77.0.4", 302)]
    result = scaleout.limit_check(
        ok + over + lost_answer + miscounted,
        {"127.77.0.1": limit + 1, "127.77.0.2": limit + 1, "127.77.0.3": limit - 1,
         "127.77.0.4": 2},
        now=1_000_000.0,  # the submissions' window is still open: Redis's counts are compared
    )  # fmt: skip
    assert result["exact"] == 1 and result["redis_compared"] == 3
    assert result["over_limit"] == 1
    assert result["undecided"] == 1  # the 502 may or may not have been counted
    assert result["inexact"] == 2  # .2 (too many accepted) and .4 (Redis counted 2 of 1)


def test_a_new_window_is_a_new_allowance_and_an_ended_windows_count_is_gone():
    limit, end = scaleout.SUBMIT_LIMIT, scaleout.PERIOD * 20_000.0
    before = [submission("127.77.0.1", 302, at=end - 5)] * limit
    after = [submission("127.77.0.1", 302, at=end + 5)] * limit
    ended = [submission("127.77.0.2", 302, at=end - 5)] * limit
    result = scaleout.limit_check(before + after + ended, {}, now=end + 60)
    assert result["over_limit"] == 0  # twice the limit, but in two windows
    assert result["crossed_a_window"] == 1
    # Redis has forgotten .2's window: its 302s and 429s alone are checked.
    assert result["exact"] == 1 and result["redis_compared"] == 0


def run_with(events, kill=10.0, killed=10.05):
    run = Run(started=0.0, events=events)
    run.timeline.update(kill=kill, killed=killed, restarted=14.0, end=30.0)
    return run


def test_only_requests_in_flight_at_the_kill_may_fail():
    in_flight = Event(at=9.8, kind="submit", status=502, ok=False, latency=0.3)
    before = Event(at=2.0, kind="home", status=500, ok=False, latency=0.1)
    long_after = Event(at=20.0, kind="result", status=0, ok=False, latency=0.1)
    fine = Event(at=11.0, kind="home", status=200, ok=True, latency=0.1)
    timing = scaleout.failure_timing(run_with([in_flight, fine]), grace=3.0)
    assert timing["failures"] == 1 and timing["outside_window"] == 0
    assert timing["first_sent_after_kill_s"] == -0.2
    timing = scaleout.failure_timing(run_with([in_flight, before, long_after]), grace=3.0)
    assert timing["outside_window"] == 2


def test_verdict_names_each_broken_promise():
    result = {
        "submissions": {"lost": 1, "missing_from_last_export": 0, "last_export_rows": 5},
        "limits": {"inexact": 0, "over_limit": 0, "problems": []},
        "bursts": {"accepted": [scaleout.SUBMIT_LIMIT, scaleout.SUBMIT_LIMIT + 2]},
        "failures": {"outside_window": 0},
        "logs": {"lines_with_a_token": 0},
        "timeline_s": {"kill": 10.0, "restarted": 13.0},
    }
    problems = scaleout.verdict(result)
    assert problems == [
        "1 accepted submissions missing from the database",
        f"bursts accepted {result['bursts']['accepted']}, not {scaleout.SUBMIT_LIMIT} each",
    ]


def test_client_addresses_are_distinct_loopback_addresses():
    addresses = {scaleout.address(77, n) for n in range(1000)}
    assert len(addresses) == 1000
    assert all(a.startswith("127.77.") and not a.endswith((".0", ".255")) for a in addresses)
