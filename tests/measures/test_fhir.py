"""The FHIR R4 face of the measure catalog (/fhir/r4/).

Every answer is parsed with fhir.resources (its R4B models read R4 Measure content) before
anything else is asserted, whatever its status: Bundle, Measure, CapabilityStatement and
OperationOutcome alike.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.measure import Measure as FhirMeasure
from fhir.resources.R4B.operationoutcome import OperationOutcome

from measures.fhir.mapping import (
    ENDORSEMENT_SYSTEM,
    FHIR_ID,
    FHIR_NAME,
    MEASURE_CODE_SYSTEM,
    MEASURE_SET_SYSTEM,
    MEASURE_TYPE_SYSTEM,
    PROGRAM_SYSTEM,
    computable_name,
)
from measures.fhir.search import RESULT_PARAMETERS, SEARCH_PARAMETERS
from measures.models import Measure, MeasureFact, ProgramMembership, QualityProgram
from measures.services import catalog_load
from tests import factories

BASE = "http://testserver/fhir/r4"
SEARCH = "/fhir/r4/Measure"
CATALOG_FILE = Path(__file__).resolve().parents[2] / "measures" / "data" / "catalog.jsonl"

FHIR_MODELS = {
    "Bundle": Bundle,
    "Measure": FhirMeasure,
    "CapabilityStatement": CapabilityStatement,
    "OperationOutcome": OperationOutcome,
}
PUBLICATION_STATUSES = {"draft", "active", "retired", "unknown"}
MEASURE_TYPE_CODES = {"structure", "process", "outcome", "patient-reported-outcome", "composite"}


def _assert_nothing_empty(value, path="$"):
    """FHIR has no empty strings, lists or objects; an omitted fact must be absent."""
    assert value not in ("", [], {}, None), f"empty value at {path}"
    if isinstance(value, dict):
        for key, item in value.items():
            _assert_nothing_empty(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _assert_nothing_empty(item, f"{path}[{index}]")


def _check_measure(resource):
    assert FHIR_ID.fullmatch(resource["id"])
    assert FHIR_NAME.fullmatch(resource.get("name", "Subsetted"))
    assert resource["status"] in PUBLICATION_STATUSES
    assert resource.get("url", f"{BASE}/Measure/{resource['id']}") == (
        f"{BASE}/Measure/{resource['id']}"
    )
    for concept in resource.get("type", []):
        for coding in concept["coding"]:
            if coding["system"].endswith("/measure-type"):
                assert coding["code"] in MEASURE_TYPE_CODES
    assert "scoring" not in resource
    assert "compositeScoring" not in resource


def fhir(response, status=200):
    """The answer's JSON, once its status, media type and FHIR validity are checked."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = json.loads(response.content)
    FHIR_MODELS[body["resourceType"]].model_validate(body)
    _assert_nothing_empty(body)
    if body["resourceType"] == "Measure":
        _check_measure(body)
    if body["resourceType"] == "Bundle":
        for entry in body.get("entry", []):
            if entry["search"] == {"mode": "outcome"}:
                assert entry["resource"]["resourceType"] == "OperationOutcome"
                continue
            assert entry["search"] == {"mode": "match"}
            if "url" in entry["resource"]:
                assert entry["fullUrl"] == entry["resource"]["url"]
            _check_measure(entry["resource"])
    return body


def outcome(response, status, parameter, codes=("invalid", "not-supported")):
    body = fhir(response, status)
    assert body["resourceType"] == "OperationOutcome"
    [issue] = body["issue"]
    assert issue["severity"] == "error"
    assert issue["code"] in codes
    assert parameter in issue["diagnostics"]
    return issue


def codes_of(bundle):
    return {
        entry["resource"]["identifier"][0]["value"] for entry in bundle.get("entry", [])
        if entry["search"]["mode"] == "match"
    }


def link(bundle, relation):
    return next((item["url"] for item in bundle["link"] if item["relation"] == relation), None)


def search(client, **params):
    return fhir(client.get(SEARCH, params))


