import json

import pytest
from django.core.management import CommandError, call_command

from measures.models import Measure, MeasureSet, Tool
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
    assert MeasureSet.objects.count() == 7
    assert Measure.objects.count() == 138
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


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="No catalog file at /no/such/file"):
        call_command("load_catalog", "/no/such/file")
