"""The public catalog API: lists with filters, search, ordering and cursor pages; a measure by
its code or slug; measure sets and tools; CSV that a spreadsheet cannot turn into formulas."""

import csv
import io
from datetime import timedelta

import factory
import pytest
from django.utils import timezone

from measures.api.serializers import MEASURE_FIELDS, MeasureDetailSerializer
from measures.models import Measure
from tests import factories

pytestmark = pytest.mark.django_db

MEASURES = "/api/v1/measures/"



@pytest.fixture
def catalog():
    pqi = factories.MeasureSetFactory(code="PQI", name="Prevention Quality Indicators")
    psi = factories.MeasureSetFactory(code="PSI", name="Patient Safety Indicators")
    measures = {
        "PQI 01": factories.MeasureFactory(
            measure_set=pqi, code="PQI 01", title="Diabetes Short-Term Complications",
            type="", level="area",
            domain="Prevention: ambulatory care sensitive conditions", setting="Inpatient",
        ),
        "PQI 05": factories.MeasureFactory(
            measure_set=pqi, code="PQI 05", title="COPD or Asthma in Older Adults",
            level="area", status="retired",
        ),
        "PSI 03": factories.MeasureFactory(
            measure_set=psi, code="PSI 03", title="Pressure Ulcer Rate", level="hospital",
            type="outcome", domain="Patient safety", setting="Inpatient",
            description="Stage 3 or 4 pressure ulcers per 1,000 discharges.",
        ),
        "PQI 90": factories.MeasureFactory(
            measure_set=pqi, code="PQI 90", title="Prevention Quality Overall Composite",
            type="composite", level="area",
        ),
    }
    measures["PQI 90"].components.set([measures["PQI 05"], measures["PQI 01"]])
    return measures


def codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# --- the list -------------------------------------------------------------------------------


def test_anyone_reads_the_measure_list_with_every_field_of_a_measure(client, catalog):
    response = client.get(MEASURES)

    assert response.status_code == 200
    assert codes(response) == ["PQI 01", "PQI 05", "PQI 90", "PSI 03"]
    row = response.json()["results"][1]
    assert set(row) == set(MEASURE_FIELDS)
    assert row["set"] == "PQI"
    assert row["status"] == "retired"
    assert row["url"] == "http://testserver/api/v1/measures/pqi-05/"


def test_a_composite_lists_the_codes_of_its_components(client, catalog):
    rows = {row["code"]: row for row in client.get(MEASURES).json()["results"]}

    assert rows["PQI 90"]["components"] == ["PQI 01", "PQI 05"]
    assert rows["PQI 01"]["components"] == []


def test_the_list_rows_have_the_shape_the_schema_declares(client, catalog):
    """The list is rendered from .values() rows, not the serializer: both must agree."""
    row = next(r for r in client.get(MEASURES).json()["results"] if r["code"] == "PQI 90")
    detail = client.get(row["url"]).json()
    declared = MeasureDetailSerializer().fields.keys()

    assert set(detail) == set(declared)
    detail_only = {"composites", "facts", "program_memberships"}
    assert {k: v for k, v in detail.items() if k not in detail_only} == row


def test_a_measure_shows_its_facts_with_sources_and_the_programs_that_use_it(client, catalog):
    from measures.models import MeasureFact, ProgramMembership, QualityProgram

    measure = catalog["PQI 01"]
    MeasureFact.objects.create(
        measure=measure, name="numerator", value="Discharges with X.",
        source_url="https://p4qm.org/measures/0272", publisher="PQM", version="v2023",
    )
    adult = QualityProgram.objects.create(
        code="MEDICAID-ADULT-CORE", name="Medicaid Adult Core Set", publisher="CMS",
        source_url="https://www.medicaid.gov/adult",
    )
    for year in (2024, 2025):
        ProgramMembership.objects.create(program=adult, measure=measure, year=year,
                                         identifier="PQI01-AD", source_url="https://x.org/l")

    detail = client.get(f"{MEASURES}pqi-01/").json()
    assert detail["facts"] == [{
        "name": "numerator", "value": "Discharges with X.",
        "source_url": "https://p4qm.org/measures/0272", "publisher": "PQM",
        "version": "v2023", "note": "",
    }]
    assert [(m["program"], m["year"], m["identifier"]) for m in detail["program_memberships"]] == [
        ("MEDICAID-ADULT-CORE", 2025, "PQI01-AD"), ("MEDICAID-ADULT-CORE", 2024, "PQI01-AD"),
    ]
    rows = {row["code"]: row for row in client.get(MEASURES).json()["results"]}
    assert rows["PQI 01"]["programs"] == ["MEDICAID-ADULT-CORE"]
    assert rows["PQI 05"]["programs"] == []
    assert codes(client.get(f"{MEASURES}?program=MEDICAID-ADULT-CORE")) == ["PQI 01"]
    unknown = client.get(f"{MEASURES}?program=NOPE")
    assert unknown.status_code == 400
    assert "program" in unknown.content.decode()