@pytest.fixture
def catalog(db):
    ahrq = "Agency for Healthcare Research and Quality (AHRQ)"
    pqi = factories.MeasureSetFactory(code="PQI", name="AHRQ Prevention Quality Indicators")
    cahps = factories.MeasureSetFactory(code="CAHPS", name="CAHPS Surveys", steward=ahrq)
    hedis = factories.MeasureSetFactory(code="HEDIS", name="HEDIS", steward="NCQA")
    domain = "Prevention: ambulatory care sensitive conditions"
    pqi01 = factories.MeasureFactory(
        measure_set=pqi, code="PQI 01", title="Diabetes Short-Term Complications Admission Rate",
        description="Admissions for diabetes short-term complications per 100,000 population.",
        steward=ahrq, type=Measure.Type.OUTCOME, domain=domain, setting="Inpatient",
        numerator="Discharges, for patients ages 18 years and older, with a principal "
                  "diagnosis of diabetes short-term complications.",
        denominator="Population ages 18 years and older.",
        improvement_notation=Measure.ImprovementNotation.LOWER, endorsement_number="0272",
        version="v2024", source_url="https://www.example.org/pqi-01",
    )
    pqi03 = factories.MeasureFactory(
        measure_set=pqi, code="PQI 03", title="Diabetes Long-Term Complications Admission Rate",
        description="Admissions for diabetes long-term complications per 100,000 population.",
        steward=ahrq, type=Measure.Type.OUTCOME, domain=domain,
        status=Measure.Status.RETIRED, version="v2023",
    )
    pqi90 = factories.MeasureFactory(
        measure_set=pqi, code="PQI 90", title="Prevention Quality Overall Composite",
        steward=ahrq, type=Measure.Type.COMPOSITE, domain=domain, version="v2024",
        source_url="https://www.example.org/pqi-90",
    )
    pqi90.components.set([pqi03, pqi01])
    MeasureFact.objects.create(
        measure=pqi01, name="exclusions", value="Transfers from other institutions.",
        source_url="https://p4qm.org/measures/0272", publisher="PQM", version="v2023",
    )
    adult = QualityProgram.objects.create(
        code="MEDICAID-ADULT-CORE", name="Medicaid Adult Core Set", publisher="CMS",
        source_url="https://www.medicaid.gov/core",
    )
    for year in (2024, 2025):
        ProgramMembership.objects.create(
            program=adult, measure=pqi01, year=year, identifier="PQI01-AD",
            source_url="https://example.org/list",
        )
    hcahps = factories.MeasureFactory(
        measure_set=cahps, code="HCAHPS", title="CAHPS Hospital Survey",
        description="Patients' perspectives on hospital care.",
        type=Measure.Type.PATIENT_EXPERIENCE, level=Measure.Level.HOSPITAL,
        domain="Patient experience", setting="Inpatient (adult)", improvement_notation="",
        source_url="https://www.example.org/hcahps",
    )
    bare = factories.MeasureFactory(
        measure_set=hedis, code="AAB", title="Avoidance of Antibiotic Treatment", type="",
        level="", improvement_notation="", source_url="",
    )
    return {"pqi01": pqi01, "pqi03": pqi03, "pqi90": pqi90, "hcahps": hcahps, "bare": bare}


def _read(client, measure):
    return fhir(client.get(f"{SEARCH}/{measure.slug}"))


# --- search -----------------------------------------------------------------------------------


def test_search_answers_a_searchset_bundle_of_every_measure(client, catalog):
    bundle = search(client)

    assert bundle["type"] == "searchset"
    assert bundle["total"] == 5
    assert codes_of(bundle) == {"PQI 01", "PQI 03", "PQI 90", "HCAHPS", "AAB"}
    assert link(bundle, "self") == f"{BASE}/Measure?_count=20&_offset=0"
    assert link(bundle, "next") is None
    # In the order of the measure set code, then the measure code.
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [
        "hcahps", "aab", "pqi-01", "pqi-03", "pqi-90",
    ]


def test_paging_through_next_links_yields_each_measure_once(client, db):
    factories.MeasureFactory.create_batch(23)
    url, seen, pages = f"{SEARCH}?_count=5", [], 0

    while url:
        bundle = fhir(client.get(url))
        pages += 1
        assert bundle["total"] == 23
        seen += [entry["resource"]["id"] for entry in bundle["entry"]]
        url = link(bundle, "next")

    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == set(Measure.objects.values_list("slug", flat=True))


