"""Every page under a real server, against a trivial floor view (issue 7), and queries per request.

    .venv/bin/python -m benchmarks.httpbench [--seconds 10] [--rounds 3] [--connections 4]
                                            [--load-generator auto|wrk|python] [--json FILE]

1. A throwaway database: a new PostgreSQL database beside `DATABASE_URL`'s when that names one
   (never that database itself), else a temporary SQLite file; dropped at the end.
2. In this process: migrate, the default criteria, four assessments and docs/product.md §7's
   standard report with a 100-word consultant note, and a consultant (permission
   `advisor.use_workspace`) with a session.
3. gunicorn: 2 sync workers, `DJANGO_DEBUG=0`, plain HTTP (`DJANGO_HTTPS=0`), rate limits off, a
   generated secret key, static files collected into a temporary directory, 127.0.0.1 on a free
   port, stopped by the PID in its `--pid` file.
4. Load on loopback with wrk (a Lua script checks every status and reports the percentiles), or
   with threads and `http.client` when wrk is missing. Each round runs every endpoint for
   `--seconds` with `--connections` connections, `/healthz` (the floor) first:
   questionnaire GET, submit POST (CSRF cookie and token from a GET of the form; answers whose
   sensitivity is "more than three"), result GET (the standard report), report HTML, report PDF,
   consultant list (the consultant's session cookie). Per endpoint: the median over the rounds of
   requests per second, p50 and p99; the ratio is the median of each round's rps over that
   round's `/healthz` rps.
5. Queries per request, per endpoint, in this process with Django's test client on the same
   database, after a warm-up request; counted again after the load (whose submissions add
   thousands of assessments), so a count that grows with the data shows.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import harness

FLOOR = "healthz"
ENDPOINTS = [
    "questionnaire_get",
    "submit_post",
    "result_get",
    "report_html",
    "report_pdf",
    "consultant_list",
    "team_result",
]
# team_result: issue 17, the organiser's team result page with 10 respondents.
# Issue 20's goals (issue 7's were 25 % for the questionnaire and the result).
GOAL_RATIOS = {
    "questionnaire_get": 0.35,
    "submit_post": 0.20,
    "result_get": 0.30,
    "report_html": 0.25,
    "report_pdf": 0.25,
    "consultant_list": 0.08,
    "team_result": 0.10,
}
COMPANY = "Bench Ltd"
REQUEST_TIMEOUT_S = 30  # a PDF under load may queue behind others


@dataclass(frozen=True)
class Target:
    """One endpoint to load: the request and the status every response must have."""

    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    expect: int = 200


@dataclass
class Load:
    """What one load run measured."""

    requests: int  # responses with the expected status
    seconds: float
    p50_ms: float
    p99_ms: float
    unexpected: int = 0  # another status, a socket error or a timeout

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- wrk ------------------------------------------------------------------------------------------

WRK_REPORT = re.compile(
    r"^rolefit requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) unexpected=(\d+)"
    r" errors=(\d+)$",
    re.MULTILINE,
)

# Counts every response whose status is not the expected one (wrk itself only counts non-2xx/3xx,
# which would let a redirect to the login page pass) and prints one line this module parses.
WRK_CALLBACKS = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= EXPECT then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    "rolefit requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f unexpected=%.0f errors=%.0f\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), wrong,
    e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def wrk_script(target: Target) -> str:
    lines = [f"EXPECT = {target.expect}", f"wrk.method = {lua_string(target.method)}"]
    if target.body:
        lines.append(f"wrk.body = {lua_string(target.body)}")
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in target.headers]
    return "\n".join(lines) + "\n" + WRK_CALLBACKS


def parse_wrk(output: str) -> Load:
    match = WRK_REPORT.search(output)
    if match is None:
        raise RuntimeError(f"no summary in wrk's output:\n{output}")
    requests, duration_us, p50_us, p99_us, unexpected, errors = map(int, match.groups())
    return Load(
        requests=requests - unexpected,
        seconds=duration_us / 1e6,
        p50_ms=p50_us / 1000,
        p99_ms=p99_us / 1000,
        unexpected=unexpected + errors,
    )


def wrk_version(executable: str) -> str:
    output = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"wrk (\S+)", output)
    return f"wrk {match.group(1)}" if match else "wrk"


def wrk_load(
    executable: str, port: int, target: Target, *, seconds: int, connections: int, workdir: Path
) -> Load:
    script = workdir / f"{target.name}.lua"
    script.write_text(wrk_script(target))
    command = [
        executable,
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        f"{REQUEST_TIMEOUT_S}s",
        "--script",
        str(script),
        f"http://{harness.LOOPBACK}:{port}{target.path}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT_S + 30
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- Python fallback ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def python_load(port: int, target: Target, *, seconds: float, connections: int) -> Load:
    """`connections` threads, each sending requests one after another (a new connection each, as
    gunicorn's sync workers close every connection) until `seconds` have passed."""
    body = target.body.encode() if target.body else None
    headers = dict(target.headers)
    latencies: list[float] = []
    unexpected = 0
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client():
        nonlocal unexpected
        mine, wrong = [], 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status, _headers, _body = harness.request(
                    port, target.method, target.path, body, headers
                )
            except OSError:
                status = 0
            if status == target.expect:
                mine.append(time.perf_counter() - began)
            else:
                wrong += 1
        with lock:
            latencies.extend(mine)
            unexpected += wrong

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        unexpected=unexpected,
    )


