"""Scale-out rehearsal: two app instances behind nginx, PgBouncer, Redis (docs/reliability.md).

    python -m benchmarks.scaleout [--duration 30] [--kill-at 10] [--down 5] [--clients 6]
                                  [--port N] [--write-docs] [--keep]

1. Installs the Debian packages it needs when missing (postgresql, pgbouncer, redis-server,
   nginx) and starts, on 127.0.0.1 and free ports (benchmarks/stack.py): a throwaway PostgreSQL
   cluster; PgBouncer in transaction pooling in front of it; Redis; two gunicorn instances of
   RoleFit (A and B, 2 sync workers each) with the settings of a scaled-out deployment
   (`DATABASE_URL` → PgBouncer, `DJANGO_DISABLE_SERVER_SIDE_CURSORS=1`, persistent connections
   with health checks, `ROLEFIT_RATE_CACHE` → Redis, `DJANGO_TRUST_PROXY=1`, one secret key);
   nginx in front, round robin, setting `X-Forwarded-For`/`-Proto`/`-Host`. Migrations run on
   PostgreSQL directly, as a deployment runs them.
2. Load through nginx for `--duration` seconds: visitors, each from its own loopback address
   (127.77.x.y, so nginx's X-Forwarded-For tells them apart), fetch the questionnaire, submit it
   once more than the submission limit allows (`ROLEFIT_RATE_SUBMIT`, 4 per day) and look at
   their results and reports; a consultant signs in and reads the list, a detail page and the
   CSV export; twice, bursts of concurrent submissions from a few addresses test the counter.
3. `--kill-at` seconds in, instance A dies: SIGKILL to its master and workers at once. `--down`
   seconds later it is started again on the same port.
4. Checks: every accepted submission (302 to its result) is in the database; the last CSV export
   (through nginx and PgBouncer) lists every one of them; per client address, as many
   submissions were accepted as the limit allows and the rest got 429 — across both instances
   and through the kill — and Redis holds exactly the number of submissions sent; failures
   happened only around the kill; no access log (nginx, gunicorn) holds a token.
5. Stops everything it started by process id (also on a failure or Ctrl-C) and deletes its
   temporary directory (`--keep` keeps it, with the logs).

Bounded: at most 120 s of load, 16 client threads, requests time out after 10 s, nothing but
127.0.0.1 is contacted. Exit status 0 when every check holds, 1 when one fails, 2 when the setup
failed (the message says which step).
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import stack
from benchmarks.harness import (
    LOOPBACK,
    REQUEST_TIMEOUT,
    ROOT,
    manage,
    request,
    server_env,
    write_between_markers,
)
from benchmarks.loadtest import ATTRIBUTE, INPUT_TAG, RESULT_PATH
from benchmarks.stack import StackError, log

DOC = ROOT / "docs" / "reliability.md"
RESULTS_BEGIN = "<!-- scaleout results: begin -->"
RESULTS_END = "<!-- scaleout results: end -->"
MAX_DURATION = 120.0
SUBMIT_LIMIT = 4
# Per day: a 2-minute run rarely crosses a window's end (midnight UTC); one that does is handled.
SUBMIT_RATE = f"{SUBMIT_LIMIT}/d"
PERIOD = 86400
WORKERS = 2
POOL_SIZE = 3
BURST_ADDRESSES = 3
BURST_REQUESTS = 12
CONSULTANT = "scaleout-consultant"
# Page views between two submissions of a visitor (weights).
VIEWS = {"result": 30, "report": 12, "home": 10, "questionnaire": 10, "healthz": 5, "static": 5}


# --- HTTP from a chosen loopback address ----------------------------------------------------------


def address(block: int, n: int) -> str:
    """The `n`-th client address of a block: 127.<block>.x.y, never .0 or .255."""
    return f"127.{block}.{n // 254 % 256}.{n % 254 + 1}"


def form_fields(page: str) -> tuple[str, dict[str, list[str]]]:
    """The CSRF token and the radio groups (name → option values) of a form page."""
    token, radios = "", {}
    for tag in INPUT_TAG.findall(page):
        attrs = dict(ATTRIBUTE.findall(tag))
        if attrs.get("name") == "csrfmiddlewaretoken":
            token = html.unescape(attrs["value"])
        elif attrs.get("type") == "radio":
            radios.setdefault(attrs["name"], []).append(html.unescape(attrs["value"]))
    return token, radios


def cookies(headers) -> str:
    return "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])


# --- What the load records ------------------------------------------------------------------------


@dataclass
class Event:
    at: float  # seconds since the load started, when the request was sent
    kind: str
    status: int  # 0: no HTTP response (refused, reset, timed out)
    ok: bool
    latency: float


@dataclass
class Submission:
    source: str
    sent: float  # wall clock, for the rate-limit window
    done: float
    status: int
    token: str = ""
    company: str = ""


@dataclass
class Run:
    """Everything the load saw; appends come from many threads (list.append is atomic)."""

    started: float  # time.monotonic()
    events: list[Event] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    exports: list[int] = field(default_factory=list)  # rows of each CSV export read
    timeline: dict[str, float] = field(default_factory=dict)
    last_export: str = ""
    load_average: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))

    def now(self) -> float:
        return time.monotonic() - self.started


class Visitor:
    """A hiring manager: a questionnaire, then SUBMIT_LIMIT + 1 submissions and page views."""

    def __init__(self, run: Run, port: int, source: str, rng: random.Random):
        self.run, self.port, self.source, self.rng = run, port, source, rng
        self.cookie, self.csrf, self.radios = "", "", {}
        self.tokens: list[str] = []

    def call(self, kind: str, method: str, path: str, expect=(200,), body=None, headers=None):
        began = time.monotonic()
        try:
            status, response_headers, content = request(
                self.port, method, path, body, headers, source=self.source
            )
        except OSError:
            status, response_headers, content = 0, None, b""
        ok = status in expect
        self.run.events.append(
            Event(began - self.run.started, kind, status, ok, time.monotonic() - began)
        )
        return status, response_headers, content

    def load_form(self) -> bool:
        status, headers, content = self.call("questionnaire", "GET", "/assess/")
        if status != 200:
            return False
        self.cookie = cookies(headers)
        self.csrf, self.radios = form_fields(content.decode())
        return bool(self.csrf and self.cookie and self.radios)

    def submit(self) -> None:
        """A submission: 302 to its result, or 429 past the limit (both expected)."""
        company = f"Scaleout {secrets.token_hex(6)}"
        fields = [("csrfmiddlewaretoken", self.csrf), ("company", company)]
        fields += [(name, self.rng.choice(values)) for name, values in self.radios.items()]
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie}
        sent = time.time()
        status, response_headers, _ = self.call(
            "submit",
            "POST",
            "/assess/",
            (302, 429),
            urllib.parse.urlencode(fields).encode(),
            headers,
        )
        submission = Submission(self.source, sent, time.time(), status, company=company)
        if status == 302:
            match = RESULT_PATH.match(urllib.parse.urlsplit(response_headers["Location"]).path)
            if match:
                submission.token = match.group(1)
                self.tokens.append(submission.token)
        self.run.submissions.append(submission)

    def view(self) -> None:
        kind = self.rng.choices(list(VIEWS), weights=list(VIEWS.values()))[0]
        token = self.rng.choice(self.tokens) if self.tokens else None
        if kind in {"result", "report"} and token is None:
            kind = "home"
        path = {
            "result": f"/a/{token}/",
            "report": f"/a/{token}/report/",
            "home": "/",
            "questionnaire": "/assess/",
            "healthz": "/healthz",
            "static": "/static/css/rolefit.css",
        }[kind]
        self.call(kind, "GET", path)

    def visit(self, deadline: float) -> None:
        if not self.load_form():
            return
        for _ in range(SUBMIT_LIMIT + 1):
            if time.monotonic() >= deadline:
                return
            self.submit()
            for _ in range(self.rng.randint(1, 3)):
                self.view()


class Consultant(Visitor):
    """Signs in once, then reads the list, a detail page and, every few seconds, the CSV export."""

    def sign_in(self, password: str) -> bool:
        status, headers, content = self.call("login", "GET", "/accounts/login/")
        if status != 200:
            return False
        csrf, _radios = form_fields(content.decode())
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": csrf, "username": CONSULTANT, "password": password}
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookies(headers),
        }
        status, headers, _ = self.call("login", "POST", "/accounts/login/", (302,), body, headers)
        self.cookie = cookies(headers)
        return status == 302 and "sessionid=" in self.cookie

    def export(self) -> str | None:
        status, _headers, content = self.call(
            "export", "GET", "/assessments/export.csv", headers={"Cookie": self.cookie}
        )
        if status != 200:
            return None
        text = content.decode("utf-8")
        self.run.exports.append(text.count("\n") - 1)
        return text

    def work(self, deadline: float) -> None:
        next_export = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_export:
                self.export()
                next_export = time.monotonic() + 4
            tokens = [s.token for s in self.run.submissions[-50:] if s.token]
            if tokens:
                path = f"/assessments/{self.rng.choice(tokens)}/"
                self.call("workspace", "GET", path, headers={"Cookie": self.cookie})
            self.call("workspace", "GET", "/assessments/", headers={"Cookie": self.cookie})
            time.sleep(0.5)


# --- The run --------------------------------------------------------------------------------------


@dataclass
class Options:
    duration: float = 30.0
    kill_at: float = 10.0
    down: float = 5.0
    clients: int = 6
    grace: float = 3.0
    port: int = 0  # nginx's; 0: a free one


def burst(run: Run, port: int, first: int, rng: random.Random) -> None:
    """BURST_ADDRESSES addresses, each BURST_REQUESTS concurrent submissions at once."""
    visitors = [
        Visitor(run, port, address(88, first + n), random.Random(rng.random()))
        for n in range(BURST_ADDRESSES)
    ]
    visitors = [v for v in visitors if v.load_form()]
    if not visitors:
        return
    gate = threading.Barrier(len(visitors) * BURST_REQUESTS)

    def one(visitor):
        gate.wait(timeout=REQUEST_TIMEOUT)
        visitor.submit()

    threads = [
        threading.Thread(target=one, args=(v,)) for v in visitors for _ in range(BURST_REQUESTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT)


def run_load(topology: Topology, options: Options) -> Run:
    run = Run(started=time.monotonic())
    deadline = run.started + options.duration
    port = topology.nginx_port
    numbers = iter(range(10**6))
    numbers_lock = threading.Lock()

    def visitors(seed: int):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            with numbers_lock:
                n = next(numbers)
            Visitor(run, port, address(77, n), rng).visit(deadline)

    def consultant():
        person = Consultant(run, port, address(99, 0), random.Random(-1))
        if person.sign_in(topology.consultant_password):
            person.work(deadline)

    def killer():
        time.sleep(options.kill_at)
        run.timeline["kill"] = run.now()
        topology.kill_app()
        run.timeline["killed"] = run.now()  # A's port refuses connections
        log(f"t={run.timeline['kill']:.1f} s: killed instance A (master and workers, SIGKILL)")
        time.sleep(options.down)
        run.timeline["restart"] = run.now()
        try:
            topology.restart_app()
        except StackError as error:  # the verdict reports the missing restart
            log(f"instance A did not start again: {error}")
            return
        run.timeline["restarted"] = run.now()
        log(f"t={run.timeline['restarted']:.1f} s: instance A answers again")

    def bursts():
        rng = random.Random(7)
        time.sleep(options.kill_at / 2)
        run.timeline["burst before the kill"] = run.now()
        burst(run, port, 0, rng)
        # The second one once A is back, halfway to the end: both instances count it.
        while "restarted" not in run.timeline and time.monotonic() < deadline - 2:
            time.sleep(0.1)
        time.sleep(max(0.0, (options.duration - run.now()) / 2))
        run.timeline["burst after the restart"] = run.now()
        burst(run, port, BURST_ADDRESSES, rng)

    # Daemon threads: on SIGTERM or Ctrl-C the process exits (after stopping the services)
    # without waiting for them.
    threads = [
        threading.Thread(target=visitors, args=(n,), daemon=True) for n in range(options.clients)
    ]
    threads += [threading.Thread(target=f, daemon=True) for f in (consultant, killer, bursts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=options.duration + 60)
    run.timeline["end"] = run.now()
    # The last export, after the load: every accepted submission must be in it.
    final = Consultant(run, port, address(99, 1), random.Random(-2))
    if final.sign_in(topology.consultant_password):
        run.last_export = final.export() or ""
    return run


# --- The topology ---------------------------------------------------------------------------------


class Topology:
    """The services of the rehearsal, started in order; `close()` stops every one."""

    def __init__(self, workdir: Path, *, nginx_port: int = 0):
        self.workdir = workdir
        self.stack = stack.Stack(workdir)
        self.nginx_port = nginx_port
        self.app_ports: list[int] = []
        self.apps: list[stack.Service] = []

    def start(self) -> None:
        pg_port, bouncer_port, redis_port, a_port, b_port, free = stack.free_ports(6)
        self.nginx_port = self.nginx_port or free
        stack.require_free(self.nginx_port, "nginx")  # before anything starts, if it was given
        sockets = self.stack.start_postgres(pg_port)
        password = stack.create_role_and_database(sockets, pg_port)
        self.direct_url = stack.database_url(pg_port, password)
        self.pg_port, self.password = pg_port, password
        self.stack.start_pgbouncer(
            bouncer_port, pg_port=pg_port, password=password, pool_size=POOL_SIZE
        )
        self.bouncer_port = bouncer_port
        self.redis_url = self.stack.start_redis(redis_port)
        self.redis_port = redis_port
        self.env = server_env(
            stack.database_url(bouncer_port, password),
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # one key for every instance
            DJANGO_DISABLE_SERVER_SIDE_CURSORS="1",
            DJANGO_CONN_MAX_AGE="60",
            DJANGO_TRUST_PROXY="1",
            DJANGO_STATIC_ROOT=str(self.workdir / "static"),
            ROLEFIT_RATE_CACHE=self.redis_url,
            ROLEFIT_RATE_SUBMIT=SUBMIT_RATE,
            ROLEFIT_RATE_PDF="20/m",
        )
        # Migrations and setup on PostgreSQL itself, as a deployment runs them.
        setup_env = {**self.env, "DATABASE_URL": self.direct_url}
        self.consultant_password = secrets.token_urlsafe(16)
        log("migrating, loading the default criteria, collecting static files")
        for command in (
            ["migrate", "--noinput", "--verbosity", "0"],
            ["load_default_criteria"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
            ["adduser", CONSULTANT, "--consultant", "--password-from-env", "ROLEFIT_PW"],
        ):
            try:
                manage({**setup_env, "ROLEFIT_PW": self.consultant_password}, *command)
            except subprocess.CalledProcessError as error:
                raise StackError(
                    f"manage.py {command[0]} failed (exit {error.returncode}); see above"
                ) from error
        self.app_ports = [a_port, b_port]
        for name, port in zip(("app-a", "app-b"), self.app_ports, strict=True):
            self.apps.append(self.stack.start_app(name, port, self.env, workers=WORKERS))
        self.stack.start_nginx(self.nginx_port, self.app_ports)

    def kill_app(self) -> None:
        """Instance A dies; returns once its port refuses connections (its last worker is gone:
        the workers share the listening socket and die a moment after the master)."""
        self.stack.kill(self.apps[0])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection((LOOPBACK, self.app_ports[0]), timeout=0.5).close()
            except OSError:
                return
            time.sleep(0.005)

    def restart_app(self) -> None:
        self.apps[0] = self.stack.start_app("app-a", self.app_ports[0], self.env, workers=WORKERS)

    def close(self) -> None:
        self.stack.close()


# --- Checks ---------------------------------------------------------------------------------------


def saved_tokens(topology: Topology) -> set[str]:
    connection = stack.role_connect(topology.pg_port, topology.password)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT token FROM advisor_assessment")
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


def redis_counts(topology: Topology) -> dict[str, int]:
    """Client address → submissions counted in Redis (keys rolefit:rl:submit:<address>:<end>)."""
    import redis

    client = redis.Redis.from_url(topology.redis_url)
    counts: Counter[str] = Counter()
    for key in client.scan_iter(match="rolefit:rl:submit:*"):
        _prefix, _rl, _scope, source, _end = key.decode().split(":")
        counts[source] += int(client.get(key) or 0)
    client.close()
    return dict(counts)


def pgbouncer_pools(topology: Topology) -> dict:
    """PgBouncer's own view: client and server connections of the app's pool, transactions."""
    connection = stack.role_connect(topology.bouncer_port, topology.password, dbname="pgbouncer")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW POOLS")
            columns = [c.name for c in cursor.description]
            pools = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            cursor.execute("SHOW STATS")
            columns = [c.name for c in cursor.description]
            stats = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()
    pool = next(p for p in pools if p["database"] == stack.DATABASE)
    stat = next(s for s in stats if s["database"] == stack.DATABASE)
    return {
        "client_connections": int(pool["cl_active"] + pool["cl_waiting"]),
        "server_connections": int(pool["sv_active"] + pool["sv_idle"] + pool["sv_used"]),
        "transactions": int(stat["total_xact_count"]),
    }


def limit_check(
    submissions: list[Submission], redis: dict[str, int], *, now: float | None = None
) -> dict:
    """Per client address: exact counting, across both instances and through the kill.

    An address is *exact* when SUBMIT_LIMIT submissions were accepted (fewer only if it sent
    fewer), every other one got 429, and Redis counted every one it sent. That can be asserted
    only when every submission of the address got a 302 or a 429, all in one rate window: one
    that got no answer (the instance died under it) may or may not have been counted, and a new
    window starts a new count. For those addresses only "never more than the limit accepted in
    one window" holds. Redis forgets a count when its window ends, so the Redis count is compared
    only for windows still open at `now` (the check's time).
    """
    current = int((time.time() if now is None else now) // PERIOD)
    by_source: dict[str, list[Submission]] = {}
    for submission in submissions:
        by_source.setdefault(submission.source, []).append(submission)
    exact = inexact = over = undecided = crossed = redis_compared = 0
    problems = []
    for source, sent in sorted(by_source.items()):
        accepted = sum(1 for s in sent if s.status == 302)
        limited = sum(1 for s in sent if s.status == 429)
        # Accepted per window, for the submissions known to fall in one window.
        per_window = Counter(
            int(s.sent // PERIOD)
            for s in sent
            if s.status == 302 and int(s.sent // PERIOD) == int(s.done // PERIOD)
        )
        if any(n > SUBMIT_LIMIT for n in per_window.values()):
            over += 1
            problems.append(f"{source}: {max(per_window.values())} accepted, limit {SUBMIT_LIMIT}")
        windows = {int(t // PERIOD) for s in sent for t in (s.sent, s.done)}
        if len(windows) > 1:
            crossed += 1
            continue
        if accepted + limited < len(sent):
            undecided += 1
            continue
        counted = redis.get(source, 0) if windows == {current} else None
        redis_compared += counted is not None
        if (
            accepted == min(len(sent), SUBMIT_LIMIT)
            and limited == len(sent) - accepted
            and counted in (None, len(sent))
        ):
            exact += 1
        else:
            inexact += 1
            problems.append(
                f"{source}: sent {len(sent)}, accepted {accepted}, 429 {limited}, "
                f"Redis counted {counted}"
            )
    return {
        "addresses": len(by_source),
        "exact": exact,
        "inexact": inexact,
        "over_limit": over,
        "undecided": undecided,
        "crossed_a_window": crossed,
        "redis_compared": redis_compared,
        "submissions": len(submissions),
        "accepted": sum(1 for s in submissions if s.status == 302),
        "limited": sum(1 for s in submissions if s.status == 429),
        "counted_in_redis": sum(redis.values()),
        "problems": problems[:10],
    }


def burst_check(submissions: list[Submission]) -> dict:
    """The bursts' addresses: BURST_REQUESTS concurrent submissions, SUBMIT_LIMIT accepted."""
    accepted = Counter(s.source for s in submissions if s.status == 302)
    sources = sorted({s.source for s in submissions if s.source.startswith("127.88.")})
    return {
        "addresses": len(sources),
        "requests_each": BURST_REQUESTS,
        "accepted": [accepted.get(source, 0) for source in sources],
    }


def failure_timing(run: Run, grace: float) -> dict:
    failures = [e for e in run.events if not e.ok]
    kill = run.timeline.get("kill")
    summary = {
        "requests": len(run.events),
        "requests_per_s": round(len(run.events) / max(run.timeline["end"], 1e-9), 1),
        "failures": len(failures),
        "by_kind": dict(Counter(e.kind for e in failures)),
        "by_status": {str(k): v for k, v in Counter(e.status for e in failures).items()},
        "outside_window": 0,
    }
    if kill is not None:
        summary["killed_after_kill_s"] = round(run.timeline.get("killed", kill) - kill, 3)
        # Each failure, relative to the kill (the first 20).
        summary["failed"] = [
            {
                "kind": e.kind,
                "status": e.status,
                "sent_s": round(e.at - kill, 3),
                "answered_s": round(e.at + e.latency - kill, 3),
            }
            for e in sorted(failures, key=lambda e: e.at)[:20]
        ]
    if kill is not None and failures:
        summary["first_sent_after_kill_s"] = round(min(e.at for e in failures) - kill, 2)
        summary["last_ended_after_kill_s"] = round(
            max(e.at + e.latency for e in failures) - kill, 2
        )
    # A failure is expected only for a request in flight when the instance died: sent before
    # its last process was gone, answered (with an error) after the kill and at most `grace`
    # seconds after it. Anything else means nginx kept sending to the dead instance, or the
    # survivor failed.
    dead = run.timeline.get("killed", kill)
    summary["outside_window"] = sum(
        1
        for e in failures
        if kill is None or not (e.at <= dead and kill <= e.at + e.latency <= kill + grace)
    )
    return summary


def nginx_lines(topology: Topology) -> list[str]:
    path = topology.workdir / "nginx" / "access.log"
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def upstream_check(topology: Topology) -> dict:
    """From nginx's log: requests per instance, and those retried on the other one."""
    served: Counter[str] = Counter()
    retried = 0
    a, b = (f"{LOOPBACK}:{port}" for port in topology.app_ports)
    for line in nginx_lines(topology):
        match = re.search(r'upstream="([^"]*)"', line)
        if not match or match.group(1) in ("", "-"):
            continue
        tried = [u.strip() for u in match.group(1).split(",")]
        retried += len(tried) > 1
        served["A" if tried[-1] == a else "B" if tried[-1] == b else "other"] += 1
    return {"served_by_a": served["A"], "served_by_b": served["B"], "retried": retried}


def tokens_in_logs(topology: Topology, tokens: set[str]) -> dict:
    """Lines of the nginx and gunicorn access logs that hold a token, and redacted lines.

    nginx's error log is counted apart: it records the request line of a request whose upstream
    failed, and nginx cannot redact it (docs/reliability.md says how to treat that log).
    """
    pattern = re.compile(r"/a/([A-Za-z0-9_-]+)/")

    def scan(paths):
        lines = leaked = redacted = 0
        for path in paths:
            for line in path.read_text(errors="replace").splitlines():
                lines += 1
                leaked += any(m in tokens for m in pattern.findall(line))
                redacted += "/a/…/" in line
        return lines, leaked, redacted

    access = [topology.workdir / "nginx" / "access.log"]
    access += sorted((topology.workdir / "logs").glob("app-*-access.log"))
    lines, leaked, redacted = scan(access)
    error_lines, error_leaked, _ = scan([topology.workdir / "nginx" / "error.log"])
    return {
        "log_lines": lines,
        "lines_with_a_token": leaked,
        "redacted_lines": redacted,
        "nginx_error_log_lines": error_lines,
        "nginx_error_log_lines_with_a_token": error_leaked,
    }


def check(topology: Topology, run: Run, options: Options) -> dict:
    accepted = {s.token: s for s in run.submissions if s.token}
    in_db = saved_tokens(topology)
    export_rows = list(csv.DictReader(io.StringIO(run.last_export.lstrip("\ufeff"))))
    exported = {row["company"] for row in export_rows}
    redis = redis_counts(topology)
    return {
        "submissions": {
            "accepted": len(accepted),
            "found_in_db": len(accepted.keys() & in_db),
            "lost": len(accepted.keys() - in_db),
            # Saved, but the visitor got an error instead of the redirect: the instance died
            # between the commit and the response. Not lost; the visitor may submit again.
            "saved_without_redirect": len(in_db - accepted.keys()),
            "last_export_rows": len(export_rows),
            "missing_from_last_export": sum(
                1 for s in accepted.values() if s.company not in exported
            ),
        },
        "limits": limit_check(run.submissions, redis),
        "bursts": burst_check(run.submissions),
        "failures": failure_timing(run, options.grace),
        "upstreams": upstream_check(topology),
        "logs": tokens_in_logs(topology, set(accepted)),
        "pgbouncer": pgbouncer_pools(topology),
        "exports_during_load": len(run.exports),
        "timeline_s": {k: round(v, 2) for k, v in run.timeline.items()},
        "load_average": run.load_average,
    }


def verdict(result: dict) -> list[str]:
    problems = []
    sub, limits, failures = result["submissions"], result["limits"], result["failures"]
    if sub["lost"]:
        problems.append(f"{sub['lost']} accepted submissions missing from the database")
    if sub["missing_from_last_export"] or not sub["last_export_rows"]:
        problems.append(f"{sub['missing_from_last_export']} accepted submissions not in the CSV")
    if limits["inexact"] or limits["over_limit"]:
        problems.append(
            f"rate limits: {limits['inexact']} addresses counted wrong, "
            f"{limits['over_limit']} over the limit ({'; '.join(limits['problems'])})"
        )
    if any(n != SUBMIT_LIMIT for n in result["bursts"]["accepted"]):
        problems.append(f"bursts accepted {result['bursts']['accepted']}, not {SUBMIT_LIMIT} each")
    if failures["outside_window"]:
        problems.append(f"{failures['outside_window']} failures outside the kill's window")
    if result["logs"]["lines_with_a_token"]:
        problems.append(f"{result['logs']['lines_with_a_token']} access-log lines hold a token")
    if "restarted" not in result["timeline_s"]:
        problems.append("instance A was not restarted")
    return problems


# --- Report ---------------------------------------------------------------------------------------


def markdown(result: dict, options: Options, problems: list[str]) -> str:
    sub, limits, bursts = result["submissions"], result["limits"], result["bursts"]
    failures, up, logs = result["failures"], result["upstreams"], result["logs"]
    bouncer, times = result["pgbouncer"], result["timeline_s"]
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(failures["by_kind"].items())) or "none"
    statuses = ", ".join(f"{v} × {k or 'no response'}" for k, v in failures["by_status"].items())
    lines = [
        f"Run of `make scaleout` on {time.strftime('%Y-%m-%d')}: {options.duration:g} s of load "
        f"from {options.clients} visitor threads, a consultant and two bursts; instance A "
        f"killed at t = {times.get('kill', '?')} s, started again at t = "
        f"{times.get('restart', '?')} s and answering at t = {times.get('restarted', '?')} s "
        f"(its port refused connections {failures.get('killed_after_kill_s', '?')} s after the "
        f"kill). Load average at the start: {result['load_average']} (other work on 2 cores).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| accepted submissions (302 to a result) | {sub['accepted']} |",
        f"| … of them in the database | {sub['found_in_db']} (lost: **{sub['lost']}**) |",
        f"| … of them in the last CSV export (through nginx and PgBouncer) | "
        f"{sub['accepted'] - sub['missing_from_last_export']} of {sub['last_export_rows']} rows |",
        f"| saved, but answered with an error (the instance died after the commit) | "
        f"{sub['saved_without_redirect']} |",
        f"| requests (all kinds) | {failures['requests']} ({failures['requests_per_s']} req/s, "
        "context only: seven processes share 2 cores) |",
        f"| failed requests | {failures['failures']} ({statuses or 'none'}; by kind: {kinds}) |",
    ]
    if failures.get("failed"):
        lines.append(
            "| each failed request: sent → answered, s after the kill | "
            + "; ".join(
                f"{f['kind']} {f['status'] or 'no response'}: {f['sent_s']:+.3f} → "
                f"{f['answered_s']:+.3f}"
                for f in failures["failed"]
            )
            + " |"
        )
    if "first_sent_after_kill_s" in failures:
        lines.append(
            f"| failures' timing, relative to the kill | sent from "
            f"{failures['first_sent_after_kill_s']} s, answered by "
            f"{failures['last_ended_after_kill_s']} s; {failures['outside_window']} outside "
            f'"in flight at the kill, answered within {options.grace:g} s" |'
        )
    lines += [
        f"| served by A / by B (nginx's log) | {up['served_by_a']} / {up['served_by_b']}; "
        f"{up['retried']} retried on the other instance by nginx |",
        f"| rate limit ({SUBMIT_RATE} per address): addresses | {limits['addresses']}: "
        f"{limits['exact']} exact ({limits['redis_compared']} of them also against Redis's "
        f"count), {limits['inexact']} wrong, {limits['over_limit']} over the limit, "
        f"{limits['undecided']} undecidable (a submission without an answer), "
        f"{limits['crossed_a_window']} across a window's end |",
        f"| submissions sent / accepted / 429 / counted in Redis | {limits['submissions']} / "
        f"{limits['accepted']} / {limits['limited']} / {limits['counted_in_redis']} |",
        f"| bursts: {bursts['requests_each']} concurrent submissions per address | accepted "
        f"{', '.join(map(str, bursts['accepted']))} (limit {SUBMIT_LIMIT}) |",
        f"| PgBouncer: app connections / server connections / transactions | "
        f"{bouncer['client_connections']} / {bouncer['server_connections']} / "
        f"{bouncer['transactions']} |",
        f"| CSV exports during the load | {result['exports_during_load']} |",
        f"| access-log lines (nginx, gunicorn) / with a token / redacted `/a/…/` | "
        f"{logs['log_lines']} / {logs['lines_with_a_token']} / {logs['redacted_lines']} |",
        f"| nginx's error log: lines / with a token (not redactable) | "
        f"{logs['nginx_error_log_lines']} / {logs['nginx_error_log_lines_with_a_token']} |",
        "",
        "Verdict: " + ("every check holds." if not problems else "; ".join(problems)),
    ]
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------------


