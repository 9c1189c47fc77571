"""Per-client rate limits for the expensive public actions (submitting, PDFs, mail, teams).

Fixed windows: a client may make `N` requests per period in each window (windows start at
multiples of the period, in Unix time). A rate is a setting such as ``ROLEFIT_RATE_SUBMIT =
"10/m"``; ``"off"`` disables that limit. Past the limit the view is not run: the client gets the
429 page with a ``Retry-After`` header.

Counts are exact under concurrency and never outlive their window. Where they live is the setting
``RATE_CACHE`` (environment ``ROLEFIT_RATE_CACHE``), shared by every worker:

- ``database``: the table of `models.RateCounter`, one atomic ``INSERT … ON CONFLICT DO UPDATE
  SET count = count + 1 … RETURNING`` per request (SQLite ≥ 3.35, PostgreSQL). Django's database
  cache is not used: its ``incr()`` is a get-then-set, which lost a fifth of 400 concurrent hits.
- a ``redis://`` URL: one Lua script per request, increment and expiry together (Django's
  ``RedisCache.incr`` checks the key exists first, so a key expiring in between comes back
  without an expiry and would count forever).
- ``locmem``: a dictionary in the process, for a single process only.
"""

import ipaddress
import math
import threading
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import connection
from django.shortcuts import render

from advisor import models

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_INVALID = "A rate must look like 10/m (per s, m, h or d) or be 'off', not {value!r}."

# The time source for windows; tests pin it so a window boundary cannot fall inside a test.
clock = time.time


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def parse_rate(value: str) -> Rate | None:
    """``"10/m"`` → Rate(10, 60); ``"off"`` → None."""
    text = value.strip().lower()
    if text == "off":
        return None
    count, _slash, unit = text.partition("/")
    if not count.isdigit() or int(count) < 1 or unit not in PERIODS:
        raise ValueError(RATE_INVALID.format(value=value))
    return Rate(limit=int(count), period=PERIODS[unit])


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For entry when trusted.

    None when there is no valid address (e.g. a server on a Unix socket without a proxy header).
    Also django-axes' AXES_CLIENT_IP_CALLABLE, so login lockouts and rate limits agree on who a
    client is.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUST_PROXY:
        # The trusted proxy appends the address it saw; anything before it came from the client.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        address = forwarded or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Counters: count(key, now, window_end) adds one hit and returns the window's count, atomically.


class DatabaseCounter:
    """Counts in `models.RateCounter`, one statement per hit.

    The upsert reads and writes the row under the database's own row (PostgreSQL) or database
    (SQLite) lock, so concurrent hits from any number of processes are all counted. A row whose
    window has ended starts again from 1; the first hit of a new window also deletes the rows of
    ended windows, so the table holds about one row per client seen in the current windows.
    """

    def count(self, key: str, now: float, window_end: int) -> int:
        quote = connection.ops.quote_name
        table = quote(models.RateCounter._meta.db_table)
        key_, count_, expires = quote("key"), quote("count"), quote("expires_at")
        sql = (
            f"INSERT INTO {table} ({key_}, {count_}, {expires}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_}) DO UPDATE SET "
            f"{count_} = CASE WHEN {table}.{expires} <= %s THEN 1 ELSE {table}.{count_} + 1 END, "
            f"{expires} = CASE WHEN {table}.{expires} <= %s "
            f"THEN excluded.{expires} ELSE {table}.{expires} END "
            f"RETURNING {count_}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, window_end, now, now])
            (count,) = cursor.fetchone()
        if count == 1:
            models.RateCounter.objects.filter(expires_at__lte=now).delete()
        return count


# KEYS[1]: the counter; ARGV[1]: milliseconds to the end of the window. A counter without an
# expiry (never left by this script, but possible after a manual SET) gets one too.
REDIS_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
"""


class RedisCounter:
    """Counts in Redis: INCR and PEXPIRE in one Lua script, which Redis runs atomically.

    Each window has its own key, so a new window counts from 1 on the app's clock even when
    Redis's clock (which expires the old key) differs a little.
    """

    def __init__(self, url: str):
        import redis  # only deployments that count in Redis need the package

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(REDIS_COUNT_SCRIPT)

    def count(self, key: str, now: float, window_end: int) -> int:
        milliseconds = max(1, math.ceil((window_end - now) * 1000))
        return int(self.script(keys=[f"{key}:{window_end}"], args=[milliseconds]))


class LocalCounter:
    """Counts in this process only (``RATE_CACHE = "locmem"``: one process, benchmarks)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[int, int]] = {}  # key → (count, window end)

    def count(self, key: str, now: float, window_end: int) -> int:
        with self.lock:
            count, end = self.counts.get(key, (0, 0))
            if end <= now:
                count, end = 0, window_end
                # Forget ended windows, as the database counter does.
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
            self.counts[key] = (count + 1, end)
            return count + 1


_counters: dict[str, DatabaseCounter | RedisCounter | LocalCounter] = {}
_counters_lock = threading.Lock()


def counters_forget() -> None:
    """Drop this process's counters, so the next request starts a fresh one (tests)."""
    with _counters_lock:
        _counters.clear()


def counter() -> DatabaseCounter | RedisCounter | LocalCounter:
    """The counter `settings.RATE_CACHE` names, one per process (read per call for tests)."""
    where = settings.RATE_CACHE
    found = _counters.get(where)
    if found is None:
        with _counters_lock:
            found = _counters.get(where)
            if found is None:
                if where == "database":
                    found = DatabaseCounter()
                elif where == "locmem":
                    found = LocalCounter()
                else:
                    found = RedisCounter(where)
                _counters[where] = found
    return found


def hit(scope: str, request, rate: Rate) -> int:
    """Count one request of this client in `scope`; return 0 if allowed, else seconds to wait."""
    now = clock()
    window_end = (int(now // rate.period) + 1) * rate.period
    key = f"rolefit:rl:{scope}:{client_ip(request) or 'unknown'}"
    if counter().count(key, now, window_end) <= rate.limit:
        return 0
    return max(1, math.ceil(window_end - now))


def too_many_requests(request, retry_after: int, *, login_locked: bool = False):
    context = {
        "retry_after": retry_after,
        "login_locked": login_locked,
        "minutes": math.ceil(retry_after / 60),
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the 429 page for a locked-out sign-in."""
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return too_many_requests(request, cooloff, login_locked=True)


def rate_limit(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """Limit a view's `methods` per client to the rate in setting ROLEFIT_RATE_<SCOPE>.

    The setting is read on every request, so tests can override it.
    """
    setting = f"ROLEFIT_RATE_{scope.upper()}"

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method in methods:
                rate = parse_rate(getattr(settings, setting))
                if rate is not None:
                    retry_after = hit(scope, request, rate)
                    if retry_after:
                        return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return limited

    return decorator
