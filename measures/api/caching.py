"""ETags, conditional GETs and the response cache of the API.

The public catalog (measures, sets, tools): the ETag is a hash of the catalog's version
(``measures.selectors.catalog_version()``, one query), the request's absolute URL and the
format negotiated. ``If-None-Match`` with it answers 304 without reading the catalog, and a
full answer is kept in the ``default`` cache under the same hash: when a measure set,
measure or tool changes, the version moves, so every ETag and cache key that shows it moves
too, and no answer needs to be deleted.

Coalitions' own records (adoptions, incentive programs) depend on the user and on data the
catalog version does not cover: their ETag is a hash of the answer itself, and they are
never stored (``Cache-Control: private, no-cache``).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.response import Response

from measures.selectors import catalog_version

from .renderers import ORJSONRenderer
from .throttles import ApiRateThrottle

_KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# Accept headers for which DRF's negotiation picks JSON, whatever the view's renderers.
_PLAIN_ACCEPT = frozenset({"*/*", "application/json", ""})


def absolute_url(request):
    """The request's absolute URL, worked out once per request (the ETag, the cache key and
    the page links all use it)."""
    django_request = getattr(request, "_request", request)
    url = getattr(django_request, "api_absolute_url", None)
    if url is None:
        url = django_request.api_absolute_url = django_request.build_absolute_uri()
    return url


def _matches(request, etag, *, exists=True):
    """Whether If-None-Match names ``etag`` (weak comparison, RFC 9110 13.1.2). ``*``
    matches only a representation known to exist; an unreadable header matches nothing."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    candidates = parse_etags(header)
    return (exists and "*" in candidates) or any(
        tag.removeprefix("W/") == etag for tag in candidates
    )


def _not_modified(etag, headers):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    for name, value in headers.items():
        response[name] = value
    return response


class CatalogCacheMixin:
    """For the GET of a catalog view: ETag, 304, ``Cache-Control: public`` and the cache.

    An anonymous request for JSON (no token, no session cookie, no ``?format=``) that can be
    answered with a 304 or from the cache is answered before DRF sets up the request: the
    throttle counts it as usual, and what it gets is what DRF would have sent. Everything
    else (a token, a session, CSV, a miss) takes DRF's way.
    """

    def dispatch(self, request, *args, **kwargs):
        if _is_plain_anonymous_read(request):
            throttle = ApiRateThrottle()
            if throttle.allow("anon", throttle.get_ident(request)):
                request.api_throttle_passed = True
                answer = self.stored_answer(request, ORJSONRenderer.format)
                if answer is not None:
                    return answer
        return super().dispatch(request, *args, **kwargs)

    def _keys(self, request, format):
        django_request = getattr(request, "_request", request)
        version = getattr(django_request, "api_catalog_version", None)
        if version is None:
            version = django_request.api_catalog_version = catalog_version()
        digest = hashlib.blake2b(
            f"{version}\n{absolute_url(request)}\n{format}".encode(), digest_size=16
        ).hexdigest()
        return f'"{digest}"', f"api:response:{digest}"

    def _headers(self):
        return {
            "Cache-Control": f"public, max-age={settings.API_CACHE_MAX_AGE}",
            "Vary": "Accept",
            "Allow": ", ".join(self.allowed_methods),
        }

    def stored_answer(self, request, format):
        """A 304, or the full answer from the cache; None if it must be made."""
        etag, cache_key = self._keys(request, format)
        # The key is known before the answer, so "*" (any representation) proves nothing.
        if _matches(request, etag, exists=False):
            return _not_modified(etag, self._headers())
        if settings.API_CACHE_TIMEOUT:
            kept = cache.get(cache_key)
            if kept is not None:
                content, kept_headers = kept
                response = HttpResponse(content)
                for name, value in (*kept_headers, *self._headers().items(), ("ETag", etag)):
                    response[name] = value
                return response
        return None

    def get(self, request, *args, **kwargs):
        answer = self.stored_answer(request, request.accepted_renderer.format)
        if answer is not None:
            return answer
        response = super().get(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        etag, cache_key = self._keys(request, request.accepted_renderer.format)
        response["ETag"] = etag
        for name, value in self._headers().items():
            response[name] = value
        if settings.API_CACHE_TIMEOUT:
            timeout = settings.API_CACHE_TIMEOUT

            def keep(rendered):
                kept_headers = [(name, rendered[name]) for name in _KEPT_HEADERS
                                if rendered.has_header(name)]
                cache.set(cache_key, (rendered.content, kept_headers), timeout)

            response.add_post_render_callback(keep)
        return response


def _is_plain_anonymous_read(request):
    accept = request.META.get("HTTP_ACCEPT", "*/*")
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "format" not in request.GET
        and accept in _PLAIN_ACCEPT
    )


class ContentETagMixin:
    """For views of private records: an ETag that is the hash of the answer, and 304."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and isinstance(response, Response)
        ):
            response.render()
            etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
            headers = {"Cache-Control": "private, no-cache"}
            if _matches(request, etag):
                response = _not_modified(etag, headers)
            else:
                response["ETag"] = etag
                for name, value in headers.items():
                    response[name] = value
            patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        return response
