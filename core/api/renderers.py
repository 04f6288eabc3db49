"""How the API writes its answers: JSON through orjson, and CSV for spreadsheets."""

import csv
import io

import orjson
from django.http import Http404
from django.utils.functional import Promise
from rest_framework import exceptions, negotiation, renderers

_ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value):
    if isinstance(value, Promise):  # lazy translations in DRF's messages
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_dumps(data):
    """The API's one JSON encoder (the benchmark's baseline view uses it too)."""
    return orjson.dumps(data, default=_default, option=_ORJSON_OPTIONS)


class ORJSONRenderer(renderers.BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition; no "; charset=" in the header

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return json_dumps(data)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell for CSV: lists joined with "; ", and text a spreadsheet would run as a formula
    made inert with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    elif not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class CSVRenderer(renderers.BaseRenderer):
    """Rows of a list, one line each, with the fields in the order the API gives them.

    The header is the view's ``csv_fields`` (so an empty list still names its columns). An
    error is never rendered here: the views answer errors in JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        if isinstance(rows, dict):
            rows = [rows]
        rows = rows or []
        view = (renderer_context or {}).get("view")
        header = getattr(view, "csv_fields", None) or (list(rows[0]) if rows else [])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([spreadsheet_safe(row.get(name)) for name in header])
        return buffer.getvalue().encode("utf-8")


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's negotiation, but an unknown ``?format=`` is a 400 that names it, not a 404."""

    def filter_renderers(self, renderers, format):
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            formats = " or ".join(renderer.format for renderer in renderers)
            raise exceptions.ValidationError(
                {"format": [f"Unknown format {format!r}; this address answers in {formats}."]}
            ) from None