@pytest.mark.parametrize(("query", "expected"), [
    ("set=PSI", ["PSI 03"]),
    ("set=PSI&set=PQI", ["PQI 01", "PQI 05", "PQI 90", "PSI 03"]),
    ("type=composite", ["PQI 90"]),
    ("type=outcome&type=composite", ["PQI 05", "PQI 90", "PSI 03"]),
    ("level=hospital", ["PSI 03"]),
    ("status=retired", ["PQI 05"]),
    ("status=current&level=area", ["PQI 01", "PQI 90"]),
    ("domain=patient%20safety", ["PSI 03"]),
    ("setting=inpatient", ["PQI 01", "PSI 03"]),
    ("code=PQI%2005&code=PSI%2003", ["PQI 05", "PSI 03"]),
    ("search=ulcer", ["PSI 03"]),
    ("search=1%2C000%20discharges", ["PSI 03"]),
    ("search=pqi%2090", ["PQI 90"]),
    ("search=nothing-like-this", []),
])
def test_filters_and_search_narrow_the_list(client, catalog, query, expected):
    assert codes(client.get(f"{MEASURES}?{query}")) == expected


def test_updated_since_gives_only_measures_changed_since(client, catalog):
    since = timezone.now()
    Measure.objects.filter(code="PQI 05").update(updated_at=since + timedelta(seconds=1))

    assert codes(client.get(MEASURES, {"updated_since": since.isoformat()})) == ["PQI 05"]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("title", ["PQI 05", "PQI 01", "PSI 03", "PQI 90"]),
    ("-code", ["PSI 03", "PQI 90", "PQI 05", "PQI 01"]),
    ("-set", ["PSI 03", "PQI 90", "PQI 05", "PQI 01"]),
    ("status", ["PQI 01", "PQI 90", "PSI 03", "PQI 05"]),
])
def test_ordering_sorts_with_the_code_breaking_ties(client, catalog, ordering, expected):
    assert codes(client.get(MEASURES, {"ordering": ordering})) == expected


def walk(client, url):
    """Every page from ``url`` on by its next links: the codes of each page."""
    pages = []
    while url:
        body = client.get(url).json()
        pages.append([row["code"] for row in body["results"]])
        url = body["next"]
    return pages


@pytest.mark.parametrize("ordering", [
    "code", "-code", "title", "-type", "level", "-set", "updated_at", "-updated_at",
])
def test_cursor_pages_give_every_measure_once_in_order(client, ordering):
    factories.MeasureFactory.create_batch(
        11, type=factory.Iterator(["outcome", "process", ""]),
        level=factory.Iterator(["area", "hospital"]),
    )
    everything = codes(client.get(MEASURES, {"ordering": ordering, "page_size": 500}))

    pages = walk(client, f"{MEASURES}?ordering={ordering}&page_size=4")

    assert [len(page) for page in pages] == [4, 4, 3]
    assert [code for page in pages for code in page] == everything