def test_pages_hold_twenty_by_default_and_link_back(client, db):
    factories.MeasureFactory.create_batch(45)

    first = search(client)
    second = fhir(client.get(link(first, "next")))

    assert len(first["entry"]) == 20
    assert link(first, "previous") is None
    assert link(second, "self") == f"{BASE}/Measure?_count=20&_offset=20"
    assert link(second, "previous") == f"{BASE}/Measure?_count=20&_offset=0"
    assert link(second, "next") == f"{BASE}/Measure?_count=20&_offset=40"


def test_next_links_keep_the_search_parameters(client, db):
    factories.MeasureFactory.create_batch(4, title="Asthma Admission Rate")
    factories.MeasureFactory.create_batch(3, title="Something else")

    first = search(client, title="asthma", _count=3)
    second = fhir(client.get(link(first, "next")))

    assert first["total"] == second["total"] == 4
    assert len(first["entry"]) == 3
    assert len(second["entry"]) == 1
    assert "title=asthma" in link(first, "next")


def test_count_zero_answers_the_total_alone(client, catalog):
    bundle = search(client, _count=0)

    assert bundle["total"] == 5
    assert "entry" not in bundle
    assert link(bundle, "next") is None


def test_an_offset_past_the_end_answers_an_empty_page(client, catalog):
    bundle = search(client, _offset=50)

    assert bundle["total"] == 5
    assert "entry" not in bundle


@pytest.mark.parametrize(("params", "expected"), [
    ({"url": f"{BASE}/Measure/pqi-01"}, {"PQI 01"}),
    ({"url": "http://elsewhere.example/fhir/r4/Measure/pqi-01"}, set()),
    ({"url": f"{BASE}/Measure/pqi"}, set()),
    ({"version": "v2024"}, {"PQI 01", "PQI 90"}),
    ({"version": "v202"}, set()),
    ({"identifier": "PQI 01"}, {"PQI 01"}),
    ({"identifier": f"{MEASURE_CODE_SYSTEM}|HCAHPS"}, {"HCAHPS"}),
    ({"identifier": "0272"}, {"PQI 01"}),
    ({"identifier": f"{ENDORSEMENT_SYSTEM}|0272"}, {"PQI 01"}),
    ({"identifier": f"{ENDORSEMENT_SYSTEM}|"}, {"PQI 01"}),
    ({"identifier": f"{ENDORSEMENT_SYSTEM}|PQI 01"}, set()),
    ({"identifier": "urn:other|PQI 01"}, set()),
    ({"identifier": "pqi 01"}, set()),
    ({"identifier": "PQI 01,AAB"}, {"PQI 01", "AAB"}),
    ({"name": "pqi_0"}, {"PQI 01", "PQI 03"}),
    ({"name": "HCAHPS"}, {"HCAHPS"}),
    ({"name": "01"}, set()),
    ({"name:exact": "PQI_01"}, {"PQI 01"}),
    ({"name:exact": "pqi_01"}, set()),
    ({"name:contains": "qi_9"}, {"PQI 90"}),
    ({"title": "COMPLICATIONS admission"}, {"PQI 01", "PQI 03"}),
    ({"title": "survey"}, {"HCAHPS"}),
    ({"title:exact": "CAHPS Hospital Survey"}, {"HCAHPS"}),
    ({"title:exact": "CAHPS Hospital"}, set()),
    ({"title": ["diabetes", "long-term"]}, {"PQI 03"}),
    ({"description": "per 100,000"}, {"PQI 01", "PQI 03"}),
    ({"description": "HOSPITAL care"}, {"HCAHPS"}),
    ({"status": "active"}, {"PQI 01", "PQI 90", "HCAHPS", "AAB"}),
    ({"status": "retired"}, {"PQI 03"}),
    ({"status": "http://hl7.org/fhir/publication-status|retired"}, {"PQI 03"}),
    ({"status": "draft"}, set()),
    ({"status": "unknown"}, set()),
    ({"status": "active,retired"}, {"PQI 01", "PQI 03", "PQI 90", "HCAHPS", "AAB"}),
    ({"topic": "PQI"}, {"PQI 01", "PQI 03", "PQI 90"}),
    ({"topic": "cahps"}, {"HCAHPS"}),
    ({"topic": "Patient experience"}, {"HCAHPS"}),
    ({"topic": "prevention: ambulatory care sensitive conditions"}, {"PQI 01", "PQI 03", "PQI 90"}),
    ({"topic": "Prevention"}, set()),
    ({"topic": "patient_experience"}, {"HCAHPS"}),
    ({"topic": f"{MEASURE_SET_SYSTEM}|HEDIS"}, {"AAB"}),
    ({"topic": f"{MEASURE_TYPE_SYSTEM}|composite"}, {"PQI 90"}),
    ({"topic": f"{MEASURE_TYPE_SYSTEM}|PQI"}, set()),
    ({"topic:text": "ambulatory"}, {"PQI 01", "PQI 03", "PQI 90"}),
    ({"topic:text": "hedis"}, {"AAB"}),
    ({"title": "admission", "status": "active"}, {"PQI 01"}),
    ({"title": ""}, {"PQI 01", "PQI 03", "PQI 90", "HCAHPS", "AAB"}),
])
def test_each_search_parameter_filters(client, catalog, params, expected):
    bundle = search(client, **params)

    assert codes_of(bundle) == expected
    assert bundle["total"] == len(expected)