# --- Preparing the database and the requests ------------------------------------------------------


def prepare_data() -> dict[str, str]:
    """Migrate, load the criteria, save a few assessments and the standard report with its note,
    make a consultant with a session. Returns the paths and the session key."""
    from django.conf import settings
    from django.urls import resolve

    from advisor import services
    from benchmarks import pdf, scale
    from tests import examples

    report_pdf = pdf.prepare()  # migrate, criteria, the standard report with a 100-word note
    token = resolve(report_pdf).kwargs["token"]
    for number, answers in enumerate(
        [examples.PRODUCT_OWNER, examples.BOTH, examples.NEITHER, examples.UNDETERMINED], start=1
    ):
        services.assessment_create(company=f"Seed {number}", answers=answers)
    # A named team of 10 (issue 17): its organiser's team result page.
    team_report_pdf = pdf.prepare_team()
    consultant = scale.consultant_client()
    return {
        "team_result": team_report_pdf.removesuffix("report.pdf") + "result/",
        "result": f"/a/{token}/",
        "report_html": f"/a/{token}/report/",
        "report_pdf": report_pdf,
        "session": consultant.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def submission(answers: dict[str, str], token: str) -> dict[str, str]:
    return {"csrfmiddlewaretoken": token, "company": COMPANY, **answers}


def form_csrf(port: int) -> tuple[str, str]:
    """GET the questionnaire as a browser would: (the csrftoken cookie, the form's token)."""
    status, headers, body = harness.request(port, "GET", "/assess/")
    if status != 200:
        raise RuntimeError(f"GET /assess/ answered {status}")
    cookie = next(
        (c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if "csrftoken=" in c), ""
    )
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())
    if not cookie or match is None:
        raise RuntimeError("the questionnaire set no CSRF cookie or token")
    return cookie, html.unescape(match.group(1))


