"""FHIR search over the catalog: the parameters ``/fhir/r4/Measure`` understands, what each
matches, and the one query plan of a search page.

The CapabilityStatement is built from ``SEARCH_PARAMETERS`` and ``RESULT_PARAMETERS``, so what
it says is what this module does. As in FHIR, a comma between values means "or" (``\\,`` is a
literal comma) and a parameter given twice means "and"; an empty value is ignored.

Handling is lenient by default, as the R4 search page asks of servers: a parameter (or a
modifier) this server does not support is ignored, left out of the Bundle's links and named in
an OperationOutcome entry (search mode ``outcome``). A client that sends
``Prefer: handling=strict`` gets a 400 instead. A bad value of a supported parameter is a 400
either way.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Prefetch, Q

from ..models import Measure, MeasureFact, ProgramMembership
from ..selectors import measure_list
from .errors import FhirError
from .mapping import (
    ENDORSEMENT_SYSTEM,
    FHIR_ID,
    MEASURE_CODE_SYSTEM,
    MEASURE_SET_SYSTEM,
    MEASURE_TYPE_SYSTEM,
    PROGRAM_SYSTEM,
    PUBLICATION_STATUS_SYSTEM,
    PUBLICATION_STATUSES,
    STATUS_TO_FHIR,
    computable_name,
)

DEFAULT_COUNT = 20
MAX_COUNT = 500
NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)

# Parameters about the answer's form rather than its content; the views read them.
FORMAT_PARAMETERS = ("_format", "_pretty")


def measure_fhir_queryset():
    """Measures with everything their FHIR form reads: the set (joined) and, for composites,
    the components (one more query for the whole page)."""
    return measure_list().prefetch_related(
        Prefetch(
            "components",
            queryset=Measure.objects.only("pk", "code", "slug", "title").order_by("code"),
        ),
        Prefetch("facts", queryset=MeasureFact.objects.filter(name="exclusions")),
        Prefetch(
            "program_memberships",
            queryset=ProgramMembership.objects.select_related("program").order_by(
                "program__name", "year"
            ),
        ),
    )


def measure_fhir_get(fhir_id):
    if not FHIR_ID.fullmatch(fhir_id):
        raise FhirError(404, "not-found", f"No Measure has the id '{fhir_id}'.")
    measure = measure_fhir_queryset().filter(slug=fhir_id).first()
    if measure is None:
        raise FhirError(404, "not-found", f"No Measure has the id '{fhir_id}'.")
    return measure


# --- values -----------------------------------------------------------------------------------

_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
_UNESCAPED_BAR = re.compile(r"(?<!\\)\|")


def _unescape(text):
    return re.sub(r"\\([\\,|$])", r"\1", text)


def _alternatives(raw):
    """The values of one occurrence of a parameter: "a,b" is a or b."""
    return [_unescape(part) for part in _UNESCAPED_COMMA.split(raw) if part]


def _token(value):
    """(system, code) of a token value: "code" -> (None, code), "|code" -> ("", code),
    "system|code" -> (system, code), "system|" -> (system, "")."""
    parts = _UNESCAPED_BAR.split(value, maxsplit=1)
    if len(parts) == 1:
        return None, _unescape(parts[0])
    return _unescape(parts[0]), _unescape(parts[1])


@dataclass
class _Context:
    base: str
    names: dict = field(default=None)

    def measure_names(self):
        # The computable name is derived from the code in Python (mapping.computable_name), so
        # the name search reads the codes once, whatever the page size.
        if self.names is None:
            self.names = {
                pk: (computable_name(code) or "")
                for pk, code in Measure.objects.values_list("pk", "code")
            }
        return self.names


# --- the parameters ---------------------------------------------------------------------------


def _url(value, modifier, context):
    prefix = f"{context.base}/Measure/"
    slug = value.removeprefix(prefix)
    if value.startswith(prefix) and FHIR_ID.fullmatch(slug):
        return Q(slug=slug)
    return NOTHING


def _version(value, modifier, context):
    return Q(version=value)


def _identifier(value, modifier, context):
    system, code = _token(value)
    if system is None:
        return Q(code=code) | Q(endorsement_number=code)
    if system == MEASURE_CODE_SYSTEM:
        return Q(code=code) if code else EVERYTHING
    if system == ENDORSEMENT_SYSTEM:
        return Q(endorsement_number=code) if code else ~Q(endorsement_number="")
    return NOTHING


_STATUS_FROM_FHIR = {}
for _ours, _theirs in STATUS_TO_FHIR.items():
    _STATUS_FROM_FHIR.setdefault(_theirs, []).append(_ours)


def _status(value, modifier, context):
    system, code = _token(value)
    if code not in PUBLICATION_STATUSES:
        raise FhirError(
            400, "invalid",
            f"Parameter 'status': '{value}' is not a publication status; use one of "
            f"{', '.join(PUBLICATION_STATUSES)}.",
        )
    if system not in (None, PUBLICATION_STATUS_SYSTEM):
        return NOTHING
    statuses = _STATUS_FROM_FHIR.get(code)
    return Q(status__in=statuses) if statuses else NOTHING


def _topic(value, modifier, context):
    if modifier == "text":
        types = [choice for choice, label in Measure.Type.choices if value.lower() in label.lower()]
        return (
            Q(domain__icontains=value)
            | Q(measure_set__name__icontains=value)
            | Q(type__in=types)
        )
    system, code = _token(value)
    if system is None:
        return Q(measure_set__code__iexact=code) | Q(domain__iexact=code) | Q(type=code)
    if system == MEASURE_SET_SYSTEM:
        return Q(measure_set__code__iexact=code) if code else EVERYTHING
    if system == MEASURE_TYPE_SYSTEM:
        return Q(type=code) if code else ~Q(type="")
    return NOTHING


def _context(value, modifier, context):
    system, code = _token(value)
    if system not in (None, PROGRAM_SYSTEM):
        return NOTHING
    members = ProgramMembership.objects.filter(program__code__iexact=code) if code else (
        ProgramMembership.objects.all()
    )
    return Q(pk__in=members.values("measure_id"))


def _name(value, modifier, context):
    wanted = value.casefold()
    tests = {
        "exact": lambda name: name == value,
        "contains": lambda name: wanted in name.casefold(),
    }
    matches = tests.get(modifier, lambda name: name.casefold().startswith(wanted))
    return Q(pk__in=[pk for pk, name in context.measure_names().items() if matches(name)])


def _string_field(field_name):
    def build(value, modifier, context):
        if modifier == "exact":
            return Q(**{field_name: value})
        return Q(**{f"{field_name}__icontains": value})
    return build


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: str
    documentation: str
    build: object
    modifiers: tuple = ()

    @property
    def definition(self):
        return f"http://hl7.org/fhir/SearchParameter/Measure-{self.name}"


SEARCH_PARAMETERS = {
    parameter.name: parameter
    for parameter in (
        SearchParameter(
            "url", "uri",
            "Exact canonical URL, {base}/Measure/{id} as this server gives it in Measure.url.",
            _url,
        ),
        SearchParameter("version", "token", "Exact business version, e.g. v2024.", _version),
        SearchParameter(
            "identifier", "token",
            f"A measure code or endorsement number: value (either), {MEASURE_CODE_SYSTEM}|PQI 01 "
            f"(the catalog code) or {ENDORSEMENT_SYSTEM}|0272 (the endorsement number); "
            "exact and case-sensitive.",
            _identifier,
        ),
        SearchParameter(
            "name", "string",
            "Computable name (the code with other characters as underscores, e.g. PQI_01): "
            "starts with the value, ignoring case; :exact is exact, :contains contains.",
            _name, ("exact", "contains"),
        ),
        SearchParameter(
            "title", "string",
            "Title contains the value, ignoring case; :exact is exact, :contains the default.",
            _string_field("title"), ("exact", "contains"),
        ),
        SearchParameter(
            "description", "string",
            "Description contains the value, ignoring case; :exact is exact.",
            _string_field("description"), ("exact", "contains"),
        ),
        SearchParameter(
            "status", "token",
            "Publication status: active (current measures), retired, draft or unknown (the "
            "catalog has none of the last two).",
            _status,
        ),
        SearchParameter(
            "topic", "token",
            "A value matches the measure set code (PQI, CAHPS..., ignoring case), the domain "
            f"text exactly (ignoring case) or our measure type (patient_experience...); "
            f"{MEASURE_SET_SYSTEM}|PQI or {MEASURE_TYPE_SYSTEM}|composite name one system. "
            ":text matches topic texts (domain, set name, type label) that contain the value.",
            _topic, ("text",),
        ),
        SearchParameter(
            "context", "token",
            "A federal or national program that uses the measure (Measure.useContext of type "
            f"program): its code, e.g. MEDICAID-ADULT-CORE, MEDICAID-CHILD-CORE or "
            f"CMS-UNIVERSAL-FOUNDATION (ignoring case), or {PROGRAM_SYSTEM}|MEDICAID-ADULT-CORE.",
            _context,
        ),
    )
}

# name: (type, documentation)
RESULT_PARAMETERS = {
    "_count": ("number", (
        f"Entries per page: 0 to {MAX_COUNT}, {DEFAULT_COUNT} when absent (0 gives the total "
        "alone)."
    )),
    "_offset": ("number", (
        "How many matches to skip (0 when absent); the Bundle's next and previous links carry "
        "it. Matches are in the order of measure set code, then measure code, unless _sort "
        "says otherwise."
    )),
    "_total": ("token", (
        "none (the Bundle has no total), estimate or accurate (both give the exact count, "
        "which is also the default)."
    )),
    "_summary": ("token", (
        "count (the total alone, no entries), true (each Measure with its summary elements "
        "only, tagged SUBSETTED) or false (whole resources, the default)."
    )),
    "_sort": ("string", (
        "Comma-separated sort keys among title, name (the measure code, from which the "
        "name is made), date (Measure.date, when the record last changed) and status; a "
        "leading - sorts that key descending."
    )),
    "_elements": ("string", (
        "Comma-separated top-level Measure elements to return (id, meta and status always "
        "come too); the resources are tagged SUBSETTED. Unknown element names are ignored."
    )),
}

SUMMARY_VALUES = ("count", "true", "false")
TOTAL_VALUES = ("none", "estimate", "accurate")
SORT_KEYS = {"title": "title", "name": "code", "date": "updated_at", "status": "status"}
DEFAULT_ORDER = ("measure_set__code", "code", "pk")


# --- a search ---------------------------------------------------------------------------------


@dataclass
class SearchPage:
    measures: list
    total: int
    count: int
    offset: int
    parameters: list  # (name, value) pairs of the accepted search, for the Bundle's links
    ignored: list = field(default_factory=list)  # the parameters left out, by name
    total_mode: str = "accurate"
    summary: str = "false"
    elements: list = None  # the _elements asked for, or None
    has_next: bool = False

    def link(self, url, offset):
        query = [*self.parameters, ("_count", self.count), ("_offset", offset)]
        return f"{url}?{urlencode(query)}"

    def links(self, url):
        links = [("self", self.link(url, self.offset))]
        if self.has_next and self.count:
            links.append(("next", self.link(url, self.offset + self.count)))
        if self.offset and self.count:
            links.append(("previous", self.link(url, max(self.offset - self.count, 0))))
        return links


def _whole_number(name, values, *, default, maximum=None):
    if not values:
        return default
    if len(values) > 1:
        raise FhirError(400, "invalid", f"Parameter '{name}' may be given once.")
    value = values[0]
    if not re.fullmatch(r"[0-9]{1,9}", value) or (maximum is not None and int(value) > maximum):
        limit = f"0 to {maximum}" if maximum is not None else "0 or more"
        raise FhirError(
            400, "invalid", f"Parameter '{name}' must be a whole number from {limit}, "
            f"not '{value}'."
        )
    return int(value)


def _one_of(name, values, allowed, *, default):
    if not values:
        return default
    if len(values) > 1:
        raise FhirError(400, "invalid", f"Parameter '{name}' may be given once.")
    if values[0] not in allowed:
        raise FhirError(
            400, "not-supported" if values[0] else "invalid",
            f"Parameter '{name}': '{values[0]}' is not supported; use one of "
            f"{', '.join(allowed)}.",
        )
    return values[0]


def _order(values):
    """The ORDER BY of a _sort value (several _sort parameters read as one list)."""
    order = []
    for raw in values:
        for key in filter(None, (part.strip() for part in raw.split(","))):
            descending = key.startswith("-")
            field_name = SORT_KEYS.get(key.removeprefix("-"))
            if field_name is None:
                raise FhirError(
                    400, "not-supported",
                    f"Parameter '_sort': '{key}' is not a sort key here; use "
                    f"{', '.join(SORT_KEYS)}, each with - to sort descending.",
                )
            order.append(f"-{field_name}" if descending else field_name)
    return [*order, *DEFAULT_ORDER] if order else list(DEFAULT_ORDER)


def _elements(values):
    if not values:
        return None
    return [
        name for raw in values for name in (part.strip() for part in raw.split(",")) if name
    ]


def parse_result_parameters(query):
    """The form of an answer that a read also honours: _summary ("false" when absent) and
    _elements (None when absent)."""
    return (
        _one_of("_summary", query.getlist("_summary"), SUMMARY_VALUES, default="false"),
        _elements(query.getlist("_elements")),
    )


def _unsupported(key, message, *, strict, ignored):
    if strict:
        raise FhirError(400, "not-supported", message)
    ignored.append(key)


def measure_search(query, *, base, strict=False):
    """One page of the measures matching a FHIR search.

    ``query`` is the request's QueryDict. An unknown parameter or modifier is ignored (and
    listed in ``SearchPage.ignored``) unless ``strict`` (the client sent
    ``Prefer: handling=strict``), which answers 400 naming it. A bad value raises
    ``FhirError`` (400) either way.
    Queries: the count (none with _total=none), the page and its components, exclusions and
    programs (none of these with _summary=count), and the codes for a name search.
    """
    context = _Context(base=base)
    queryset = measure_fhir_queryset()
    accepted = []
    ignored = []
    for key, values in query.lists():
        name, _, modifier = key.partition(":")
        if name in FORMAT_PARAMETERS or name in RESULT_PARAMETERS:
            if modifier:
                _unsupported(key, f"Parameter '{key}' takes no modifier.", strict=strict,
                             ignored=ignored)
            continue
        parameter = SEARCH_PARAMETERS.get(name)
        if parameter is None:
            _unsupported(
                key,
                f"Parameter '{key}' is not supported; see the CapabilityStatement at "
                f"{base}/metadata.",
                strict=strict, ignored=ignored,
            )
            continue
        if modifier and modifier not in parameter.modifiers:
            _unsupported(
                key, f"Parameter '{name}' does not support the modifier ':{modifier}'.",
                strict=strict, ignored=ignored,
            )
            continue
        for raw in values:
            alternatives = _alternatives(raw)
            if not alternatives:
                continue
            conditions = [parameter.build(value, modifier, context) for value in alternatives]
            queryset = queryset.filter(reduce(or_, conditions))
            accepted.append((key, raw))
    count = _whole_number(
        "_count", query.getlist("_count"), default=DEFAULT_COUNT, maximum=MAX_COUNT
    )
    offset = _whole_number("_offset", query.getlist("_offset"), default=0)
    total_mode = _one_of("_total", query.getlist("_total"), TOTAL_VALUES, default="accurate")
    summary, elements = parse_result_parameters(query)
    sort = query.getlist("_sort")
    queryset = queryset.order_by(*_order(sort))
    for name in ("_total", "_summary", "_sort", "_elements"):
        accepted += [(name, value) for value in query.getlist(name)]
    page = SearchPage(
        measures=[], total=None, count=count, offset=offset, parameters=accepted,
        ignored=ignored, total_mode=total_mode, summary=summary, elements=elements,
    )
    if summary == "count":
        page.total = queryset.count()
        return page
    if total_mode == "none":
        # No count: one row past the page says whether there is a next one.
        rows = list(queryset[offset:offset + count + 1]) if count else []
        page.measures, page.has_next = rows[:count], len(rows) > count
        return page
    page.total = queryset.count()
    page.measures = list(queryset[offset:offset + count]) if count and offset < page.total else []
    page.has_next = offset + count < page.total
    return page