def test_previous_links_walk_back_to_the_first_page(client):
    factories.MeasureFactory.create_batch(7)
    first = client.get(MEASURES, {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    back = client.get(third["previous"]).json()
    front = client.get(back["previous"]).json()

    assert first["previous"] is None
    assert third["next"] is None
    assert [r["code"] for r in back["results"]] == [r["code"] for r in second["results"]]
    assert [r["code"] for r in front["results"]] == [r["code"] for r in first["results"]]
    assert front["previous"] is None


def test_a_page_stays_right_when_a_measure_is_added_before_it(client):
    factories.MeasureFactory.create_batch(4, code=factory.Iterator(
        ["B 1", "B 2", "B 3", "B 4"]))
    first = client.get(MEASURES, {"page_size": 2}).json()
    factories.MeasureFactory(code="A 0")  # lands on the first page, before the cursor

    assert codes(client.get(first["next"])) == ["B 3", "B 4"]


def test_page_size_goes_up_to_500(client):
    factories.MeasureFactory.create_batch(3)

    assert len(codes(client.get(MEASURES, {"page_size": 500}))) == 3
    assert len(codes(client.get(MEASURES, {"page_size": 1}))) == 1


# --- one measure ------------------------------------------------------------------------------


def test_a_measure_is_found_by_its_code_with_the_space_escaped_or_by_its_slug(client, catalog):
    by_code = client.get("/api/v1/measures/PQI%2001/")
    by_slug = client.get("/api/v1/measures/pqi-01/")

    assert by_code.status_code == by_slug.status_code == 200
    assert by_code.json()["code"] == by_slug.json()["code"] == "PQI 01"
    assert by_code.json()["title"] == "Diabetes Short-Term Complications"


def test_a_measure_names_the_composites_that_include_it(client, catalog):
    assert client.get("/api/v1/measures/PQI%2001/").json()["composites"] == ["PQI 90"]
    assert client.get("/api/v1/measures/PQI%2090/").json()["components"] == [
        "PQI 01", "PQI 05"
    ]


def test_an_unknown_measure_is_404_with_a_message(client, catalog):
    response = client.get("/api/v1/measures/PQI%2099/")

    assert response.status_code == 404
    assert response.json()["detail"]


# --- measure sets and tools ---------------------------------------------------------------------


def test_measure_sets_count_their_measures_and_link_to_them(client, catalog):
    body = client.get("/api/v1/measure-sets/").json()
    sets = {row["code"]: row for row in body["results"]}

    assert sets["PQI"]["measure_count"] == 3
    assert sets["PSI"]["measure_count"] == 1
    assert codes(client.get(sets["PSI"]["measures_url"])) == ["PSI 03"]
    assert client.get(sets["PQI"]["url"]).json()["name"] == "Prevention Quality Indicators"


def test_tools_are_listed_by_title_filtered_by_kind_and_found_by_code(client):
    factories.ToolFactory(code="T1", title="Pay for Performance: A Decision Guide",
                          kind="guide")
    factories.ToolFactory(code="T2", title="Best Practices in Public Reporting",
                          kind="report")

    assert codes(client.get("/api/v1/tools/")) == ["T2", "T1"]
    assert codes(client.get("/api/v1/tools/?kind=guide")) == ["T1"]
    assert codes(client.get("/api/v1/tools/?search=reporting")) == ["T2"]
    assert client.get("/api/v1/tools/T1/").json()["kind"] == "guide"
    assert client.get("/api/v1/tools/T9/").status_code == 404


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_gives_every_matching_measure_in_one_file_with_a_header(client, catalog):
    response = client.get(MEASURES, {"format": "csv", "set": "PQI", "page_size": 1})
    rows = read_csv(response)

    assert "attachment" in response["Content-Disposition"]
    assert [row["code"] for row in rows] == ["PQI 01", "PQI 05", "PQI 90"]
    assert list(rows[0]) == list(MEASURE_FIELDS)
    assert rows[2]["components"] == "PQI 01; PQI 05"


def test_an_empty_csv_still_names_its_columns(client):
    response = client.get(MEASURES, {"format": "csv"})

    assert response.content.decode().strip().split(",") == list(MEASURE_FIELDS)


@pytest.mark.parametrize("dangerous", [
    "=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR",
])
def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_made_inert(client, dangerous):
    factories.MeasureFactory(code="X 1", title=dangerous, description="plain text")

    row = read_csv(client.get(MEASURES, {"format": "csv"}))[0]

    assert row["title"] == "'" + dangerous
    assert row["description"] == "plain text"


def test_tools_and_measure_sets_export_as_csv_too(client, catalog):
    factories.ToolFactory(code="T1", title="=cmd|' /C calc'!A0")

    tools = read_csv(client.get("/api/v1/tools/?format=csv"))
    sets = read_csv(client.get("/api/v1/measure-sets/?format=csv"))

    assert tools[0]["title"].startswith("'=")
    assert [row["code"] for row in sets] == ["PQI", "PSI"]


def test_every_time_is_written_in_utc_the_same_way(client, catalog, staff_user):
    factories.ToolFactory()
    factories.MeasureAdoptionFactory(measure=catalog["PQI 01"])
    client.force_login(staff_user)

    times = [
        client.get(MEASURES).json()["results"][0]["updated_at"],
        client.get("/api/v1/measures/pqi-01/").json()["updated_at"],
        client.get("/api/v1/tools/").json()["results"][0]["updated_at"],
        client.get("/api/v1/measure-sets/").json()["results"][0]["updated_at"],
        client.get("/api/v1/adoptions/").json()["results"][0]["created_at"],
    ]

    assert all(time.endswith("Z") and "T" in time for time in times), times