def targets(port: int, data: dict[str, str]) -> list[Target]:
    from django.conf import settings

    from tests import examples

    cookie, token = form_csrf(port)
    session = f"{settings.SESSION_COOKIE_NAME}={data['session']}"
    return [
        Target(FLOOR, "/healthz"),
        Target("questionnaire_get", "/assess/"),
        Target(
            "submit_post",
            "/assess/",
            method="POST",
            body=urlencode(submission(examples.PRODUCT_OWNER, token)),
            headers=(("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie)),
            expect=302,
        ),
        Target("result_get", data["result"]),
        Target("report_html", data["report_html"]),
        Target("report_pdf", data["report_pdf"]),
        Target("consultant_list", "/assessments/", headers=(("Cookie", session),)),
        Target("team_result", data["team_result"]),
    ]


def check(port: int, target: Target) -> None:
    body = target.body.encode() if target.body else None
    status, _headers, _body = harness.request(
        port, target.method, target.path, body, dict(target.headers)
    )
    if status != target.expect:
        raise RuntimeError(f"{target.name}: expected {target.expect}, got {status}")


def warm_up(port: int, target: Target, *, connections: int, each: int = 2) -> None:
    """A few requests at once, so every worker has imported what it needs (WeasyPrint), filled its
    caches and opened its database connection before anything is timed."""
    threads = [
        threading.Thread(target=lambda: [check(port, target) for _ in range(each)])
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def settle(port: int, last: Load) -> None:
    """Wait until the requests wrk left in flight are served, so the next run starts on idle
    workers: a /healthz waits behind those still queued, and a worker's last one takes about
    the previous run's p99."""
    harness.request(port, "GET", "/healthz")
    time.sleep(min(last.p99_ms / 1000, 5.0))


def queries_per_request(data: dict[str, str]) -> dict[str, int]:
    """Queries each endpoint makes, in this process on the same database, after a warm-up."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks import scale
    from tests import examples

    client, consultant = Client(), scale.consultant_client()
    calls = {
        FLOOR: (lambda: client.get("/healthz"), 200),
        "questionnaire_get": (lambda: client.get("/assess/"), 200),
        "submit_post": (
            lambda: client.post("/assess/", submission(examples.PRODUCT_OWNER, "")),
            302,
        ),
        "result_get": (lambda: client.get(data["result"]), 200),
        "report_html": (lambda: client.get(data["report_html"]), 200),
        "report_pdf": (lambda: client.get(data["report_pdf"]), 200),
        "consultant_list": (lambda: consultant.get("/assessments/"), 200),
        "team_result": (lambda: client.get(data["team_result"]), 200),
    }
    counts = {}
    for name, (call, expect) in calls.items():
        call()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        if response.status_code != expect:
            raise RuntimeError(f"{name} in-process: expected {expect}, got {response.status_code}")
        counts[name] = len(captured.captured_queries)
    return counts


def assessment_count() -> int:
    from advisor import models

    return models.Assessment.objects.count()


# --- The run --------------------------------------------------------------------------------------


@dataclass
class Settings:
    seconds: float = 10.0
    rounds: int = 3
    connections: int = 4
    load_generator: str = "auto"  # auto, wrk or python
    only: tuple[str, ...] = ()  # these endpoints (and the floor) only; all when empty


@dataclass
class Outcome:
    load_generator: str
    settings: dict
    endpoints: dict[str, dict] = field(default_factory=dict)
    queries_after_load: dict[str, int] = field(default_factory=dict)
    assessments_before_load: int = 0
    assessments_after_load: int = 0
    server_log_errors: list[str] = field(default_factory=list)


def summarise(rounds: list[dict[str, Load]], queries: dict[str, int]) -> dict[str, dict]:
    endpoints = {}
    for name in [FLOOR, *ENDPOINTS]:
        if name not in rounds[0]:
            continue
        loads = [measured[name] for measured in rounds]
        ratios = [
            measured[name].rps / measured[FLOOR].rps for measured in rounds if measured[FLOOR].rps
        ]
        endpoints[name] = {
            "rps": round(statistics.median(load.rps for load in loads), 1),
            "ratio": round(statistics.median(ratios), 3) if ratios else 0.0,
            "p50_ms": round(statistics.median(load.p50_ms for load in loads), 2),
            "p99_ms": round(statistics.median(load.p99_ms for load in loads), 2),
            "queries": queries[name],
            "requests": sum(load.requests for load in loads),
            "unexpected": sum(load.unexpected for load in loads),
        }
    return endpoints


def run(base_url: str, options: Settings) -> Outcome:
    wrk = shutil.which("wrk") if options.load_generator in ("auto", "wrk") else None
    if options.load_generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk); or --load-generator python")
    secret_key = secrets.token_urlsafe(50)
    outcome = Outcome(
        load_generator=wrk_version(wrk) if wrk else "python (threads + http.client)",
        settings=asdict(options),
    )
    with (
        harness.throwaway_database(base_url) as database_url,
        tempfile.TemporaryDirectory(prefix="rolefit-http-") as directory,
    ):
        workdir = Path(directory)
        harness.setup_django(database_url, secret_key=secret_key)
        data = prepare_data()
        queries = queries_per_request(data)
        outcome.assessments_before_load = assessment_count()
        env = harness.server_env(
            database_url,
            DJANGO_SECRET_KEY=secret_key,
            DJANGO_STATIC_ROOT=str(workdir / "static"),
        )
        harness.manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        port, pid_file, log_path = harness.free_port(), workdir / "gunicorn.pid", workdir / "log"
        with open(log_path, "w") as log_file:
            server = harness.start_server(env, port, pid_file, log_file)
            try:
                loads = measure_all(port, targets(port, data), options, wrk, workdir)
            finally:
                harness.stop_server(server, pid_file)
        outcome.server_log_errors = [
            line for line in log_path.read_text().splitlines() if "Traceback" in line
        ][:5]
        outcome.endpoints = summarise(loads, queries)
        outcome.queries_after_load = queries_per_request(data)
        outcome.assessments_after_load = assessment_count()
    return outcome


def measure_all(
    port: int, targets: list[Target], options: Settings, wrk: str | None, workdir: Path
) -> list[dict[str, Load]]:
    def load(target: Target, seconds: float) -> Load:
        if wrk:
            measured = wrk_load(
                wrk,
                port,
                target,
                seconds=seconds,
                connections=options.connections,
                workdir=workdir,
            )
        else:
            measured = python_load(port, target, seconds=seconds, connections=options.connections)
        settle(port, measured)
        return measured

    targets = [t for t in targets if not options.only or t.name in (FLOOR, *options.only)]
    for target in targets:
        check(port, target)
        warm_up(port, target, connections=options.connections)
    rounds = []
    for _round in range(options.rounds):
        rounds.append({target.name: load(target, options.seconds) for target in targets})
    return rounds


def report(outcome: Outcome) -> str:
    lines = [
        f"{'endpoint':<18}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'queries':>9}"
        f"{'bad':>6}  goal"
    ]
    for name, row in outcome.endpoints.items():
        goal = GOAL_RATIOS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"ratio ≥ {goal:.2f} " + ("met" if row["ratio"] >= goal else "MISSED")
        lines.append(
            f"{name:<18}{row['rps']:>9.1f}{row['ratio']:>8.3f}{row['p50_ms']:>9.2f}"
            f"{row['p99_ms']:>9.2f}{row['queries']:>9}{row['unexpected']:>6}  {verdict}"
        )
    lines.append(
        f"queries after the load ({outcome.assessments_after_load:,} assessments, before "
        f"{outcome.assessments_before_load:,}): "
        + ", ".join(f"{k} {v}" for k, v in outcome.queries_after_load.items())
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--only", default="", help="comma-separated endpoints (profiling)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    only = tuple(name for name in args.only.split(",") if name)
    unknown = set(only) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}; known: {ENDPOINTS}")
    options = Settings(args.seconds, args.rounds, args.connections, args.load_generator, only)
    outcome = run(os.environ.get("DATABASE_URL", ""), options)
    print(f"load generator: {outcome.load_generator}")
    print(report(outcome))
    if args.json:
        args.json.write_text(json.dumps(asdict(outcome), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
