"""Cursor pagination on a keyset: pages stay right while the catalog changes, and a page
deep in the list costs what the first one does (no OFFSET).

A cursor carries the ordering and the sort key of the row it stops at, signed so that a
client cannot forge one; any cursor that does not come from a ``next`` or ``previous``
link answers 400 naming ``cursor``.
"""

from datetime import date, datetime
from functools import reduce

from django.core import signing
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .caching import absolute_url

_SIGNER = signing.Signer(salt="api.cursor")


def _row_value(row, key):
    if isinstance(row, dict):
        return row[key]
    return reduce(getattr, key.split("__"), row)


def _json_value(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


class KeysetPagination(BasePagination):
    """``?ordering=`` picks one of ``orderings`` (``-`` before it reverses), ``?page_size=``
    from 1 to ``max_page_size``, ``?cursor=`` from a page's ``next`` or ``previous``.

    ``orderings`` maps each public name to the lookups the rows are sorted by; together they
    must be unique (end with a unique field), so the keyset never skips or repeats a row.
    """

    orderings = {}
    # Where a row (a dict from .values()) holds a lookup's value under another name.
    row_keys = {}
    default_ordering = None
    default_page_size = 100
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    # --- the request's parameters ---------------------------------------------------------

    def get_ordering(self, request):
        """The public ordering name (with its ``-``) and the lookups with direction."""
        name = request.query_params.get(self.ordering_query_param, self.default_ordering)
        lookups = self.orderings.get(name.removeprefix("-"))
        if lookups is None:
            choices = ", ".join(self.ordering_choices())
            raise ValidationError(
                {self.ordering_query_param: [f"Unknown ordering {name!r}; use one of {choices}."]}
            )
        return name, lookups, name.startswith("-")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.default_page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                f"A whole number from 1 to {self.max_page_size} (rows per page)."
            ]})
        return size

    def decode_cursor(self, request, ordering):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            payload = _SIGNER.unsign_object(raw)
        except (signing.BadSignature, ValueError, UnicodeError):
            payload = None
        if not isinstance(payload, dict) or payload.get("o") != ordering:
            raise ValidationError({self.cursor_query_param: [
                "This cursor is not valid here: follow a page's next or previous link "
                "without changing its ordering."
            ]})
        return payload

    def ordering_choices(self):
        return [f"{prefix}{name}" for name in self.orderings for prefix in ("", "-")]

    # --- the page -------------------------------------------------------------------------

    def order(self, queryset, request):
        """The queryset in the requested order, with no paging (CSV gives every row)."""
        _, lookups, descending = self.get_ordering(request)
        return queryset.order_by(*(f"-{lookup}" if descending else lookup for lookup in lookups))

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        self.ordering, lookups, descending = self.get_ordering(request)
        cursor = self.decode_cursor(request, self.ordering)
        backwards = bool(cursor and cursor.get("p"))
        # Walking back, read in the reverse order from the cursor, then turn the page round.
        reverse = descending != backwards
        if cursor is not None:
            values = cursor.get("v")
            if not isinstance(values, list) or len(values) != len(lookups):
                raise ValidationError({self.cursor_query_param: ["This cursor is not valid."]})
            queryset = queryset.filter(self._after(lookups, values, reverse))
        queryset = queryset.order_by(*(f"-{lookup}" if reverse else lookup for lookup in lookups))
        rows = list(queryset[: page_size + 1])
        more = len(rows) > page_size
        del rows[page_size:]
        if backwards:
            rows.reverse()
        # The keys of the rows at both ends, taken now: the view may reshape the rows.
        self.first, self.last = (
            (self._key_of(rows[0], lookups), self._key_of(rows[-1], lookups)) if rows
            else (None, None)
        )
        if backwards:
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        return rows

    @staticmethod
    def _after(lookups, values, reverse):
        """Rows strictly after ``values`` in the order of ``lookups`` (before, if reverse)."""
        comparison = "lt" if reverse else "gt"
        condition = Q()
        for index, lookup in enumerate(lookups):
            equal = {prior: values[i] for i, prior in enumerate(lookups[:index])}
            condition |= Q(**equal, **{f"{lookup}__{comparison}": values[index]})
        return condition

    def _key_of(self, row, lookups):
        return [_json_value(_row_value(row, self.row_keys.get(lookup, lookup)))
                for lookup in lookups]

    def _link(self, key, backwards):
        payload = {"o": self.ordering, "v": key}
        if backwards:
            payload["p"] = 1
        url = absolute_url(self.request)
        return replace_query_param(url, self.cursor_query_param, _SIGNER.sign_object(payload))

    def get_next_link(self):
        if not self.has_next or self.last is None:
            return None
        return self._link(self.last, backwards=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.first is None:  # an empty page reached by a cursor: start again
            return remove_query_param(absolute_url(self.request), self.cursor_query_param)
        return self._link(self.first, backwards=True)

    def get_paginated_data(self, results):
        return {
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": results,
        }

    def get_paginated_response(self, data):
        return Response(self.get_paginated_data(data))

    # --- the schema -----------------------------------------------------------------------

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null on the last."},
                "previous": {**link, "description": "The page before, or null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: copy it from a page's `next` or "
                "`previous` link. Any other value answers 400.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, {self.default_page_size} unless given; "
                f"more than {self.max_page_size} answers 400 (not clamped).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size,
                           "default": self.default_page_size},
            },
            {
                "name": self.ordering_query_param,
                "in": "query",
                "required": False,
                "description": "Sort order; `-` before a name reverses it. Ties are broken "
                "by a unique key, so paging never skips or repeats a row.",
                "schema": {"type": "string", "enum": self.ordering_choices(),
                           "default": self.default_ordering},
            },
        ]
