import json

import pytest
from django.core.management import CommandError, call_command

from measures.models import Measure, MeasureFact, MeasureSet, ProgramMembership, Tool
from measures.services import catalog_load

pytestmark = pytest.mark.django_db

SET = {"record": "measure_set", "code": "PQI", "name": "AHRQ Prevention Quality Indicators",
       "steward": "AHRQ", "version": "v2024", "description": "",
       "source_url": "https://example.org/pqi"}


def measure(code, **extra):
    row = {"record": "measure", "set": "PQI", "code": code, "title": f"{code} title",
           "description": "", "steward": "", "type": "", "level": "area", "domain": "",
           "setting": "", "data_source": "", "numerator": "", "denominator": "",
           "improvement_notation": "lower", "components": [], "endorsement_number": "",
           "status": "current", "version": "v2024", "source_url": "https://example.org/m"}
    return row | extra


def lines(*rows):
    return [json.dumps(row) + "\n" for row in rows]


def test_the_shipped_catalog_loads_with_real_codes_and_sources():
    call_command("load_catalog")
    assert MeasureSet.objects.count() == 8
    assert Measure.objects.count() == 158
    assert Tool.objects.count() == 14
    pqi_90 = Measure.objects.get(code="PQI 90")
    assert pqi_90.title == "Prevention Quality Overall Composite"
    assert pqi_90.type == "composite"
    assert sorted(pqi_90.components.values_list("code", flat=True)) == [
        "PQI 01", "PQI 03", "PQI 05", "PQI 07", "PQI 08", "PQI 11", "PQI 12", "PQI 14",
        "PQI 15", "PQI 16"]
    assert not Measure.objects.filter(source_url="").exists()
    assert Measure.objects.filter(status="retired").count() == 33
    for field in ("title", "description", "numerator", "denominator", "domain"):
        assert not Measure.objects.filter(**{f"{field}__icontains": "unconfirmed"}).exists()
    # Every stored fact carries its source, and a measure's column agrees with its fact.
    assert not MeasureFact.objects.filter(source_url="").exists()
    assert not MeasureFact.objects.filter(publisher="").exists()
    for fact in MeasureFact.objects.filter(name__in=["numerator", "type"]).select_related(
        "measure"
    ):
        assert getattr(fact.measure, fact.name) == fact.value
    # A Medicaid program finds its whole 2025 Core Set in the catalog.
    adult_2025 = ProgramMembership.objects.filter(program__code="MEDICAID-ADULT-CORE", year=2025)
    assert adult_2025.count() == 39
    assert adult_2025.filter(measure__code="PQI 01", identifier="PQI01-AD").exists()
    # A program the source names without a year keeps the year empty, not guessed.
    hacrp = ProgramMembership.objects.get(program__code="CMS-HACRP")
    assert (hacrp.measure.code, hacrp.year) == ("PSI 90", None)
    # The readable specification is the primary link; AHRQ's SAS programs the second one.
    pqi_11 = Measure.objects.get(code="PQI 11")
    assert pqi_11.source_url == "https://p4qm.org/measures/0279"
    assert pqi_11.software_url.startswith("https://github.com/AHRQ/AHRQ-Quality-Indicators/")


def test_loading_twice_changes_nothing():
    call_command("load_catalog")
    before = list(Measure.objects.values_list("code", "updated_at"))
    with open("measures/data/catalog.jsonl", encoding="utf-8") as catalog:
        result = catalog_load(catalog)
    assert sum(result.created.values()) == sum(result.updated.values()) == 0
    assert list(Measure.objects.values_list("code", "updated_at")) == before


