"""Anonymous clients are held to a rate per address, token holders to a higher one per user;
past it the answer is 429 with Retry-After."""

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/measures/"



@pytest.fixture
def rates(settings):
    """Low rates for the test: 3 anonymous, 5 with a token. Per day, so that no window
    ends in the middle of a test."""
    with override_settings(REST_FRAMEWORK={
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/day", "user": "5/day"},
    }):
        assert api_settings.DEFAULT_THROTTLE_RATES["anon"] == "3/day"
        yield


def statuses(client, n, **headers):
    return [client.get(URL, **headers).status_code for _ in range(n)]


def test_an_anonymous_address_gets_429_with_retry_after_past_its_rate(client, rates):
    factories.MeasureFactory()

    assert statuses(client, 3) == [200, 200, 200]
    refused = client.get(URL)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 24 * 3600
    assert "throttled" in refused.json()["detail"].lower()


def test_304s_and_cached_answers_count_too(client, rates):
    etag = client.get(URL)["ETag"]

    assert statuses(client, 2, HTTP_IF_NONE_MATCH=etag) == [304, 304]
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 429


def test_each_address_has_its_own_count(client, rates):
    assert statuses(client, 4) == [200, 200, 200, 429]

    assert client.get(URL, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_forwarded_for_header_does_not_reset_the_count_without_trusted_proxies(client, rates):
    assert statuses(client, 3) == [200, 200, 200]

    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429


def test_a_token_holder_gets_the_higher_rate_of_their_own(client, rates, lead_user):
    _, raw = ApiToken.objects.issue(user=lead_user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert statuses(client, 4) == [200, 200, 200, 429]

    assert statuses(client, 6, **headers) == [200] * 5 + [429]


def test_records_are_throttled_per_user(client, rates, staff_user):
    _, raw = ApiToken.objects.issue(user=staff_user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    codes = [client.get("/api/v1/adoptions/", **headers).status_code for _ in range(6)]

    assert codes == [200] * 5 + [429]
