"""FHIR search over the catalog: the parameters ``/fhir/r4/Measure`` understands, what each
matches, and the one query plan of a search page.

The CapabilityStatement is built from ``SEARCH_PARAMETERS`` and ``RESULT_PARAMETERS``, so what
it says is what this module does. As in FHIR, a comma between values means "or" (``\\,`` is a
literal comma) and a parameter given twice means "and"; an empty value is ignored.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Prefetch, Q

from ..models import Measure
from ..selectors import measure_list
from .errors import FhirError
from .mapping import (
    ENDORSEMENT_SYSTEM,
    FHIR_ID,
    MEASURE_CODE_SYSTEM,
    MEASURE_SET_SYSTEM,
    MEASURE_TYPE_SYSTEM,
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
        )
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
    )
}

RESULT_PARAMETERS = {
    "_count": (
        f"Entries per page: 0 to {MAX_COUNT}, {DEFAULT_COUNT} when absent (0 gives the total "
        "alone)."
    ),
    "_offset": (
        "How many matches to skip (0 when absent); the Bundle's next and previous links carry "
        "it. Matches are in the order of measure set code, then measure code."
    ),
}


# --- a search ---------------------------------------------------------------------------------


@dataclass
class SearchPage:
    measures: list
    total: int
    count: int
    offset: int
    parameters: list  # (name, value) pairs of the accepted search, for the Bundle's links

    def link(self, url, offset):
        query = [*self.parameters, ("_count", self.count), ("_offset", offset)]
        return f"{url}?{urlencode(query)}"

    def links(self, url):
        links = [("self", self.link(url, self.offset))]
        if self.offset + self.count < self.total and self.count:
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


def measure_search(query, *, base, lenient=False):
    """One page of the measures matching a FHIR search.

    ``query`` is the request's QueryDict. An unknown parameter or modifier, or a bad value,
    raises ``FhirError`` (400) naming it; with ``lenient`` (the client sent
    ``Prefer: handling=lenient``) unknown parameters are ignored instead.
    Queries: the count, the page and its components (and the codes, for a name search).
    """
    context = _Context(base=base)
    queryset = measure_fhir_queryset()
    accepted = []
    for key, values in query.lists():
        name, _, modifier = key.partition(":")
        if name in FORMAT_PARAMETERS or name in RESULT_PARAMETERS:
            if modifier:
                raise FhirError(400, "not-supported", f"Parameter '{key}' takes no modifier.")
            continue
        parameter = SEARCH_PARAMETERS.get(name)
        if parameter is None:
            if lenient:
                continue
            raise FhirError(
                400, "not-supported",
                f"Parameter '{key}' is not supported; see the CapabilityStatement at "
                f"{base}/metadata.",
            )
        if modifier and modifier not in parameter.modifiers:
            raise FhirError(
                400, "not-supported",
                f"Parameter '{name}' does not support the modifier ':{modifier}'.",
            )
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
    queryset = queryset.order_by("measure_set__code", "code", "pk")
    total = queryset.count()
    measures = list(queryset[offset:offset + count]) if count and offset < total else []
    return SearchPage(
        measures=measures, total=total, count=count, offset=offset, parameters=accepted
    )