def test_a_search_by_each_measures_canonical_url_finds_it(client, catalog):
    for measure in catalog.values():
        resource = _read(client, measure)
        assert codes_of(search(client, url=resource["url"])) == {measure.code}
        assert codes_of(search(client, name=resource["name"])) >= {measure.code}


def test_the_search_is_public_and_the_same_for_everyone(client, staff_client, catalog):
    anonymous = search(client)

    assert codes_of(search(staff_client)) == codes_of(anonymous)


def test_the_search_uses_the_same_queries_whatever_the_page_size(
    client, db, django_assert_num_queries
):
    def make(count):
        components = factories.MeasureFactory.create_batch(2)
        for _ in range(count):
            composite = factories.MeasureFactory(type=Measure.Type.COMPOSITE)
            composite.components.set(components)

    make(4)
    # The count, the page (with its set) and the components, key exclusions and programs of
    # the whole page.
    with django_assert_num_queries(5):
        small = search(client, _count=5)
    make(60)
    with django_assert_num_queries(5):
        large = search(client, _count=500)
    # A name search reads the codes once more.
    with django_assert_num_queries(6):
        search(client, _count=500, name="TST")
    # _total=none saves the count; _summary=count needs nothing but the count.
    with django_assert_num_queries(4):
        search(client, _count=500, _total="none")
    with django_assert_num_queries(1):
        search(client, _summary="count")

    assert len(small["entry"]) == 5
    assert len(large["entry"]) == 4 + 2 + 60 + 2


def test_a_read_uses_four_queries(client, catalog, django_assert_num_queries):
    with django_assert_num_queries(4):
        _read(client, catalog["pqi90"])


# --- read -------------------------------------------------------------------------------------


def test_read_answers_the_measure_by_its_slug(client, catalog):
    response = client.get(f"{SEARCH}/pqi-01")
    measure = fhir(response)

    assert measure["resourceType"] == "Measure"
    assert measure["id"] == "pqi-01"
    assert response["Last-Modified"]


def test_read_of_the_search_entry_matches_the_read(client, catalog):
    [entry] = search(client, identifier="PQI 90")["entry"]

    assert entry["resource"] == _read(client, catalog["pqi90"])


@pytest.mark.parametrize("fhir_id", ["pqi-99", "PQI-01", "bad%20id", "a" * 65])
def test_an_unknown_id_answers_404_with_an_operation_outcome(client, catalog, fhir_id):
    response = client.get(f"{SEARCH}/{fhir_id}")

    outcome(response, 404, "id", codes=("not-found",))


def test_an_unknown_resource_type_answers_404_with_an_operation_outcome(client, db):
    outcome(client.get("/fhir/r4/Patient"), 404, "Patient", codes=("not-supported",))
    outcome(client.post("/fhir/r4/Library"), 404, "Library", codes=("not-supported",))


# --- metadata ---------------------------------------------------------------------------------


