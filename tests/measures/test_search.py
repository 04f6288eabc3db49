"""One search for the catalog: the page's search box and the API's ?search= find the same
measures (full-text with ranking on PostgreSQL, every word somewhere elsewhere)."""

import pytest
from django.urls import reverse

from measures.models import Measure
from tests import factories

pytestmark = pytest.mark.django_db

QUERIES = [
    "diabetes",
    "PQI 90",
    "asthma adults",
    '"asthma in younger adults"',
    "survey",
    "perspectives",
    "prevention",
    "complication",
    "appendix OR perspectives",
    "admission rate -diabetes",
    "patient experience",
    "nothing-like-this",
]


@pytest.fixture
def catalog():
    pqi = factories.MeasureSetFactory(code="PQI", name="AHRQ Prevention Quality Indicators")
    cahps = factories.MeasureSetFactory(code="CAHPS", name="CAHPS Surveys")
    prevention = "Prevention: ambulatory care sensitive conditions"
    for code, title, description in [
        ("PQI 01", "Diabetes Short-Term Complications Admission Rate",
         "Admissions for diabetes short-term complications per 100,000 population."),
        ("PQI 02", "Perforated Appendix Admission Rate", ""),
        ("PQI 15", "Asthma in Younger Adults Admission Rate",
         "Admissions with a principal diagnosis of asthma per 100,000 population."),
        ("PQI 05", "Chronic Obstructive Pulmonary Disease in Older Adults",
         "Counts admissions; asthma in older adults is included."),
        ("PQI 90", "Prevention Quality Overall Composite", ""),
    ]:
        factories.MeasureFactory(measure_set=pqi, code=code, title=title,
                                 description=description, domain=prevention)
    factories.MeasureFactory(
        measure_set=cahps, code="HCAHPS", title="CAHPS Hospital Survey",
        description="Patients' perspectives of hospital care.", domain="Patient experience",
        type=Measure.Type.PATIENT_EXPERIENCE,
    )
    factories.MeasureFactory(
        measure_set=cahps, code="CAHPS Health Plan", title="CAHPS Health Plan Survey",
        domain="Patient experience", type=Measure.Type.PATIENT_EXPERIENCE,
    )


def page_codes(client, text):
    response = client.get(reverse("measures:measure-list"), {"q": text})
    assert response.status_code == 200
    return [measure.code for measure in response.context["measures"]]


def api_codes(client, text):
    response = client.get("/api/v1/measures/", {"search": text, "page_size": 500})
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize("text", QUERIES)
def test_the_page_and_the_api_find_the_same_measures(client, catalog, text):
    on_page = page_codes(client, text)

    assert sorted(api_codes(client, text)) == sorted(on_page)


def test_the_searches_are_not_trivial(client, catalog):
    found = {text: set(page_codes(client, text)) for text in QUERIES}

    assert found["PQI 90"] == {"PQI 90"}
    assert found["perspectives"] == {"HCAHPS"}
    assert found["survey"] == {"HCAHPS", "CAHPS Health Plan"}
    assert found["nothing-like-this"] == set()
    # The domain is searched too, on every database.
    assert found["patient experience"] == {"HCAHPS", "CAHPS Health Plan"}
