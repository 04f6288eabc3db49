"""The events list's query parameters: a value the API does not know (a program code, a
kind, a time it cannot read) answers 400 naming the parameter."""

import django_filters as filters
from drf_spectacular.utils import extend_schema_field

from coalitions.models import Program
from workshops.models import Event


class EventFilter(filters.FilterSet):
    program = extend_schema_field(
        {"type": "string", "description": "A program's code, e.g. `pps`."}
    )(filters.ModelChoiceFilter(
        field_name="program", to_field_name="code", queryset=Program.objects.all(),
    ))
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    start_after = filters.IsoDateTimeFilter(
        field_name="start", lookup_expr="gte",
        help_text="Only events starting at or after this time (ISO 8601, e.g. "
        "`2026-03-01T00:00:00Z`).",
    )
    start_before = filters.IsoDateTimeFilter(
        field_name="start", lookup_expr="lt",
        help_text="Only events starting before this time (ISO 8601).",
    )

    class Meta:
        model = Event
        fields = ["program", "kind", "start_after", "start_before"]
