"""Load and database-fault test: gunicorn + PostgreSQL on loopback (docs/reliability.md).

    python -m benchmarks.loadtest [--duration 30] [--no-restart] [--write-docs]

1. Creates a separate database (`rolefit_load`) next to the one in the admin URL, migrates it,
   loads the default criteria and collects static files.
2. Starts gunicorn (2 sync workers, debug off, plain HTTP, rate limits off, persistent database
   connections with health checks) on 127.0.0.1 and waits for /healthz.
3. Phase "steady": `--duration` seconds of mixed traffic (landing, questionnaire, submissions,
   results, reports, a few PDFs, health checks, static files). Expected: no failure at all.
4. Phase "restart": the same traffic; `--restart-at` seconds in, the PostgreSQL cluster is
   restarted with a fast shutdown (`pg_ctlcluster VERSION NAME restart -m fast`, fsync on).
   Expected: failures only within `--grace` seconds of the restart's start, none after.
5. Every submission that got its redirect must exist in the database afterwards.
6. Stops gunicorn (by the PID in its --pid file) and drops the database.

Bounded: each phase lasts at most 120 s, every request times out after 10 s, and nothing but
127.0.0.1 is contacted. Exit status 0 when every expectation holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg2
from psycopg2 import sql

# gunicorn on loopback and plain HTTP requests: shared with the benchmarks.
from benchmarks.harness import LOOPBACK, free_port, manage, request, start_server, stop_server
from benchmarks.harness import server_env as _server_env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
RESULTS_BEGIN = "<!-- loadtest results: begin -->"
RESULTS_END = "<!-- loadtest results: end -->"
LOCAL_DB_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
DEFAULT_ADMIN_URL = "postgres://rolefit:rolefit-ci@127.0.0.1:5432/rolefit"
LOAD_DB = "rolefit_load"
MAX_PHASE = 120

# Share of each kind of request in the mix (weights).
MIX = {
    "home": 12,
    "questionnaire": 22,
    "submit": 22,
    "result": 22,
    "report": 8,
    "pdf": 2,
    "healthz": 7,
    "static": 5,
}
RESULT_PATH = re.compile(r"^/a/([A-Za-z0-9_-]+)/$")
INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def log(message: str) -> None:
    print(f"[loadtest] {message}", flush=True)


# --- Database -------------------------------------------------------------------------------------


def admin_url() -> str:
    url = os.environ.get("ROLEFIT_LOAD_ADMIN_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_ADMIN_URL


def connect(url: str, dbname: str):
    params = dj_database_url.parse(url)
    return psycopg2.connect(
        host=params["HOST"] or LOOPBACK,
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"],
        dbname=dbname,
        connect_timeout=5,
    )


def load_db_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{LOAD_DB}"))


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    connection = connect(url, "postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(LOAD_DB))
            )
            if not drop_only:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(LOAD_DB)))
    finally:
        connection.close()


def tokens_saved(url: str, tokens: list[str]) -> int:
    for attempt in range(30):  # the cluster may still be starting
        try:
            connection = connect(url, LOAD_DB)
            break
        except psycopg2.OperationalError:
            if attempt == 29:
                raise
            time.sleep(1)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM advisor_assessment WHERE token = ANY(%s)", (tokens,)
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


# --- Server ---------------------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    return _server_env(database_url, DJANGO_SECRET_KEY=secrets.token_urlsafe(50))


# --- Traffic --------------------------------------------------------------------------------------


@dataclass
class Event:
    at: float  # seconds since the phase started
    kind: str
    status: int  # 0: no HTTP response (connection refused, reset, timeout)
    ok: bool
    latency: float
    detail: str = ""


@dataclass
class Phase:
    name: str
    duration: float
    events: list[Event] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    restart_start: float | None = None
    restart_end: float | None = None
    restart_error: str = ""


class Client:
    """One simulated visitor: fetches the form once, then loops over the mix."""

    def __init__(self, port: int, phase: Phase, started: float, seed: int):
        self.port = port
        self.phase = phase
        self.started = started
        self.random = random.Random(seed)
        self.cookie = ""
        self.csrf = ""
        self.radios: dict[str, list[str]] = {}
        self.my_tokens: list[str] = []

    def record(self, kind, status, ok, began, detail=""):
        event = Event(began - self.started, kind, status, ok, time.monotonic() - began, detail)
        self.phase.events.append(event)  # list.append is atomic under the GIL

    def call(self, kind, method, path, *, expect, body=None, headers=None):
        began = time.monotonic()
        try:
            status, response_headers, content = request(self.port, method, path, body, headers)
        except OSError as error:
            self.record(kind, 0, False, began, type(error).__name__)
            return None
        ok = status == expect
        self.record(kind, status, ok, began, "" if ok else f"{method} {path}")
        return (status, response_headers, content) if ok else None

    def load_form(self) -> bool:
        got = self.call("questionnaire", "GET", "/assess/", expect=200)
        if got is None:
            return False
        _status, headers, content = got
        page = content.decode()
        for cookie in headers.get_all("Set-Cookie") or []:
            if cookie.startswith("csrftoken="):
                self.cookie = cookie.split(";", 1)[0]
        self.radios = {}
        for tag in INPUT_TAG.findall(page):
            attrs = dict(ATTRIBUTE.findall(tag))
            if attrs.get("name") == "csrfmiddlewaretoken":
                self.csrf = html.unescape(attrs["value"])
            elif attrs.get("type") == "radio":
                self.radios.setdefault(attrs["name"], []).append(html.unescape(attrs["value"]))
        return bool(self.csrf and self.cookie and self.radios)

    def submit(self) -> None:
        fields = [("csrfmiddlewaretoken", self.csrf), ("company", f"Load {secrets.token_hex(4)}")]
        fields += [(name, self.random.choice(values)) for name, values in self.radios.items()]
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie}
        got = self.call("submit", "POST", "/assess/", expect=302, body=body, headers=headers)
        if got is None:
            return
        match = RESULT_PATH.match(urllib.parse.urlsplit(got[1]["Location"]).path)
        if match:
            self.my_tokens.append(match.group(1))
            self.phase.tokens.append(match.group(1))
        else:
            self.record("submit", 302, False, time.monotonic(), "redirect not to a result")

    def step(self) -> None:
        if not self.csrf and not self.load_form():
            time.sleep(0.05)
            return
        kind = self.random.choices(list(MIX), weights=list(MIX.values()))[0]
        token = self.random.choice(self.my_tokens) if self.my_tokens else None
        if kind in {"result", "report", "pdf"} and token is None:
            kind = "submit"
        if kind == "home":
            self.call(kind, "GET", "/", expect=200)
        elif kind == "questionnaire":
            self.call(kind, "GET", "/assess/", expect=200)
        elif kind == "submit":
            self.submit()
        elif kind == "result":
            self.call(kind, "GET", f"/a/{token}/", expect=200)
        elif kind == "report":
            self.call(kind, "GET", f"/a/{token}/report/", expect=200)
        elif kind == "pdf":
            self.call(kind, "GET", f"/a/{token}/report.pdf", expect=200)
        elif kind == "healthz":
            self.call(kind, "GET", "/healthz", expect=200)
        else:
            self.call(kind, "GET", "/static/css/rolefit.css", expect=200)


def run_phase(port, phase: Phase, *, clients: int, restart: list[str] | None, restart_at: float):
    started = time.monotonic()
    deadline = started + phase.duration

    def visitor(seed):
        client = Client(port, phase, started, seed)
        while time.monotonic() < deadline:
            client.step()

    def restarter():
        time.sleep(restart_at)
        phase.restart_start = time.monotonic() - started
        log(f"restarting PostgreSQL at t={phase.restart_start:.1f}s: {' '.join(restart)}")
        result = subprocess.run(restart, capture_output=True, text=True, timeout=60)
        phase.restart_end = time.monotonic() - started
        if result.returncode != 0:
            phase.restart_error = (result.stderr or result.stdout).strip()[:300]
        log(f"restart finished at t={phase.restart_end:.1f}s (exit {result.returncode})")

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(clients)]
    if restart:
        threads.append(threading.Thread(target=restarter))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=phase.duration + 90)


# --- Report ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarise(phase: Phase, grace: float, saved: int) -> dict:
    failures = [e for e in phase.events if not e.ok]
    ok = [e for e in phase.events if e.ok]
    by_kind = {}
    for kind in MIX:
        latencies = [e.latency * 1000 for e in ok if e.kind == kind]
        by_kind[kind] = {
            "ok": len(latencies),
            "failed": sum(1 for e in failures if e.kind == kind),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        }
    summary = {
        "phase": phase.name,
        "duration_s": phase.duration,
        "requests": len(phase.events),
        "requests_per_s": round(len(phase.events) / phase.duration, 1),
        "failures": len(failures),
        "server_errors": sum(1 for e in failures if e.status >= 500),
        "no_response": sum(1 for e in failures if e.status == 0),
        "other_failures": sum(1 for e in failures if 0 < e.status < 500),
        "submissions_redirected": len(phase.tokens),
        "submissions_found_in_db": saved,
        "by_kind": by_kind,
    }
    if phase.restart_start is not None:
        start = phase.restart_start
        summary["restart_started_s"] = round(start, 2)
        summary["restart_finished_s"] = round(phase.restart_end or 0, 2)
        summary["restart_error"] = phase.restart_error
        if failures:
            summary["first_failure_after_restart_s"] = round(min(e.at for e in failures) - start, 2)
            summary["last_failure_after_restart_s"] = round(
                max(e.at + e.latency for e in failures) - start, 2
            )
        # A failure counts by when it ended: a request begun just before the restart may fail.
        summary["failures_outside_grace"] = sum(
            1 for e in failures if not start <= e.at + e.latency <= start + grace
        )
    return summary


def verdict(steady: dict, fault: dict | None) -> list[str]:
    problems = []
    if steady["failures"]:
        problems.append(f"steady phase: {steady['failures']} failed requests (expected 0)")
    if steady["submissions_found_in_db"] != steady["submissions_redirected"]:
        problems.append("steady phase: a redirected submission is missing from the database")
    if fault is not None:
        if fault.get("restart_error"):
            problems.append(f"restart failed: {fault['restart_error']}")
        if fault["failures_outside_grace"]:
            problems.append(
                f"restart phase: {fault['failures_outside_grace']} failures outside the window"
            )
        if fault["submissions_found_in_db"] != fault["submissions_redirected"]:
            problems.append("restart phase: a redirected submission is missing from the database")
    return problems


def markdown(steady: dict, fault: dict | None, args, problems: list[str]) -> str:
    lines = [
        f"Run of `make loadtest` on {time.strftime('%Y-%m-%d')}: gunicorn, 2 sync workers, "
        f"{args.clients} client threads on 127.0.0.1, {args.duration:g} s per phase.",
        "",
        "| phase | requests | req/s | failures | 5xx | no response | submissions redirected "
        "| found in DB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in [steady] + ([fault] if fault else []):
        lines.append(
            f"| {s['phase']} | {s['requests']} | {s['requests_per_s']} | {s['failures']} "
            f"| {s['server_errors']} | {s['no_response']} | {s['submissions_redirected']} "
            f"| {s['submissions_found_in_db']} |"
        )
    lines += ["", "Latency of successful requests in the steady phase (ms):", ""]
    lines += ["| request | count | p50 | p99 |", "|---|---|---|---|"]
    for kind, row in steady["by_kind"].items():
        lines.append(f"| {kind} | {row['ok']} | {row['p50_ms']} | {row['p99_ms']} |")
    if fault:
        lines += [
            "",
            "Restart: `pg_ctlcluster ... restart -m fast` started at "
            f"t = {fault['restart_started_s']} s and returned at "
            f"t = {fault['restart_finished_s']} s "
            f"({fault['restart_finished_s'] - fault['restart_started_s']:.1f} s).",
        ]
        if fault["failures"]:
            lines.append(
                f"Failed requests: {fault['failures']} ({fault['server_errors']} × 500, "
                f"{fault['no_response']} without response); relative to the restart's start, "
                f"the earliest began at {fault['first_failure_after_restart_s']} s and the "
                f"latest ended at {fault['last_failure_after_restart_s']} s; "
                f"{fault['failures_outside_grace']} ended outside the {args.grace:g} s window. "
                "By request: "
                + ", ".join(
                    f"{kind} {row['failed']}"
                    for kind, row in fault["by_kind"].items()
                    if row["failed"]
                )
                + "."
            )
        else:
            lines.append("No request failed.")
    lines += ["", "Verdict: " + ("all expectations hold." if not problems else "; ".join(problems))]
    return "\n".join(lines)


def write_docs(block: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    begin, end = text.index(RESULTS_BEGIN), text.index(RESULTS_END)
    DOC.write_text(
        text[: begin + len(RESULTS_BEGIN)] + "\n" + block + "\n" + text[end:], encoding="utf-8"
    )


# --- Main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--restart-at", type=float, default=10.0, help="seconds into phase 2")
    parser.add_argument("--grace", type=float, default=10.0, help="failure window after restart")
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster VERSION NAME")
    parser.add_argument("--no-restart", action="store_true", help="skip the restart phase")
    parser.add_argument("--write-docs", action="store_true", help="update docs/reliability.md")
    args = parser.parse_args()
    args.duration = min(max(args.duration, 5.0), MAX_PHASE)
    args.clients = min(max(args.clients, 1), 32)
    args.restart_at = min(max(args.restart_at, 1.0), args.duration - 1)

    url = admin_url()
    if (dj_database_url.parse(url)["HOST"] or "") not in LOCAL_DB_HOSTS:
        log("refusing: the database must be on this machine (loopback)")
        return 2
    restart = None if args.no_restart else ["pg_ctlcluster", *args.cluster.split(), "restart"]
    if restart:
        restart += ["-m", "fast"]

    database_url = load_db_url(url)
    env = server_env(database_url)
    workdir = Path(tempfile.mkdtemp(prefix="rolefit-loadtest-"))
    pid_file = workdir / "gunicorn.pid"
    server = None
    log(f"creating database {LOAD_DB}")
    recreate_database(url)
    try:
        for command in (
            ["migrate", "--noinput", "--verbosity", "0"],
            ["load_default_criteria"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
        ):
            manage(env, *command)
        port = free_port()
        with open(workdir / "gunicorn.log", "w") as server_log:
            server = start_server(env, port, pid_file, server_log)
            log(f"gunicorn up on {LOOPBACK}:{port} (pid {pid_file.read_text().strip()})")

            steady = Phase("steady", args.duration)
            log(f"phase steady: {args.duration:g} s")
            run_phase(port, steady, clients=args.clients, restart=None, restart_at=0)
            steady_summary = summarise(steady, args.grace, tokens_saved(url, steady.tokens))

            fault_summary = None
            if restart:
                fault = Phase("restart", args.duration)
                log(f"phase restart: {args.duration:g} s, restart at {args.restart_at:g} s")
                run_phase(
                    port, fault, clients=args.clients, restart=restart, restart_at=args.restart_at
                )
                fault_summary = summarise(fault, args.grace, tokens_saved(url, fault.tokens))
    finally:
        if server is not None:
            stop_server(server, pid_file)
        recreate_database(url, drop_only=True)
        log(f"dropped database {LOAD_DB}")

    problems = verdict(steady_summary, fault_summary)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "loadtest.json").write_text(
        json.dumps({"steady": steady_summary, "restart": fault_summary}, indent=2)
    )
    block = markdown(steady_summary, fault_summary, args, problems)
    print(block)
    if args.write_docs:
        write_docs(block)
        log(f"results written to {DOC.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
