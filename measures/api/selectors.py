"""Reads the API adds to ``measures.selectors``: the measure list as plain rows, and the
adoption list as of a day scoped to the user. Each list costs a fixed number of queries."""

from collections import defaultdict

from django.db import connection
from django.db.models import CharField, F, Func, Q

from measures import selectors
from measures.models import Measure, MeasureFact, ProgramMembership

# The columns of a measure row, in the API's order; ``set`` is the set's code.
MEASURE_VALUE_FIELDS = (
    "code", "slug", "title", "description", "steward", "type", "level", "domain", "setting",
    "data_source", "numerator", "denominator", "improvement_notation", "endorsement_number",
    "status", "version", "source_url", "software_url", "updated_at",
)
# ``updated_at`` is read as text under this name (see IsoTimestamp), renamed in measure_rows.
UPDATED_AT_TEXT = "updated_at_text"


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


def _measure_values():
    return selectors.measure_list().values(
        "id", *MEASURE_VALUE_FIELDS[:-1], set=F("measure_set__code"),
        **{UPDATED_AT_TEXT: IsoTimestamp("updated_at")},
    )


# Setting up a values() query of twenty columns costs more than a clone of it; the query is
# built once and each request works on its own copy (a QuerySet is never run in place).
_MEASURE_VALUES = _measure_values()


def measure_values():
    """Measures as dicts, the set's code joined in: no model instance is built per row."""
    return _MEASURE_VALUES.all()


MAX_IDS_IN_QUERY = 500


def _component_codes(measure_ids):
    """{composite id: [component codes, in code order]} for the given measures: one query.

    Plain SQL: the ORM's ``__in`` prepares each of up to 500 ids one by one, which costs
    ten times the query itself. Table and column names come from the models; the ids are
    parameters.
    """
    components = defaultdict(list)
    if not measure_ids:
        return components
    through = Measure.components.through._meta
    quote = connection.ops.quote_name
    links, measures = quote(through.db_table), quote(Measure._meta.db_table)
    from_column = quote(through.get_field("from_measure").column)
    to_column = quote(through.get_field("to_measure").column)
    sql = (
        f"SELECT link.{from_column}, component.code FROM {links} link "  # noqa: S608
        f"JOIN {measures} component ON component.id = link.{to_column}"
    )
    params = []
    if len(measure_ids) <= MAX_IDS_IN_QUERY:
        # Past that (a whole catalog in CSV), every link is read: fewer than the rows.
        sql += f" WHERE link.{from_column} IN ({', '.join(['%s'] * len(measure_ids))})"
        params = measure_ids
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY component.code", params)
        for measure_id, code in cursor.fetchall():
            components[measure_id].append(code)
    return components


def _program_codes(measure_ids):
    """{measure id: [program codes, sorted]}: one query (none for no measures). The
    memberships are few (a few hundred), so all are read rather than filtered by id."""
    programs = defaultdict(list)
    if not measure_ids:
        return programs
    memberships = (
        ProgramMembership.objects.order_by("program__code")
        .values_list("measure_id", "program__code").distinct()
    )
    for measure_id, code in memberships:
        if code not in programs[measure_id]:
            programs[measure_id].append(code)
    return programs


def measure_rows(rows, *, detail_url):
    """``measure_values()`` rows made the API's, in place: each with its ``url``
    (``detail_url`` and the slug), its components' codes and its programs' codes, each
    gathered in one query."""
    ids = [row["id"] for row in rows]
    components = _component_codes(ids).get
    programs = _program_codes(ids).get
    for row in rows:
        measure_id = row.pop("id")
        row["url"] = detail_url + row["slug"] + "/"
        row["components"] = components(measure_id, ())
        row["programs"] = programs(measure_id, [])
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
