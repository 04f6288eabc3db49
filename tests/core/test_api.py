"""The API's shared plumbing: its root lists the resources, and anything else under it is a
JSON 404."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_each_resource_with_its_absolute_url(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json().items() >= {
        "measures": "http://testserver/api/v1/measures/",
        "measure-sets": "http://testserver/api/v1/measure-sets/",
        "tools": "http://testserver/api/v1/tools/",
        "adoptions": "http://testserver/api/v1/adoptions/",
        "incentive-programs": "http://testserver/api/v1/incentive-programs/",
    }.items()
    for url in response.json().values():
        assert client.get(url).status_code in (200, 401)


def test_an_address_under_the_api_that_names_nothing_is_a_json_404(client):
    response = client.post("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
