"""Request rates: anonymous clients per address, token (or session) holders per user.

The rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]`` and ``["user"]``, read
when a request comes (so ``override_settings`` works in tests). Counting is a fixed window
in the ``default`` cache (Redis in production, so all web processes share the count): one
counter per client and window, where DRF's own throttles keep, and rewrite, the time of
every request in the window, which costs more the higher the rate.
"""

import math
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def _count(key, *, timeout):
    """Add one to the counter ``key`` (made if missing, kept ``timeout`` seconds) and return
    it. With Redis in one round trip: every API request pays it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        pipe = backend._cache.get_client(redis_key, write=True).pipeline()
        # The key names its window, so pushing its expiry on at each request is harmless.
        pipe.incr(redis_key).expire(redis_key, timeout)
        return pipe.execute()[0]
    try:
        return backend.incr(key)  # the usual case: the window's counter exists
    except ValueError:
        if backend.add(key, 1, timeout=timeout):
            return 1
        return backend.incr(key)  # another process started the window first


class ApiRateThrottle(SimpleRateThrottle):
    """One class for both scopes: ``user`` for a token or session, else ``anon`` by address
    (``NUM_PROXIES`` says which X-Forwarded-For entry to trust)."""

    cache_format = "throttle:%(scope)s:%(ident)s:%(window)d"

    def __init__(self):
        pass  # the scope, so the rate, is known only with the request

    def allow_request(self, request, view):
        if getattr(request._request, "api_throttle_passed", False):
            return True  # counted already, on the way in (see caching.CatalogCacheMixin)
        if request.user.is_authenticated:
            return self.allow("user", request.user.pk)
        return self.allow("anon", self.get_ident(request))

    def allow(self, scope, ident):
        """Count one request of ``ident`` in ``scope``: False past the scope's rate."""
        self.scope = scope
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.now = time.time()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = self.cache_format % {"scope": scope, "ident": ident, "window": window}
        return _count(key, timeout=self.duration + 1) <= self.num_requests

    def wait(self):
        return max(1, math.ceil(self.window_ends - self.now))
