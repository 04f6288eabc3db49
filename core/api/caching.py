"""ETags, conditional GETs and the response cache of the API.

A public read whose answer depends only on its URL and on data with a version (the measure
catalog...): its view says what that version is (``version()``, one cheap read) and the
ETag is a hash of the version, the request's absolute URL and the format negotiated.
``If-None-Match`` with it answers 304 without reading the data, and a full answer is kept
in the ``default`` cache under the same hash: when the data changes, its version moves, so
every ETag and cache key that shows it moves too, and no answer needs to be deleted.

Only the parameters a view knows (its filters, its pagination's, ``format``) may enter a
key: any other answers 400 naming it, so a client cannot fill the cache with junk keys.

Records that depend on the user (a coalition's own rows): their ETag is a hash of the
answer itself, and they are never stored (``Cache-Control: private, no-cache``).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

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


_known_parameters = {}


class VersionedCacheMixin:
    """For the GET of a public read view: ETag, 304, ``Cache-Control: public`` and the cache.

    The view defines ``version()``: a short string that changes whenever anything its
    answers show changes. An anonymous request for JSON (no token, no session cookie, no
    ``?format=``) that can be answered with a 304 or from the cache is answered before DRF
    sets up the request: the throttle counts it, and reads the cache, in one round trip,
    and what it gets is what DRF would have sent. Everything else (a token, a session, CSV,
    a miss) takes DRF's way.
    """

    def version(self):
        raise NotImplementedError("A cached view says what version its answers show.")

    @classmethod
    def query_parameters(cls):
        """The query parameters this view takes: ``format``, its pagination's, its
        filters'. Nothing else may enter a cache key."""
        known = _known_parameters.get(cls)
        if known is None:
            known = {api_settings.URL_FORMAT_OVERRIDE}
            paginator = cls.pagination_class
            if paginator is not None:
                known |= {
                    getattr(paginator, name) for name in (
                        "cursor_query_param", "page_size_query_param", "ordering_query_param",
                    ) if getattr(paginator, name, None)
                }
            filterset_class = getattr(cls, "filterset_class", None)
            if filterset_class is not None and cls.filter_backends:
                known |= set(filterset_class.base_filters)
            known = _known_parameters[cls] = frozenset(known)
        return known

    def unknown_parameters(self, request):
        return [name for name in request.GET if name not in self.query_parameters()]

    def check_parameters(self, request):
        unknown = self.unknown_parameters(request)
        if unknown:
            takes = ", ".join(sorted(self.query_parameters()))
            raise ValidationError({
                name: [f"Unknown parameter; this address takes {takes}."] for name in unknown
            })

    def dispatch(self, request, *args, **kwargs):
        if _is_plain_anonymous_read(request) and not self.unknown_parameters(request):
            answer = self._early_answer(request)
            if answer is not None:
                return answer
        return super().dispatch(request, *args, **kwargs)

    def _early_answer(self, request):
        """A 304 or a cached answer to an anonymous request, counted by the throttle in the
        same Redis round trip that reads the cache; None to let DRF answer."""
        etag, cache_key = self._keys(request, ORJSONRenderer.format)
        current = _matches(request, etag, exists=False)
        fetch = cache_key if settings.API_CACHE_TIMEOUT and not current else None
        throttle = ApiRateThrottle()
        if not throttle.allow("anon", throttle.get_ident(request), fetch=fetch):
            return None  # DRF counts again and answers 429
        request.api_throttle_passed = True
        if current:
            return _not_modified(etag, self._headers())
        return self._from_cache(throttle.kept, etag)

    def request_version(self, request):
        """The version this request's answer shows: ``version()``, read once per request
        (the ETag, the cache key and the answer itself agree on it)."""
        django_request = getattr(request, "_request", request)
        version = getattr(django_request, "api_version", None)
        if version is None:
            version = django_request.api_version = self.version()
        return version

    def _keys(self, request, format):
        version = self.request_version(request)
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

    def _from_cache(self, kept, etag):
        if kept is None:
            return None
        content, kept_headers = kept
        response = HttpResponse(content)
        for name, value in (*kept_headers, *self._headers().items(), ("ETag", etag)):
            response[name] = value
        return response

    def stored_answer(self, request, format):
        """A 304, or the full answer from the cache; None if it must be made."""
        etag, cache_key = self._keys(request, format)
        # The key is known before the answer, so "*" (any representation) proves nothing.
        if _matches(request, etag, exists=False):
            return _not_modified(etag, self._headers())
        if settings.API_CACHE_TIMEOUT:
            return self._from_cache(cache.get(cache_key), etag)
        return None

    def get(self, request, *args, **kwargs):
        self.check_parameters(request)
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