def test_metadata_states_exactly_what_is_supported(client, db):
    statement = fhir(client.get("/fhir/r4/metadata"))

    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["kind"] == "instance"
    assert "application/fhir+json" in statement["format"]
    assert statement["implementation"]["url"] == BASE
    [rest] = statement["rest"]
    assert rest["mode"] == "server"
    [resource] = rest["resource"]
    assert resource["type"] == "Measure"
    assert {item["code"] for item in resource["interaction"]} == {"read", "search-type"}
    params = {item["name"]: item for item in resource["searchParam"]}
    assert set(params) == set(SEARCH_PARAMETERS) | set(RESULT_PARAMETERS)
    assert {name: item["type"] for name, item in params.items()} == {
        "url": "uri", "version": "token", "identifier": "token", "name": "string",
        "title": "string", "description": "string", "status": "token", "topic": "token",
        "context": "token", "_count": "number", "_offset": "number", "_total": "token",
        "_summary": "token", "_sort": "string", "_elements": "string",
    }
    assert params["title"]["definition"] == "http://hl7.org/fhir/SearchParameter/Measure-title"
    assert all(item["documentation"] for item in params.values())


def test_every_parameter_the_statement_names_is_accepted(client, catalog):
    statement = fhir(client.get("/fhir/r4/metadata"))
    values = {"status": "active", "_count": "3", "_offset": "1", "_total": "accurate",
              "_summary": "true", "_sort": "-title", "_elements": "title"}

    for param in statement["rest"][0]["resource"][0]["searchParam"]:
        search(client, **{param["name"]: values.get(param["name"], "x")})


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "parameter"), [
    ({"_summary": "text"}, "_summary"),
    ({"_total": "some"}, "_total"),
    ({"_sort": "publisher"}, "_sort"),
    ({"_count": "abc"}, "_count"),
    ({"_count": "-1"}, "_count"),
    ({"_count": "501"}, "_count"),
    ({"_count": "²"}, "_count"),
    ({"_count": ["5", "6"]}, "_count"),
    ({"_offset": "x"}, "_offset"),
    ({"status": "bogus"}, "status"),
    ({"status": "active,current"}, "status"),
    ({"_pretty": "yes"}, "_pretty"),
])
def test_a_bad_value_answers_400_naming_it_however_lenient(client, catalog, params, parameter):
    outcome(client.get(SEARCH, params), 400, parameter)
    outcome(client.get(SEARCH, params, headers={"Prefer": "handling=strict"}), 400, parameter)


UNSUPPORTED = [
    ({"foo": "1"}, "foo"),
    ({"title:missing": "true"}, "title:missing"),
    ({"identifier:text": "PQI"}, "identifier:text"),
    ({"_count:exact": "5"}, "_count:exact"),
]


@pytest.mark.parametrize(("params", "parameter"), UNSUPPORTED)
def test_an_unsupported_parameter_is_ignored_and_reported_by_default(
    client, catalog, params, parameter
):
    bundle = fhir(client.get(SEARCH, {**params, "status": "retired"}))

    assert codes_of(bundle) == {"PQI 03"}
    assert parameter.partition(":")[0] + "%3A" not in link(bundle, "self")
    assert "foo" not in link(bundle, "self")
    assert "status=retired" in link(bundle, "self")
    [report] = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    [issue] = report["resource"]["issue"]
    assert issue["severity"] == "warning" and issue["code"] == "not-supported"
    assert f"'{parameter}'" in issue["diagnostics"]


@pytest.mark.parametrize(("params", "parameter"), UNSUPPORTED)
def test_prefer_strict_refuses_an_unsupported_parameter(client, catalog, params, parameter):
    response = client.get(SEARCH, params, headers={"Prefer": "handling=strict"})
    outcome(response, 400, parameter.partition(":")[0])


def test_prefer_lenient_is_the_default_and_still_honoured(client, catalog):
    bundle = fhir(client.get(
        SEARCH, {"foo": "1", "status": "retired"}, headers={"Prefer": "handling=lenient"}
    ))

    assert codes_of(bundle) == {"PQI 03"}
    assert "foo" not in link(bundle, "self")


def test_total_none_leaves_the_total_out_but_still_pages(client, catalog):
    bundle = search(client, _total="none", _count=2)

    assert "total" not in bundle
    assert len(bundle["entry"]) == 2
    assert "_total=none" in link(bundle, "next")
    last = search(client, _total="none", _count=2, _offset=4)
    assert link(last, "next") is None
    assert search(client, _total="estimate")["total"] == 5
    assert search(client, _total="accurate")["total"] == 5


