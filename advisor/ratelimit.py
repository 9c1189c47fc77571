"""Per-client rate limits for the expensive public actions (submitting, PDF generation).

Fixed windows: a client may make `N` requests per period; the count for the current window lives
in the "ratelimit" cache, which every worker shares (see README "Deploying"). A rate is a setting
such as ``ROLEFIT_RATE_SUBMIT = "10/m"``; ``"off"`` disables that limit. Past the limit the view
is not run: the client gets the 429 page with a ``Retry-After`` header.
"""

import ipaddress
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render

CACHE_ALIAS = "ratelimit"
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


def hit(scope: str, request, rate: Rate) -> int:
    """Count one request of this client in `scope`; return 0 if allowed, else seconds to wait."""
    now = clock()
    window = int(now // rate.period)
    key = f"rl:{scope}:{client_ip(request) or 'unknown'}:{window}"
    cache = caches[CACHE_ALIAS]
    # add() is atomic: the first request of a window creates the counter, later ones increment.
    if cache.add(key, 1, timeout=rate.period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=rate.period + 1)
            count = 1
    if count <= rate.limit:
        return 0
    return max(1, math.ceil((window + 1) * rate.period - now))


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
