"""Quick throughput check of the hiring manager's pages (`make bench-quick`, under a minute).

Runs RoleFit inside this process on a temporary SQLite database holding the default criteria and
calls its WSGI application directly — no server, no network, the full middleware stack — and
measures, side by side in interleaved rounds:

- `GET /healthz` (the trivial view every ratio is relative to)
- `GET /assess/` (the questionnaire)
- `GET /a/<token>/` (a result: the standard report's answers, the longest result page), viewed
  again, and as a first view (its rendered sections not yet cached)
- `POST /assess/` (a valid submission, scored and saved; its answers need "more than three"
  changes, the sensitivity search's worst case)

Goals (issue 3): questionnaire and result each at least 25 % of /healthz's throughput. Called
in-process, /healthz costs only Django's middleware, so these ratios are a lower bound of the
ratios behind an HTTP server (`make bench`).
The full benchmarks (gunicorn, wrk) reuse `setup_django`, `prepare`, `WsgiClient` and `measure`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import harness

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 0.25


def setup_django(database_path: Path) -> None:
    """Configure Django for an in-process run on the SQLite file `database_path`."""
    from django.db.backends.signals import connection_created

    harness.setup_django(f"sqlite:///{database_path}")
    connection_created.connect(_skip_fsync)


def _skip_fsync(sender, connection, **kwargs):
    # The throwaway database need not survive a crash: measure the application, not the disk.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")


def prepare() -> dict[str, str]:
    """Migrate, load the default criteria and save one assessment; return paths to measure."""
    from django.core.management import call_command

    from advisor import services
    from tests import examples

    call_command("migrate", verbosity=0, interactive=False)
    services.criteria_load()
    assessment = services.assessment_create(company="Bench Ltd", answers=examples.STANDARD_REPORT)
    return {"result": assessment.get_absolute_url()}


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class WsgiClient:
    """Calls a WSGI application in-process, keeping cookies like a browser would."""

    app: Callable = None
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.app is None:
            from django.core.wsgi import get_wsgi_application

            self.app = get_wsgi_application()

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> Response:
        body = urlencode(data).encode() if data is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        if data is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = int(status.split()[0]), headers

        chunks = self.app(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        return Response(started["status"], started["headers"], content)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> Response:
        return self.request("POST", path, data)


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1).decode()


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise RuntimeError(f"{what}: expected {status}, got {response.status}")
    return response


def measure(
    targets: dict[str, Callable[[], object]], *, rounds: int, seconds: float
) -> dict[str, float]:
    """Requests per second of each target: interleaved rounds, the median round counts."""
    rates: dict[str, list[float]] = {name: [] for name in targets}
    for _round in range(rounds):
        for name, call in targets.items():
            count = 0
            start = time.perf_counter()
            deadline = start + seconds
            now = start
            while now < deadline:
                call()
                count += 1
                now = time.perf_counter()
            rates[name].append(count / (now - start))
    return {name: statistics.median(values) for name, values in rates.items()}


def hiring_manager_targets(client: WsgiClient, paths: dict[str, str]) -> dict[str, Callable]:
    """The four measured requests, each checked once before timing."""
    from tests import examples

    token = csrf_token(expect(client.get("/assess/"), 200, "questionnaire").body)
    submission = {"company": "Bench Ltd", "csrfmiddlewaretoken": token, **examples.PRODUCT_OWNER}
    expect(client.get("/healthz"), 200, "healthz")
    expect(client.get(paths["result"]), 200, "result")
    expect(client.post("/assess/", submission), 302, "submit")
    from django.core.cache import cache, caches

    def first_view():
        # As a result's first view: its sections are not in the cache yet.
        cache.clear()
        caches["recent"].clear()
        return client.get(paths["result"])

    return {
        "GET /healthz": lambda: client.get("/healthz"),
        "GET /assess/": lambda: client.get("/assess/"),
        "GET /a/<token>/": lambda: client.get(paths["result"]),
        "GET /a/ (1st view)": first_view,
        "POST /assess/": lambda: client.post("/assess/", submission),
    }


def report(rates: dict[str, float], baseline: str = "GET /healthz") -> list[str]:
    lines = [f"{'request':<18}{'req/s':>10}{'ms/req':>10}{'ratio':>9}  goal"]
    for name, rate in rates.items():
        ratio = rate / rates[baseline]
        goal = ""
        if name in ("GET /assess/", "GET /a/<token>/"):
            goal = f"≥ {GOAL_RATIO:.2f} " + ("met" if ratio >= GOAL_RATIO else "MISSED")
        lines.append(f"{name:<18}{rate:>10.0f}{1000 / rate:>10.2f}{ratio:>9.3f}  {goal}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per target per round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rolefit-bench-") as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        paths = prepare()
        targets = hiring_manager_targets(WsgiClient(), paths)
        measure(targets, rounds=1, seconds=0.2)  # warm-up: imports, caches, template loader
        rates = measure(targets, rounds=args.rounds, seconds=args.seconds)
        from django.db import connection

        connection.close()
    print(
        f"RoleFit bench-quick: in-process WSGI, SQLite, {args.rounds} rounds × {args.seconds:g} s,"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("\n".join(report(rates)))
    print(
        "In-process ratios are stricter than served ones: an HTTP server adds its own cost to"
        " every request alike, /healthz included."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