def test_summary_count_answers_the_total_alone(client, catalog):
    bundle = search(client, _summary="count", status="active")

    assert bundle["total"] == 4
    assert "entry" not in bundle


def test_summary_true_keeps_the_summary_elements_tagged_subsetted(client, catalog):
    bundle = search(client, _summary="true", identifier="PQI 01")
    [entry] = bundle["entry"]
    resource = entry["resource"]

    assert "group" not in resource and "topic" not in resource and "type" not in resource
    assert resource["title"] == "Diabetes Short-Term Complications Admission Rate"
    assert resource["meta"]["tag"][0]["code"] == "SUBSETTED"
    full = search(client, _summary="false", identifier="PQI 01")
    assert full["entry"][0]["resource"]["group"]


def test_elements_keeps_what_is_asked_and_what_a_measure_needs(client, catalog):
    [entry] = search(client, _elements="title,improvementNotation,nonsense",
                     identifier="PQI 01")["entry"]

    assert set(entry["resource"]) == {
        "resourceType", "id", "meta", "status", "title", "improvementNotation",
    }
    assert entry["fullUrl"] == f"{BASE}/Measure/pqi-01"
    read = fhir(client.get(f"{SEARCH}/pqi-01", {"_elements": "title"}))
    assert set(read) == {"resourceType", "id", "meta", "status", "title"}


@pytest.mark.parametrize(("sort", "first", "last"), [
    ("title", "AAB", "PQI 90"),
    ("-title", "PQI 90", "AAB"),
    ("name", "AAB", "PQI 90"),
    ("-name", "PQI 90", "AAB"),
    ("status,-name", "PQI 90", "PQI 03"),
])
def test_sort_orders_the_matches(client, catalog, sort, first, last):
    entries = search(client, _sort=sort)["entry"]
    codes = [entry["resource"]["identifier"][0]["value"] for entry in entries]

    assert (codes[0], codes[-1]) == (first, last)


def test_sort_by_date_puts_the_latest_change_first_when_descending(client, catalog):
    catalog["pqi03"].save()
    entries = search(client, _sort="-date")["entry"]

    assert entries[0]["resource"]["identifier"][0]["value"] == "PQI 03"



@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", [SEARCH, f"{SEARCH}/pqi-01", "/fhir/r4/metadata"])
def test_other_methods_answer_405(client, catalog, method, path):
    response = getattr(client, method)(path, data="{}", content_type="application/fhir+json")

    outcome(response, 405, method.upper(), codes=("not-supported",))
    assert response["Allow"] == "GET, HEAD"
    assert Measure.objects.count() == 5


def test_head_answers_like_get(client, catalog):
    response = client.head(SEARCH)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "_format=json", "_format=application/fhir%2Bjson", "_format=application/fhir+json",
    "_format=application/json", "_format=json&_pretty=true",
])
def test_json_formats_are_honoured(client, catalog, query):
    for path in (SEARCH, f"{SEARCH}/pqi-01", "/fhir/r4/metadata"):
        fhir(client.get(f"{path}?{query}"))


def test_pretty_indents(client, catalog):
    pretty = client.get(f"{SEARCH}/pqi-01?_pretty=true")
    compact = client.get(f"{SEARCH}/pqi-01")

    assert fhir(pretty) == fhir(compact)
    assert b'\n  "resourceType"' in pretty.content
    assert b"\n" not in compact.content


@pytest.mark.parametrize("accept", [
    "application/fhir+json", "application/json", "*/*", "text/html,application/xml;q=0.9,*/*",
])
def test_accept_headers_that_take_json_are_served(client, catalog, accept):
    fhir(client.get(SEARCH, headers={"Accept": accept}))


def test_other_formats_answer_406(client, catalog):
    outcome(client.get(SEARCH, {"_format": "xml"}), 406, "_format", codes=("not-supported",))
    outcome(
        client.get("/fhir/r4/metadata", headers={"Accept": "application/fhir+xml"}),
        406, "application/fhir+xml", codes=("not-supported",),
    )


# --- the mapping ------------------------------------------------------------------------------


def _codings(concept):
    return {(coding["system"], coding["code"]) for coding in concept.get("coding", [])}


