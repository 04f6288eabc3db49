"""Reads the API adds to ``measures.selectors``: the measure list as plain rows, and the
adoption list as of a day scoped to the user. Each list costs a fixed number of queries."""

import orjson
from django.db.models import CharField, F, Func, OuterRef, Q, Subquery

from measures import selectors
from measures.models import Measure, MeasureFact, ProgramMembership

# The columns of a measure row, in the API's order; ``set`` is the set's code.
MEASURE_VALUE_FIELDS = (
    "code", "slug", "title", "description", "steward", "type", "level", "domain", "setting",
    "data_source", "numerator", "denominator", "improvement_notation", "endorsement_number",
    "status", "version", "source_url", "software_url", "updated_at",
)
# ``updated_at`` is read as text under this name (see IsoTimestamp), renamed in measure_rows;
# the components' and programs' codes as JSON text under these (see JSONList).
UPDATED_AT_TEXT = "updated_at_text"
COMPONENTS_JSON = "components_json"
PROGRAMS_JSON = "programs_json"


class IsoTimestamp(Func):
    """A datetime column as the RFC 3339 text the API prints (``2026-01-05T14:03:00.5Z``).

    SQLite keeps a datetime as text in UTC: the database rewrites it in two string
    operations, where reading it as a datetime (parsed, made aware) only for orjson to print
    it again costs a quarter of the measure list. Elsewhere the column is read as it is
    (PostgreSQL's driver gives an aware datetime, which orjson prints the same way).
    """

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"REPLACE({sql}, ' ', 'T') || 'Z'", params


class JSONList(Subquery):
    """The values of a one-column subquery (named ``v``), in order, as the JSON text of a
    list, read in the outer row's own query: a page of measures and the codes of each one's
    components and programs cost one query, not one per relation."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, **extra_context,
            template="(SELECT COALESCE(json_agg(v ORDER BY v), '[]')::text "
            "FROM (%(subquery)s) AS u)",
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # Rows reach an aggregate in the order of the subquery they come from.
        return super().as_sql(
            compiler, connection, **extra_context,
            template="(SELECT json_group_array(v) FROM (%(subquery)s))",
        )


def _component_codes():
    return JSONList(
        Measure.components.through.objects.filter(from_measure=OuterRef("pk"))
        .values(v=F("to_measure__code")).order_by("v")
    )


def _program_codes():
    return JSONList(
        ProgramMembership.objects.filter(measure=OuterRef("pk"))
        .values(v=F("program__code")).order_by("v").distinct()
    )


def _measure_values():
    return selectors.measure_list().values(
        "id", *MEASURE_VALUE_FIELDS[:-1], set=F("measure_set__code"),
        **{UPDATED_AT_TEXT: IsoTimestamp("updated_at"), COMPONENTS_JSON: _component_codes(),
           PROGRAMS_JSON: _program_codes()},
    )


# Setting up a values() query of twenty columns costs more than a clone of it; the query is
# built once and each request works on its own copy (a QuerySet is never run in place).
_MEASURE_VALUES = _measure_values()


def measure_values():
    """Measures as dicts, the set's code joined in, with their components' and programs'
    codes (as JSON text): no model instance is built per row."""
    return _MEASURE_VALUES.all()


def measure_rows(rows, *, detail_url):
    """``measure_values()`` rows made the API's, in place: each with its ``url``
    (``detail_url`` and the slug), its components' codes and its programs' codes."""
    for row in rows:
        del row["id"]
        row["url"] = detail_url + row["slug"] + "/"
        row["components"] = orjson.loads(row.pop(COMPONENTS_JSON))
        row["programs"] = orjson.loads(row.pop(PROGRAMS_JSON))
        row["updated_at"] = row.pop(UPDATED_AT_TEXT)
    return rows


def measure_row_get(code_or_slug, *, detail_url):
    """One measure's row, found by its code (``PQI 01``) or its slug (``pqi-01``), with the
    codes of the composites that include it; None if there is none."""
    rows = list(measure_values().filter(Q(code=code_or_slug) | Q(slug=code_or_slug))[:2])
    if not rows:
        return None
    row = next((r for r in rows if r["code"] == code_or_slug), rows[0])
    measure_id = row["id"]
    (row,) = measure_rows([row], detail_url=detail_url)
    row["composites"] = list(
        Measure.components.through.objects.filter(to_measure_id=measure_id)
        .order_by("from_measure__code")
        .values_list("from_measure__code", flat=True)
    )
    row["facts"] = list(
        MeasureFact.objects.filter(measure_id=measure_id).order_by("name")
        .values("name", "value", "source_url", "publisher", "version", "note")
    )
    row["program_memberships"] = [
        {"program": program, "name": name, "year": year, "identifier": identifier,
         "source_url": source_url}
        for program, name, year, identifier, source_url in
        ProgramMembership.objects.filter(measure_id=measure_id)
        .order_by("program__code", F("year").desc(nulls_last=True))
        .values_list("program__code", "program__name", "year", "identifier", "source_url")
    ]
    return row