def rehearse(options: Options, workdir: Path) -> tuple[dict, list[str]]:
    """Start the topology in `workdir`, run the load with the kill, check; always stop it all."""
    topology = Topology(workdir, nginx_port=options.port)
    try:
        topology.start()
        log(
            f"load through nginx on {LOOPBACK}:{topology.nginx_port}: {options.duration:g} s, "
            f"kill A at {options.kill_at:g} s for {options.down:g} s"
        )
        run = run_load(topology, options)
        result = check(topology, run, options)
    finally:
        topology.close()
    return result, verdict(result)


def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # runs the `finally` blocks: everything started is stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--kill-at", type=float, default=10.0, help="seconds into the load")
    parser.add_argument("--down", type=float, default=5.0, help="seconds before the restart")
    parser.add_argument("--clients", type=int, default=6, help="visitor threads")
    parser.add_argument("--grace", type=float, default=3.0, help="failure window after the kill")
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/reliability.md")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs)")
    args = parser.parse_args(argv)
    duration = min(max(args.duration, 6.0), MAX_DURATION)
    kill_at = min(max(args.kill_at, 1.0), duration - 2)
    options = Options(
        duration=duration,
        kill_at=kill_at,
        down=min(max(args.down, 0.5), duration - kill_at - 1),
        clients=min(max(args.clients, 1), 16),
        grace=args.grace,
        port=args.port,
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="rolefit-scaleout-"))
    workdir.chmod(0o711)  # the services' own users (postgres, nginx's workers) go through it
    try:
        stack.ensure_packages()
        result, problems = rehearse(options, workdir)
    except StackError as error:
        log(f"stopped: {error}")
        return 2
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scaleout.json").write_text(json.dumps(result, indent=2))
    block = markdown(result, options, problems)
    print(block)
    if args.write_docs:
        write_between_markers(DOC, RESULTS_BEGIN, RESULTS_END, block)
        log(f"results written to {DOC.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
