"""What the benchmarks share: Django in this process, throwaway databases, gunicorn on loopback.

- `setup_django(url)`: RoleFit's settings in this process on the database at `url`, on
  production's code path (debug off, cached templates, no query log) and with rate limits off.
- `throwaway_database(url)`: a new PostgreSQL database on the server of a `postgres://` URL (never
  the configured database itself), or a temporary SQLite file otherwise; dropped on exit.
- `server_env`, `start_server`, `stop_server`, `free_port`, `request`: gunicorn with 2 sync workers
  on 127.0.0.1, stopped by the PID in its `--pid` file; a plain HTTP request to it.
- `write_between_markers`: a report's figures into a document, between its two markers.
- `machine()`, `database_name(url)`: what a report says it ran on.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
REQUEST_TIMEOUT = 10


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


# --- Django in this process ----------------------------------------------------------------------


def setup_django(database_url: str, *, secret_key: str | None = None) -> None:
    """Configure Django for an in-process run on `database_url`.

    `secret_key`: the server's key, when sessions made here must be valid there.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "rolefit.settings"
    os.environ["DATABASE_URL"] = database_url
    # Settings load in development mode (plain static files storage, no HTTPS redirect, no secret
    # needed); DEBUG is switched off below so the measured code path is production's.
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DJANGO_HTTPS"] = "0"
    if secret_key:
        os.environ["DJANGO_SECRET_KEY"] = secret_key
    # Benchmarks ask far faster than a person: rate limits would answer 429.
    os.environ["ROLEFIT_RATE_SUBMIT"] = "off"
    os.environ["ROLEFIT_RATE_PDF"] = "off"
    os.environ["ROLEFIT_RATE_CACHE"] = "locmem"
    # Persistent database connections, as a production deployment sets them (README).
    os.environ.setdefault("DJANGO_CONN_MAX_AGE", "600")
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False


def _close_django_connections() -> None:
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()


# --- Throwaway databases -------------------------------------------------------------------------


def _psycopg_connect(url: str, dbname: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname or LOOPBACK,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=dbname,
        connect_timeout=10,
    )
    connection.autocommit = True
    return connection


@contextlib.contextmanager
def throwaway_database(base_url: str) -> Iterator[str]:
    """A new, empty database; dropped on exit. Yields its URL.

    On PostgreSQL (`base_url` is `postgres://…`, its role needs CREATEDB) a database with a random
    name next to the configured one, which is never touched; otherwise a temporary SQLite file.
    """
    if not is_postgres(base_url):
        with tempfile.TemporaryDirectory(prefix="rolefit-bench-") as directory:
            try:
                yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
            finally:
                _close_django_connections()
        return
    parts = urlsplit(base_url)
    name = f"rolefit_bench_{uuid.uuid4().hex[:10]}"
    admin = _psycopg_connect(base_url, parts.path.lstrip("/") or "postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield parts._replace(path=f"/{name}").geturl()
        finally:
            _close_django_connections()
            with admin.cursor() as cursor:
                # FORCE: a server stopped the hard way may leave a connection behind.
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def database_name(url: str) -> str:
    """ "PostgreSQL 15.x" or "SQLite 3.x": the database kind and server version behind `url`."""
    if is_postgres(url):
        connection = _psycopg_connect(url, urlsplit(url).path.lstrip("/") or "postgres")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        finally:
            connection.close()
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# --- gunicorn on loopback ------------------------------------------------------------------------


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings over plain HTTP on loopback, rate limits off; `extra` adds variables.

    Needs a `DJANGO_SECRET_KEY` in `extra` (the caller makes one, e.g. `secrets.token_urlsafe`).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ROLEFIT_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS=LOOPBACK,
        DJANGO_CONN_MAX_AGE="60",
        ROLEFIT_RATE_SUBMIT="off",
        ROLEFIT_RATE_PDF="off",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """Run a manage.py command with `env` (in a child process, as the server will see it)."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers=None, *, source=None
):
    """One HTTP request to 127.0.0.1:`port`: (status, headers, body).

    `source`: the loopback address to send from (e.g. 127.77.0.1), so that a proxy in front
    sees distinct clients; by default the system's choice.
    """
    connection = HTTPConnection(
        LOOPBACK, port, timeout=REQUEST_TIMEOUT, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def start_server(
    env: dict[str, str], port: int, pid_file: Path, log_file, *, workers: int = 2
) -> subprocess.Popen:
    """gunicorn with `workers` sync workers on 127.0.0.1:`port`, once it answers /healthz."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "rolefit.wsgi",
        "--bind",
        f"{LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--pid",
        str(pid_file),
        "--no-control-socket",
        "--timeout",
        "30",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start; see its log")
        try:
            status, _headers, _body = request(port, "GET", "/healthz")
            if status == 200 and pid_file.exists():
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(process, pid_file)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def stop_server(process: subprocess.Popen, pid_file: Path) -> None:
    """Stop gunicorn by the PID in its --pid file (the master's), waiting for it to exit."""
    pid = int(pid_file.read_text().strip()) if pid_file.exists() else process.pid
    if process.poll() is None:
        os.kill(pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            process.wait(timeout=10)


def write_between_markers(path: Path, begin: str, end: str, block: str) -> None:
    """Replace what lies between the lines `begin` and `end` of `path` with `block`."""
    text = path.read_text(encoding="utf-8")
    start, stop = text.index(begin), text.index(end)
    path.write_text(
        text[: start + len(begin)] + "\n" + block + "\n" + text[stop:], encoding="utf-8"
    )


# --- What a report says it ran on ----------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """`uname -srm`, the CPU model and the number of cores."""
    uname = platform.uname()
    return f"{uname.system} {uname.release} {uname.machine}, {cpu_model()}, {os.cpu_count()} cores"