def test_a_changed_row_is_updated_in_place():
    catalog_load(lines(SET, measure("PQI 01")))
    first = Measure.objects.get()
    result = catalog_load(lines(SET, measure("PQI 01", title="A new title")))
    assert result.updated["measure"] == 1
    again = Measure.objects.get()
    assert (again.pk, again.slug, again.title) == (first.pk, "pqi-01", "A new title")
    assert again.updated_at > first.updated_at


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json\n", "line 3: not valid JSON"),
        (json.dumps({"record": "rumour", "code": "X"}) + "\n", "line 3: each line needs"),
        (json.dumps(measure("PQI 02", set="NOPE")) + "\n", "line 3: unknown measure set 'NOPE'"),
        (json.dumps(measure("PQI 02", type="bogus")) + "\n", "line 3: type:"),
        (json.dumps(measure("PQI 02", source_url="not a url")) + "\n", "line 3: source_url:"),
        (json.dumps(measure("PQI 90", components=["PQI 77"])) + "\n",
         "line 3: unknown component 'PQI 77'"),
        (json.dumps({k: v for k, v in measure("PQI 02").items() if k != "title"}) + "\n",
         "line 3: missing field(s): title"),
    ],
)
def test_a_bad_line_is_refused_with_its_number_and_nothing_is_loaded(
    tmp_path, bad_line, message
):
    path = tmp_path / "catalog.jsonl"
    path.write_text("".join(lines(SET, measure("PQI 01"))) + bad_line, encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalog", str(path))
    assert message in str(excinfo.value)
    assert "nothing was loaded" in str(excinfo.value)
    assert not MeasureSet.objects.exists()
    assert not Measure.objects.exists()


def fact(name="numerator", **extra):
    return {"name": name, "value": "Discharges with X", "source_url": "https://example.org/spec",
            "publisher": "AHRQ", "version": "v2024"} | extra


def test_facts_are_loaded_with_their_source_and_fill_the_measure():
    catalog_load(lines(SET, measure("PQI 01", facts=[fact(), fact("type", value="outcome")])))
    loaded = Measure.objects.get()
    assert (loaded.numerator, loaded.type) == ("Discharges with X", "outcome")
    stored = loaded.facts.get(name="numerator")
    assert (stored.source_url, stored.publisher, stored.version) == (
        "https://example.org/spec", "AHRQ", "v2024")


def test_a_changed_fact_moves_the_measure_and_a_dropped_one_is_removed():
    catalog_load(lines(SET, measure("PQI 01", facts=[fact(), fact("exclusions", value="Y")])))
    first = Measure.objects.get()
    result = catalog_load(lines(SET, measure("PQI 01", facts=[fact(version="v2025")])))
    assert result.updated["measure"] == 1
    again = Measure.objects.get()
    assert again.updated_at > first.updated_at
    assert list(again.facts.values_list("name", "version")) == [("numerator", "v2025")]


@pytest.mark.parametrize("missing", ["source_url", "publisher", "version"])
def test_a_fact_without_its_source_is_refused_and_nothing_is_loaded(tmp_path, missing):
    path = tmp_path / "catalog.jsonl"
    bad = measure("PQI 02", facts=[fact(**{missing: ""})])
    path.write_text("".join(lines(SET, measure("PQI 01"), bad)), encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalog", str(path))
    assert f"line 3: fact 'numerator' has no source: {missing} missing" in str(excinfo.value)
    assert not Measure.objects.exists()


def test_a_program_membership_needs_a_known_program_and_a_source():
    program = {"record": "program", "code": "MEDICAID-ADULT-CORE", "name": "Adult Core Set",
               "publisher": "CMS", "description": "", "source_url": "https://example.org/core"}
    member = {"program": "MEDICAID-ADULT-CORE", "year": 2025, "identifier": "PQI01-AD",
              "source_url": "https://example.org/list"}
    catalog_load(lines(program, SET, measure("PQI 01", programs=[member])))
    assert ProgramMembership.objects.get().identifier == "PQI01-AD"
    with pytest.raises(Exception, match="unknown program 'NOPE'"):
        catalog_load(lines(SET, measure("PQI 01", programs=[member | {"program": "NOPE"}])))
    with pytest.raises(Exception, match="membership has no source_url"):
        catalog_load(lines(SET, measure("PQI 01", programs=[member | {"source_url": ""}])))


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="No catalog file at /no/such/file"):
        call_command("load_catalog", "/no/such/file")
