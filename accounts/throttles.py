"""Request limits per client address outside the API (the API has its own throttles)."""

import math
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_rate(rate):
    """``"5/hour"`` -> ``(5, 3600)``: requests allowed, per that many seconds."""
    number, period = rate.split("/")
    return int(number), _PERIODS[period[0]]


def address_throttle(request, scope, rate):
    """Count this request against its client address (read as the sign-in lockout reads it,
    behind ``PROXY_COUNT`` proxies) in a fixed window kept in the ``default`` cache.

    Returns ``None`` when the request is within ``rate``, else the seconds until the window
    ends (for ``Retry-After``).
    """
    allowed, period = _parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"throttle:{scope}:{get_client_ip_address(request)}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # the window's key expired between the two calls
        cache.add(key, 1, timeout=period)
        count = 1
    if count <= allowed:
        return None
    return max(1, math.ceil((window + 1) * period - now))


def password_reset_throttle(request):
    """Password-reset requests per address: ``PASSWORD_RESET_RATE`` (5 an hour unless set)."""
    return address_throttle(request, "password-reset", settings.PASSWORD_RESET_RATE)
