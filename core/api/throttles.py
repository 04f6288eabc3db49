"""Request rates: anonymous clients per address, token (or session) holders per user.

The rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``anon``, ``user``, and any
other scope a view counts itself, such as ``fhir``), read when a request comes (so
``override_settings`` works in tests). Counting is a fixed window in the ``default`` cache
(Redis in production, so all web processes share the count): one counter per client and
window, where DRF's own throttles keep, and rewrite, the time of every request in the
window, which costs more the higher the rate.
"""

import math
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def _redis_client(backend):
    """The backend's redis client for writes, made once: Django makes a new one for every
    operation, and setting one up costs more than the round trip. A backend (and so its
    client) belongs to one thread."""
    client = getattr(backend, "_api_client", None)
    if client is None:
        client = backend._api_client = backend._cache.get_client(write=True)
    return client


def count_and_get(key, *, timeout, fetch=None):
    """Add one to the counter ``key`` (made if missing, kept ``timeout`` seconds) and return
    ``(count, the cache's value under fetch)`` (None without ``fetch`` or on a miss).

    With Redis in one round trip: every API request pays it, and a cached answer needs the
    throttle's count and the answer both.
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        pipe = _redis_client(backend).pipeline(transaction=False)
        # The key names its window, so pushing its expiry on at each request is harmless.
        pipe.incr(redis_key).expire(redis_key, timeout)
        if fetch is not None:
            pipe.get(backend.make_and_validate_key(fetch))
        answers = pipe.execute()
        kept = answers[2] if fetch is not None else None
        return answers[0], (None if kept is None else backend._cache._serializer.loads(kept))
    try:
        count = backend.incr(key)  # the usual case: the window's counter exists
    except ValueError:
        # Another process may have started the window first.
        count = 1 if backend.add(key, 1, timeout=timeout) else backend.incr(key)
    return count, (None if fetch is None else backend.get(fetch))


class ApiRateThrottle(SimpleRateThrottle):
    """One class for both scopes: ``user`` for a token or session, else ``anon`` by address
    (``NUM_PROXIES`` says which X-Forwarded-For entry to trust)."""

    cache_format = "throttle:%(scope)s:%(ident)s:%(window)d"

    def __init__(self):
        self.kept = None  # the cache's value that allow(fetch=...) read on the way

    def allow_request(self, request, view):
        if getattr(request._request, "api_throttle_passed", False):
            return True  # counted already, on the way in (see caching.VersionedCacheMixin)
        if request.user.is_authenticated:
            return self.allow("user", request.user.pk)
        return self.allow("anon", self.get_ident(request))

    def allow(self, scope, ident, *, fetch=None):
        """Count one request of ``ident`` in ``scope``: False past the scope's rate. With
        ``fetch``, the cache's value under that key is read in the same round trip and
        left in ``self.kept``."""
        self.scope = scope
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if self.rate is None:
            if fetch is not None:
                self.kept = caches["default"].get(fetch)
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.now = time.time()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = self.cache_format % {"scope": scope, "ident": ident, "window": window}
        count, self.kept = count_and_get(key, timeout=self.duration + 1, fetch=fetch)
        return count <= self.num_requests

    def wait(self):
        return max(1, math.ceil(self.window_ends - self.now))