def test_a_measure_maps_every_fact_the_catalog_holds(client, catalog):
    measure = _read(client, catalog["pqi01"])

    assert measure["url"] == f"{BASE}/Measure/pqi-01"
    assert measure["identifier"][0] == {
        "use": "official", "system": MEASURE_CODE_SYSTEM, "value": "PQI 01",
    }
    assert measure["identifier"][1]["system"] == ENDORSEMENT_SYSTEM
    assert measure["identifier"][1]["value"] == "0272"
    assert _codings(measure["identifier"][1]["type"]) == {
        ("http://hl7.org/fhir/us/cqfmeasures/CodeSystem/identifier-type", "endorser")
    }
    assert measure["version"] == "v2024"
    assert measure["name"] == "PQI_01"
    assert measure["title"] == "Diabetes Short-Term Complications Admission Rate"
    assert measure["status"] == "active"
    assert measure["publisher"] == "Agency for Healthcare Research and Quality (AHRQ)"
    assert measure["description"].startswith("Admissions for diabetes")
    assert measure["topic"][0] == {"text": "Prevention: ambulatory care sensitive conditions"}
    assert _codings(measure["topic"][1]) == {(MEASURE_SET_SYSTEM, "PQI")}
    assert _codings(measure["topic"][2]) == {(MEASURE_TYPE_SYSTEM, "outcome")}
    program = next(c for c in measure["useContext"] if c["code"]["code"] == "program")
    assert program["valueCodeableConcept"] == {
        "coding": [{"system": PROGRAM_SYSTEM, "code": "MEDICAID-ADULT-CORE",
                    "display": "Medicaid Adult Core Set"}],
        "text": "Medicaid Adult Core Set (2024, 2025)",
    }
    [measure_type] = measure["type"]
    assert _codings(measure_type) == {
        ("http://terminology.hl7.org/CodeSystem/measure-type", "outcome")
    }
    assert _codings(measure["improvementNotation"]) == {
        ("http://terminology.hl7.org/CodeSystem/measure-improvement-notation", "decrease")
    }
    assert measure["relatedArtifact"] == [{
        "type": "documentation", "display": "Specification",
        "url": "https://www.example.org/pqi-01",
    }]
    assert measure["useContext"][0]["code"]["code"] == "venue"
    assert measure["useContext"][0]["valueCodeableConcept"] == {"text": "Inpatient"}
    [group] = measure["group"]
    populations = {
        population["code"]["coding"][0]["code"]: population["description"]
        for population in group["population"]
    }
    assert populations == {
        "numerator": catalog["pqi01"].numerator,
        "denominator": "Population ages 18 years and older.",
        "denominator-exclusion": "Transfers from other institutions.",
    }
    for population in group["population"]:
        assert population["code"]["coding"][0]["system"] == (
            "http://terminology.hl7.org/CodeSystem/measure-population"
        )
        # R4 requires criteria; the steward's text stands in for an expression.
        assert population["criteria"] == {
            "language": "text/plain", "expression": population["description"],
        }


def test_a_retired_measure_is_retired(client, catalog):
    assert _read(client, catalog["pqi03"])["status"] == "retired"


def test_a_higher_is_better_measure_improves_by_increase(client, db):
    measure = factories.MeasureFactory(improvement_notation=Measure.ImprovementNotation.HIGHER)

    assert _codings(_read(client, measure)["improvementNotation"]) == {
        ("http://terminology.hl7.org/CodeSystem/measure-improvement-notation", "increase")
    }


def test_a_composite_lists_its_components_by_canonical_url(client, catalog):
    measure = _read(client, catalog["pqi90"])

    assert _codings(measure["type"][0]) == {
        ("http://terminology.hl7.org/CodeSystem/measure-type", "composite")
    }
    composed = [a for a in measure["relatedArtifact"] if a["type"] == "composed-of"]
    assert [a["resource"] for a in composed] == [
        f"{BASE}/Measure/pqi-01", f"{BASE}/Measure/pqi-03",
    ]
    assert composed[0]["display"] == "PQI 01: Diabetes Short-Term Complications Admission Rate"
    for artifact in composed:
        # Each component's canonical URL is its read URL here.
        fhir(client.get(urlsplit(artifact["resource"]).path))
    # How the components combine is not in the catalog, so nothing says it.
    assert "compositeScoring" not in measure
    assert "group" not in measure


