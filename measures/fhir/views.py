"""The FHIR R4 face of the measure catalog: read-only, public, application/fhir+json.

Every answer, errors included, is a FHIR resource: a refusal is an OperationOutcome with the
HTTP status that FHIR gives it (400 bad parameter, 404 unknown id or resource type, 405 method,
406 format, 429 too many requests from one address, with Retry-After).
"""

import functools

from django.http import JsonResponse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from core.api.throttles import ApiRateThrottle

from .capability import capability_statement
from .errors import FhirError
from .mapping import (
    CONTENT_TYPE,
    fhir_base,
    measure_resource,
    operation_outcome,
    searchset_bundle,
    subset,
)
from .search import measure_fhir_get, measure_search, parse_result_parameters

ALLOWED_METHODS = ("GET", "HEAD")
_JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
_JSON_MEDIA_RANGES = {"*/*", "application/*", "application/json", "application/fhir+json"}


def fhir_response(request, resource, *, status=200):
    indent = 2 if request.GET.get("_pretty") == "true" else None
    return JsonResponse(
        resource, status=status, content_type=CONTENT_TYPE,
        json_dumps_params={"indent": indent, "ensure_ascii": False},
    )


def _check_format(request):
    for value in request.GET.getlist("_format"):
        # An unencoded "+" in a query string arrives as a space.
        media_type = value.split(";")[0].strip().replace(" ", "+").lower()
        if media_type not in _JSON_FORMATS:
            raise FhirError(
                406, "not-supported",
                f"Parameter '_format': '{value}' is not supported; this server answers JSON "
                "only (_format=json).",
            )
    if request.GET.getlist("_format"):
        return  # _format overrides the Accept header.
    accept = request.headers.get("Accept")
    if not accept:
        return
    ranges = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if ranges and not ranges & _JSON_MEDIA_RANGES:
        raise FhirError(
            406, "not-supported",
            f"This server answers application/fhir+json only, not {accept}.",
        )


def _check_pretty(request):
    for value in request.GET.getlist("_pretty"):
        if value not in ("true", "false"):
            raise FhirError(
                400, "invalid", f"Parameter '_pretty' must be true or false, not '{value}'."
            )


class _Throttled(FhirError):
    def __init__(self, wait):
        super().__init__(
            429, "throttled",
            f"Too many requests from this address: try again in {wait} seconds.",
        )
        self.wait = wait


def _check_rate(request):
    """Count the request against the address's FHIR rate (``fhir`` in the API's throttle
    rates, in the same counters as the REST API's)."""
    throttle = ApiRateThrottle()
    if not throttle.allow("fhir", throttle.get_ident(request)):
        raise _Throttled(throttle.wait())


def fhir_view(view):
    """Wrap a FHIR view: throttled per address, GET and HEAD only, JSON only, refusals as
    OperationOutcomes (a 429 with ``Retry-After``).

    CSRF protection is off because these views never change anything; without that, a POST
    would get the CSRF page instead of the 405 a FHIR client expects.
    """

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            _check_rate(request)
            if request.method not in ALLOWED_METHODS:
                raise FhirError(
                    405, "not-supported",
                    f"Method {request.method} is not supported: this FHIR server is "
                    "read-only (GET).",
                )
            _check_format(request)
            _check_pretty(request)
            response = view(request, *args, **kwargs)
        except FhirError as error:
            response = fhir_response(
                request, operation_outcome(error.code, error.diagnostics), status=error.status
            )
            if error.status == 405:
                response["Allow"] = ", ".join(ALLOWED_METHODS)
            if isinstance(error, _Throttled):
                response["Retry-After"] = str(error.wait)
        return response

    return wrapped


@fhir_view
def capability_statement_view(request):
    return fhir_response(request, capability_statement(fhir_base(request)))


@fhir_view
def measure_search_view(request):
    base = fhir_base(request)
    # Lenient unless the client asks for strict handling (FHIR R4 search, 3.1.1.4).
    strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")
    page = measure_search(request.GET, base=base, strict=strict)
    url = request.build_absolute_uri(request.path)
    return fhir_response(
        request,
        searchset_bundle(
            base, page.measures, total=page.total, links=page.links(url),
            summary=page.summary, elements=page.elements, ignored=page.ignored,
        ),
    )


@fhir_view
def measure_read_view(request, fhir_id):
    summary, elements = parse_result_parameters(request.GET)
    if summary == "count":
        raise FhirError(
            400, "not-supported", "Parameter '_summary': count applies to a search, not a read."
        )
    measure = measure_fhir_get(fhir_id)
    resource = subset(
        measure_resource(fhir_base(request), measure), summary=summary, elements=elements
    )
    response = fhir_response(request, resource)
    response["Last-Modified"] = http_date(measure.updated_at.timestamp())
    return response


@csrf_exempt
def not_found_view(request, rest=""):
    """Anything else under the FHIR base: a resource type or interaction not served here."""
    return fhir_response(
        request,
        operation_outcome(
            "not-supported",
            f"/{rest} is not served: this server has Measure (read and search) and metadata.",
        ),
        status=404,
    )
