"""The FHIR face as a real client library uses it: fhirpy's count, paging, search and read
against a live server (a real HTTP server in a thread)."""

import pytest
from fhirpy import SyncFHIRClient

from measures.models import Measure
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fhir_client(live_server):
    return SyncFHIRClient(f"{live_server.url}/fhir/r4")


@pytest.fixture
def measures(db):
    pqi = factories.MeasureSetFactory(code="PQI", name="AHRQ Prevention Quality Indicators")
    made = [factories.MeasureFactory(measure_set=pqi, code=f"PQI {n:02}") for n in range(1, 8)]
    made[0].status = Measure.Status.RETIRED
    made[0].save()
    return made


def test_fhirpy_counts_the_matches(fhir_client, measures):
    # count() sends _totalMethod, which this server does not know: ignored, not refused.
    assert fhir_client.resources("Measure").count() == 7
    assert fhir_client.resources("Measure").search(status="retired").count() == 1


def test_fhirpy_pages_through_every_measure_by_the_next_links(fhir_client, measures):
    found = fhir_client.resources("Measure").limit(3).fetch_all()

    assert sorted(resource["id"] for resource in found) == sorted(m.slug for m in measures)


def test_fhirpy_searches_sorts_and_reads(fhir_client, measures):
    first = fhir_client.resources("Measure").search(status="active").sort("-name").first()
    assert first["id"] == "pqi-07"

    read = fhir_client.reference("Measure", "pqi-03").to_resource()
    assert read["name"] == "PQI_03"
    assert read["resourceType"] == "Measure"
