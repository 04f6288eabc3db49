"""Reads the API adds to ``measures.selectors``: the measure list as plain rows, and the
adoption list as of a day scoped to the user. Each list costs a fixed number of queries."""

from collections import defaultdict

from django.db import connection
from django.db.models import CharField, F, Func, Q

from measures import selectors
from measures.models import Measure, MeasureFact, ProgramMembership, QualityProgram

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


_relations_memo = {"version": None, "value": None}


def _read_relations():
    """{measure id: ([component codes], [program codes]), each in code order}: one query.

    Plain SQL: a UNION of the two link tables, whose names come from the models.
    """
    quote = connection.ops.quote_name
    links = Measure.components.through._meta
    measures = quote(Measure._meta.db_table)
    memberships = ProgramMembership._meta
    programs = quote(QualityProgram._meta.db_table)
    sql = (
        f"SELECT link.{quote(links.get_field('from_measure').column)}, 0, component.code "  # noqa: S608
        f"FROM {quote(links.db_table)} link JOIN {measures} component "
        f"ON component.id = link.{quote(links.get_field('to_measure').column)} "
        f"UNION ALL SELECT member.{quote(memberships.get_field('measure').column)}, 1, "
        f"program.code FROM {quote(memberships.db_table)} member JOIN {programs} program "
        f"ON program.id = member.{quote(memberships.get_field('program').column)} "
        "ORDER BY 3"
    )
    relations = defaultdict(lambda: ([], []))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for measure_id, kind, code in cursor.fetchall():
            codes = relations[measure_id][kind]
            if not codes or codes[-1] != code:  # a program may list a measure each year
                codes.append(code)
    return dict(relations)


def measure_relations(version):
    """Each measure's components' and programs' codes, for the catalog at ``version``
    (``selectors.catalog_version()``, read before this): read in one query once per version
    and process, so that a page of measures costs its own rows only. The version moves
    with every change to the catalog, so what is kept is never stale; before the first
    change ("0") nothing is kept."""
    if version != "0" and _relations_memo["version"] == version:
        return _relations_memo["value"]
    value = _read_relations()
    _relations_memo.update(version=version, value=value)
    return value


_NONE = ((), ())


def measure_rows(rows, *, detail_url, version):
    """``measure_values()`` rows made the API's, in place: each with its ``url``
    (``detail_url`` and the slug), its components' codes and its programs' codes (see
    ``measure_relations``)."""
    relations = measure_relations(version).get
    for row in rows:
        components, programs = relations(row.pop("id"), _NONE)
        row["url"] = detail_url + row["slug"] + "/"
        row["components"] = list(components)
        row["programs"] = list(programs)
        row["updated_at"] = row.pop(UPDATED_AT_TEXT)
    return rows


def measure_row_get(code_or_slug, *, detail_url, version):
    """One measure's row, found by its code (``PQI 01``) or its slug (``pqi-01``), with the
    codes of the composites that include it; None if there is none."""
    rows = list(measure_values().filter(Q(code=code_or_slug) | Q(slug=code_or_slug))[:2])
    if not rows:
        return None
    row = next((r for r in rows if r["code"] == code_or_slug), rows[0])
    measure_id = row["id"]
    (row,) = measure_rows([row], detail_url=detail_url, version=version)
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
