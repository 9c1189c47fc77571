"""The scale-out topology on loopback, from Debian packages; every process started here stops here.

    clients → nginx (round robin) → gunicorn A, gunicorn B → PgBouncer (transaction pooling)
                                                │              → PostgreSQL (throwaway cluster)
                                                └→ Redis (rate-limit counts)

`Stack` starts each service as a child process that does not fork away (postgres, pgbouncer,
redis-server and nginx in the foreground, gunicorn with its own process group), so the PID it
keeps is the service's own, and `Stack.close()` stops them in reverse order by that PID. Anything
that fails on the way raises `StackError` with a message a person can act on; the caller's
`finally` then closes the stack, so nothing is left running.

As root (this machine), PostgreSQL and PgBouncer run as the `postgres` user (neither runs as
root) and nginx's workers drop to its default user; otherwise everything runs as the caller.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import LOOPBACK, ROOT, request

# Debian package → the program that shows it is installed.
PACKAGES = {
    "postgresql": "postgres",
    "pgbouncer": "pgbouncer",
    "redis-server": "redis-server",
    "nginx": "nginx",
}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
DATABASE = "rolefit"
ROLE = "rolefit"


class StackError(Exception):
    """A step of the rehearsal's setup failed; the message says which and what to do."""


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[scaleout {time.monotonic() - STARTED:5.1f} s] {message}", flush=True)


# --- Packages -------------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """The newest Debian PostgreSQL server's bin directory, or the one of `postgres` on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres", path=os.environ.get("PATH", "") + ":" + SYSTEM_PATH)
    return Path(on_path).parent if on_path else None


def program(name: str) -> str | None:
    if name == "postgres":
        bindir = postgres_bindir()
        return str(bindir / "postgres") if bindir else None
    return shutil.which(name, path=os.environ.get("PATH", "") + ":" + SYSTEM_PATH)