def test_a_cahps_survey_is_a_patient_reported_outcome_keeping_our_type(client, catalog):
    measure = _read(client, catalog["hcahps"])

    [measure_type] = measure["type"]
    assert _codings(measure_type) == {
        ("http://terminology.hl7.org/CodeSystem/measure-type", "patient-reported-outcome"),
        ("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "EXPERIENCE"),
    }
    assert measure_type["text"] == "Patient experience"
    assert {"text": "Patient experience"} in measure["topic"]
    assert any(
        _codings(topic) == {(MEASURE_TYPE_SYSTEM, "patient_experience")}
        for topic in measure["topic"]
    )
    # No steward is recorded for the survey itself: no publisher rather than the set's.
    assert "publisher" not in measure
    assert "improvementNotation" not in measure
    assert "version" not in measure


def test_an_efficiency_measure_has_the_v3_efficiency_type(client, db):
    measure = _read(client, factories.MeasureFactory(type=Measure.Type.EFFICIENCY))

    assert _codings(measure["type"][0]) == {
        ("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "EFFICIENCY")
    }


def test_a_measure_with_empty_facts_leaves_them_out(client, catalog):
    measure = _read(client, catalog["bare"])

    assert set(measure) == {
        "resourceType", "id", "meta", "url", "identifier", "name", "title", "status", "date",
        "topic",
    }
    assert measure["identifier"] == [
        {"use": "official", "system": MEASURE_CODE_SYSTEM, "value": "AAB"}
    ]
    assert measure["topic"] == [{
        "coding": [{"system": MEASURE_SET_SYSTEM, "code": "HEDIS", "display": "HEDIS"}],
        "text": "HEDIS",
    }]


def test_context_finds_the_measures_a_program_uses(client, catalog):
    assert codes_of(search(client, context="MEDICAID-ADULT-CORE")) == {"PQI 01"}
    assert codes_of(search(client, context=f"{PROGRAM_SYSTEM}|medicaid-adult-core")) == {
        "PQI 01"}
    assert codes_of(search(client, context="MEDICAID-CHILD-CORE")) == set()
    assert codes_of(search(client, context="other|MEDICAID-ADULT-CORE")) == set()


@pytest.mark.parametrize(("numerator", "denominator", "codes"), [
    ("Deaths.", "", ["numerator"]),
    ("", "Discharges.", ["denominator"]),
])
def test_only_populations_with_text_are_listed(client, db, numerator, denominator, codes):
    measure = _read(client, factories.MeasureFactory(numerator=numerator, denominator=denominator))

    [group] = measure["group"]
    assert [p["code"]["coding"][0]["code"] for p in group["population"]] == codes


@pytest.mark.parametrize(("code", "name"), [
    ("PQI 01", "PQI_01"),
    ("CAHPS for MIPS", "CAHPS_for_MIPS"),
    ("CG-CAHPS", "CG_CAHPS"),
    ("S-CAHPS", "S_CAHPS"),
    ("  odd -- code  ", "Odd_code"),
    ("30-day readmission", "Measure_30_day_readmission"),
    ("W30", "W30"),
    ("x" * 300, "X" + "x" * 254),
])
def test_the_computable_name_follows_the_fhir_pattern(code, name):
    assert computable_name(code) == name
    assert FHIR_NAME.fullmatch(name)


def test_the_whole_shipped_catalog_is_valid_fhir(client, db):
    with CATALOG_FILE.open(encoding="utf-8") as handle:
        catalog_load(handle)

    bundle = search(client, _count=500)

    assert bundle["total"] == Measure.objects.count() == len(bundle["entry"])
    resources = {entry["resource"]["identifier"][0]["value"]: entry["resource"]
                 for entry in bundle["entry"]}
    names = [resource["name"] for resource in resources.values()]
    assert len(set(names)) == len(names)
    for composite in Measure.objects.filter(type=Measure.Type.COMPOSITE):
        composed = [a for a in resources[composite.code]["relatedArtifact"]
                    if a["type"] == "composed-of"]
        assert len(composed) == composite.components.count() > 0
    assert resources["HCAHPS"]["type"][0]["coding"][0]["code"] == "patient-reported-outcome"
