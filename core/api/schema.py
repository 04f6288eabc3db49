"""What the OpenAPI schema says of every operation: its errors, conditional GETs and the
CSV format. An app's views compose their ``extend_schema`` from these."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import VALIDATION_ERROR_SCHEMA, ErrorSerializer

ERRORS = {
    400: OpenApiResponse(
        VALIDATION_ERROR_SCHEMA,
        "A parameter or field is wrong, or not one this address takes: each key names one, "
        "with its messages.",
    ),
    401: OpenApiResponse(
        ErrorSerializer, "The token is not valid or was revoked (or none was sent where one "
        "is needed)."
    ),
    403: OpenApiResponse(ErrorSerializer, "You may read this but not change it."),
    404: OpenApiResponse(ErrorSerializer, "No such record, or not one you may see."),
    429: OpenApiResponse(
        ErrorSerializer,
        "Too many requests from this address (or token): the `Retry-After` header says how "
        "many seconds to wait.",
    ),
}
NOT_MODIFIED = {304: OpenApiResponse(None, "Not modified: the `If-None-Match` ETag is current.")}
CONDITIONAL = [
    OpenApiParameter(
        "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
        description="An ETag from an earlier answer: 304 without a body if it is current.",
    ),
    OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304],
                     description="The version of this answer, for `If-None-Match`."),
    OpenApiParameter("Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429],
                     description="Seconds to wait before the next request."),
]


def format_parameter(*formats):
    return OpenApiParameter(
        "format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=list(formats),
        description="`json` (the default) or `csv`: every matching row in one file, in the "
        "requested order, without pages; cells a spreadsheet would run as formulas are "
        "prefixed with an apostrophe.",
    )


def errors(*codes):
    """The schema's error answers; errors are always JSON, whatever format was asked for."""
    return {(code, "application/json"): ERRORS[code] for code in codes}


def list_ok(serializer):
    return {
        (200, "application/json"): OpenApiResponse(serializer, "A page of the list."),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, "With `?format=csv`."),
    }