def ensure_packages() -> None:
    """apt-get install the Debian packages whose programs are missing (sudo when not root)."""
    missing = [package for package, name in PACKAGES.items() if program(name) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        raise StackError(f"missing {', '.join(missing)} and no apt-get: install them first")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    log(f"installing {' '.join(missing)} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        [*sudo, "apt-get", "update", "-qq"],
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise StackError(
                f"could not install {', '.join(missing)} ({' '.join(command[:3])} exited "
                f"{result.returncode}): {' / '.join(tail)}"
            )
    still = [package for package, name in PACKAGES.items() if program(name) is None]
    if still:
        raise StackError(f"installed, but still cannot find {', '.join(still)}")


# --- Ports ----------------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the servers bind: a port whose old connections linger in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 now (each service checks its own again)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def require_free(port: int, what: str) -> None:
    if not port_is_free(port):
        raise StackError(f"port {port} on {LOOPBACK} (for {what}) is in use")


# --- Configuration files (pure: tested) -----------------------------------------------------------


def pgbouncer_ini(
    *, port: int, pg_port: int, userlist: Path, pool_size: int, database: str = DATABASE
) -> str:
    return f"""\
[databases]
{database} = host={LOOPBACK} port={pg_port} dbname={database}

[pgbouncer]
listen_addr = {LOOPBACK}
listen_port = {port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {userlist}
; One server connection per transaction: Django's connections (persistent, CONN_MAX_AGE) share
; {pool_size} server connections. Needs DISABLE_SERVER_SIDE_CURSORS on the Django side.
pool_mode = transaction
default_pool_size = {pool_size}
max_db_connections = {pool_size}
max_client_conn = 200
server_reset_query =
stats_users = {ROLE}
log_connections = 0
log_disconnections = 0
"""


def nginx_conf(*, port: int, upstreams: list[int], prefix: Path) -> str:
    servers = "\n".join(
        f"        server {LOOPBACK}:{upstream} max_fails=1 fail_timeout=2s;"
        for upstream in upstreams
    )
    temp = prefix / "tmp"
    return f"""\
worker_processes 1;
daemon off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;

events {{
    worker_connections 512;
}}

http {{
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};

    # Access lines show /a/…/ for the private tokens, like advisor.logs for gunicorn: the
    # same paths (a segment after /a/ or /assessments/ that another slash follows).
    map $request_uri $redacted_uri {{
        "~^(?<uri_head>/(?:a|assessments)/)[A-Za-z0-9_-]+(?<uri_tail>/.*)$"
            "${{uri_head}}…${{uri_tail}}";
        default $request_uri;
    }}
    map $http_referer $redacted_referer {{
        "~^(?<ref_head>[^?#]*?/(?:a|assessments)/)[A-Za-z0-9_-]+(?<ref_tail>/.*)$"
            "${{ref_head}}…${{ref_tail}}";
        default $http_referer;
    }}
    # $msec and the upstream(s) tried: the rehearsal reads both back (who served what, retries).
    # escape=json: quotes, backslashes and control characters escaped, "…" kept as it is.
    log_format redacted escape=json
        '$remote_addr [$time_iso8601] $msec "$request_method $redacted_uri $server_protocol" '
        '$status $body_bytes_sent "$redacted_referer" '
        'upstream="$upstream_addr" upstream_status="$upstream_status" rt=$request_time';
    access_log {prefix / "access.log"} redacted;

    upstream rolefit {{
        # Round robin (nginx's default). A server that refuses a connection is skipped for
        # fail_timeout; the request goes to the next one.
{servers}
    }}

    server {{
        listen {LOOPBACK}:{port};
        client_max_body_size 1m;

        location / {{
            proxy_pass http://rolefit;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            # Only errors before a response: a GET whose instance died mid-request is retried on
            # the other one; a POST is retried only if it never reached an instance (nginx's
            # default without non_idempotent), so no submission is ever sent twice.
            proxy_next_upstream error timeout;
            proxy_max_temp_file_size 0;
        }}
    }}
}}
"""


# --- Processes ------------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log_path: Path
    stop_signal: int = signal.SIGTERM
    group: bool = False  # the service leads its own process group (gunicorn and its workers)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 6) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").strip().splitlines()
            return " / ".join(text[-lines:])
        return ""


def _run_as() -> dict:
    """Popen arguments that drop root to `postgres` (PostgreSQL and PgBouncer refuse root)."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam("postgres")
    except KeyError as error:
        raise StackError(
            "running as root but there is no 'postgres' user to run PostgreSQL"
        ) from error
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def _chown_to_service_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@dataclass
class Stack:
    """The services of one rehearsal in `workdir`; `close()` stops whatever was started."""

    workdir: Path
    services: list[Service] = field(default_factory=list)

    def __post_init__(self):
        self.logs = self.workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # -- generic --

    def _spawn(self, name: str, command: list[str], *, stop_signal=signal.SIGTERM, **popen):
        log_path = self.logs / f"{name}.log"
        with open(log_path, "ab") as log_file:
            try:
                process = subprocess.Popen(
                    command,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    **popen,
                )
            except OSError as error:
                raise StackError(f"{name}: could not run {command[0]}: {error}") from error
        service = Service(name, process, log_path, stop_signal=stop_signal)
        self.services.append(service)
        return service

    def _wait(self, service: Service, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not service.running():
                raise StackError(
                    f"{service.name} exited while starting (status {service.process.returncode}); "
                    f"its log: {service.log_tail()}"
                )
            with contextlib.suppress(Exception):
                if ready():
                    log(f"{service.name} up: {what} (pid {service.pid})")
                    return
            time.sleep(0.2)
        raise StackError(
            f"{service.name} not ready within {START_TIMEOUT:g} s; its log: {service.log_tail()}"
        )

    def stop(self, service: Service) -> None:
        """Stop one service by its PID and reap it; SIGKILL (its whole group) if it hangs."""
        if service.running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(service.pid, service.stop_signal)
            try:
                service.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"{service.name} (pid {service.pid}) did not stop in time: killing it")
                with contextlib.suppress(ProcessLookupError):
                    (os.killpg if service.group else os.kill)(service.pid, signal.SIGKILL)
                service.process.wait(timeout=STOP_TIMEOUT)
        if service in self.services:
            self.services.remove(service)

    def kill(self, service: Service) -> None:
        """SIGKILL a gunicorn instance, master and workers at once: an instance that dies."""
        os.killpg(service.pid, signal.SIGKILL)
        service.process.wait(timeout=STOP_TIMEOUT)
        self.services.remove(service)

    def close(self) -> None:
        for service in reversed(list(self.services)):
            try:
                self.stop(service)
                log(f"stopped {service.name} (pid {service.pid})")
            except Exception as error:  # keep stopping the others
                log(f"could not stop {service.name} (pid {service.pid}): {error}")

    # -- PostgreSQL --

    def start_postgres(self, port: int) -> str:
        """A throwaway cluster on 127.0.0.1:`port`; returns the superuser's socket directory."""
        require_free(port, "PostgreSQL")
        bindir = postgres_bindir()
        data, sockets = self.workdir / "pg-data", self.workdir / "pg-socket"
        for directory in (data, sockets):
            directory.mkdir()
            _chown_to_service_user(directory)
        as_postgres = _run_as()
        initdb = subprocess.run(
            [
                str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
                "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--no-instructions",
            ],
            cwd="/", capture_output=True, text=True, timeout=120, **as_postgres,
        )  # fmt: skip
        if initdb.returncode != 0:
            raise StackError(f"initdb failed: {(initdb.stderr or initdb.stdout).strip()[-300:]}")
        service = self._spawn(
            "postgresql",
            [
                str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets),
                "-c", f"listen_addresses={LOOPBACK}", "-c", "timezone=UTC",
                "-c", "max_connections=50",
            ],
            cwd="/",
            # Its fast shutdown: rolls back open transactions, then stops cleanly.
            stop_signal=signal.SIGINT,
            **as_postgres,
        )  # fmt: skip

        def ready():
            superuser_connect(sockets, port).close()
            return True

        self._wait(service, ready, f"{LOOPBACK}:{port}")
        return str(sockets)

    # -- PgBouncer --

    def start_pgbouncer(self, port: int, *, pg_port: int, password: str, pool_size: int) -> None:
        require_free(port, "PgBouncer")
        directory = self.workdir / "pgbouncer"
        directory.mkdir()
        userlist = directory / "userlist.txt"
        userlist.write_text(f'"{ROLE}" "{password}"\n')
        userlist.chmod(0o600)
        ini = directory / "pgbouncer.ini"
        ini.write_text(
            pgbouncer_ini(port=port, pg_port=pg_port, userlist=userlist, pool_size=pool_size)
        )
        for path in (directory, userlist, ini):
            _chown_to_service_user(path)
        service = self._spawn("pgbouncer", [program("pgbouncer"), str(ini)], cwd="/", **_run_as())

        def ready():
            role_connect(port, password).close()
            return True

        self._wait(
            service,
            ready,
            f"{LOOPBACK}:{port}, transaction pooling, {pool_size} server connections",
        )

    # -- Redis --

    def start_redis(self, port: int) -> str:
        require_free(port, "Redis")
        directory = self.workdir / "redis"
        directory.mkdir()
        service = self._spawn(
            "redis",
            [
                program("redis-server"), "--port", str(port), "--bind", LOOPBACK,
                "--save", "", "--appendonly", "no", "--dir", str(directory),
                "--daemonize", "no", "--protected-mode", "yes",
            ],
            cwd=directory,
        )  # fmt: skip

        def ready():
            with socket.create_connection((LOOPBACK, port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        self._wait(service, ready, f"{LOOPBACK}:{port}")
        return f"redis://{LOOPBACK}:{port}/0"

    # -- gunicorn --

    def start_app(self, name: str, port: int, env: dict[str, str], *, workers: int) -> Service:
        """A RoleFit instance: gunicorn, `workers` sync workers, token-free access log."""
        require_free(port, name)
        command = [
            sys.executable, "-m", "gunicorn", "rolefit.wsgi",
            "--bind", f"{LOOPBACK}:{port}", "--workers", str(workers), "--worker-class", "sync",
            "--no-control-socket", "--timeout", "30",
            "--access-logfile", str(self.logs / f"{name}-access.log"),
            "--logger-class", "advisor.logs.GunicornLogger",
        ]  # fmt: skip
        service = self._spawn(name, command, cwd=ROOT, env=env)
        service.group = True

        def ready():
            return request(port, "GET", "/healthz")[0] == 200

        self._wait(service, ready, f"{LOOPBACK}:{port}, {workers} workers")
        return service

    # -- nginx --

    def start_nginx(self, port: int, upstreams: list[int]) -> None:
        require_free(port, "nginx")
        prefix = self.workdir / "nginx"
        (prefix / "tmp").mkdir(parents=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(port=port, upstreams=upstreams, prefix=prefix))
        nginx = program("nginx")
        base = [nginx, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)]
        checked = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise StackError(f"nginx rejected its configuration: {checked.stderr.strip()[-300:]}")
        # SIGQUIT: graceful, the requests in flight finish.
        service = self._spawn("nginx", base, cwd=prefix, stop_signal=signal.SIGQUIT)

        def ready():
            return request(port, "GET", "/healthz")[0] == 200

        self._wait(service, ready, f"{LOOPBACK}:{port} → {', '.join(map(str, upstreams))}")


# --- Database connections -------------------------------------------------------------------------


def superuser_connect(sockets, port: int, dbname: str = "postgres"):
    import psycopg2

    connection = psycopg2.connect(
        host=str(sockets), port=port, user="postgres", dbname=dbname, connect_timeout=3
    )
    connection.autocommit = True
    return connection


def role_connect(port: int, password: str, dbname: str = DATABASE):
    import psycopg2

    connection = psycopg2.connect(
        host=LOOPBACK, port=port, user=ROLE, password=password, dbname=dbname, connect_timeout=3
    )
    connection.autocommit = True
    return connection


def create_role_and_database(sockets, port: int) -> str:
    """The app's role (password login) and its database; returns the password."""
    password = secrets.token_urlsafe(24)
    connection = superuser_connect(sockets, port)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD %s", (password,))
            cursor.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
    finally:
        connection.close()
    return password


def database_url(port: int, password: str) -> str:
    return f"postgres://{ROLE}:{password}@{LOOPBACK}:{port}/{DATABASE}"
