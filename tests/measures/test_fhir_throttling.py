"""The FHIR face is throttled per client address, with the REST API's counters; past the
rate the answer is a 429 OperationOutcome with Retry-After."""

import json

import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome

from tests import factories

pytestmark = pytest.mark.django_db

SEARCH = "/fhir/r4/Measure"


@pytest.fixture
def rates(settings):
    """Three FHIR requests a day per address, so that no window ends in the test."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "fhir": "3/day",
        },
    }


def test_past_its_rate_an_address_gets_a_429_operation_outcome_with_retry_after(
    client, rates
):
    measure = factories.MeasureFactory()
    for url in (SEARCH, f"{SEARCH}/{measure.slug}", "/fhir/r4/metadata"):
        assert client.get(url).status_code == 200, url

    refused = client.get(SEARCH, {"title": "anything"})

    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/fhir+json")
    assert 1 <= int(refused["Retry-After"]) <= 24 * 3600
    body = json.loads(refused.content)
    OperationOutcome.model_validate(body)
    [issue] = body["issue"]
    assert (issue["severity"], issue["code"]) == ("error", "throttled")
    assert "Too many requests" in issue["diagnostics"]


def test_each_address_has_its_own_count(client, rates):
    assert [client.get(SEARCH).status_code for _ in range(4)] == [200, 200, 200, 429]

    assert client.get(SEARCH, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_session_does_not_lift_the_address_limit(client, rates, staff_user):
    client.force_login(staff_user)

    assert [client.get(SEARCH).status_code for _ in range(4)] == [200, 200, 200, 429]
