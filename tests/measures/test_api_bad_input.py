"""Bad input answers 400 naming the parameter, or is harmless; no input gives a 500."""

import pytest
from django.core.signing import Signer

from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

MEASURES = "/api/v1/measures/"



@pytest.fixture
def catalog(db):
    factories.MeasureFactory.create_batch(5)
    factories.ToolFactory()
    return factories.MeasureFactory(code="PQI 01")


@pytest.fixture
def staff_token(staff_user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.issue(user=staff_user)[1]}"}


@pytest.mark.parametrize(("url", "parameter"), [
    (f"{MEASURES}?type=structural", "type"),
    (f"{MEASURES}?type=outcome&type=nonsense", "type"),
    (f"{MEASURES}?format=csv&type=nonsense", "type"),
    (f"{MEASURES}?level=state", "level"),
    (f"{MEASURES}?status=draft", "status"),
    (f"{MEASURES}?set=NOPE", "set"),
    (f"{MEASURES}?code=PQI%2099", "code"),
    (f"{MEASURES}?updated_since=last%20week", "updated_since"),
    (f"{MEASURES}?search=%00", "search"),
    (f"{MEASURES}?page_size=0", "page_size"),
    (f"{MEASURES}?page_size=501", "page_size"),
    (f"{MEASURES}?page_size=ten", "page_size"),
    (f"{MEASURES}?page_size=", "page_size"),
    (f"{MEASURES}?page_size=1e2", "page_size"),
    (f"{MEASURES}?ordering=price", "ordering"),
    (f"{MEASURES}?ordering=--code", "ordering"),
    (f"{MEASURES}?ordering=", "ordering"),
    (f"{MEASURES}?cursor=garbage", "cursor"),
    (f"{MEASURES}?format=xml", "format"),
    (f"{MEASURES}PQI%2001/?format=csv", "format"),
    ("/api/v1/tools/?ordering=year", "ordering"),
    ("/api/v1/measure-sets/?page_size=-1", "page_size"),
    (f"{MEASURES}?colour=red", "colour"),
    (f"{MEASURES}?format=csv&page=2", "page"),
    (f"{MEASURES}PQI%2001/?fields=title", "fields"),
    ("/api/v1/measure-sets/?search=PQI", "search"),
])
def test_a_wrong_parameter_is_400_naming_it(client, catalog, url, parameter):
    response = client.get(url)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [parameter]
    assert body[parameter][0]


def test_the_page_size_limit_is_stated_in_the_message(client, catalog):
    response = client.get(MEASURES, {"page_size": 501})

    assert response.json() == {"page_size": ["A whole number from 1 to 500 (rows per page)."]}


@pytest.mark.parametrize(("query", "parameter"), [
    ("coalition=abc", "coalition"),
    ("coalition=99999999999999999999999", "coalition"),
    ("measure=NOPE", "measure"),
    ("use=bribery", "use"),
    ("stage=finished", "stage"),
    ("as_of=2026-13-01", "as_of"),
    ("as_of=yesterday", "as_of"),
    ("ordering=stage", "ordering"),
])
def test_a_wrong_parameter_of_the_records_is_400_naming_it(
    client, staff_token, query, parameter
):
    for url in ("/api/v1/adoptions/", "/api/v1/incentive-programs/"):
        response = client.get(f"{url}?{query}", **staff_token)
        if url.endswith("incentive-programs/") and parameter in {"measure", "use", "stage",
                                                                  "as_of"}:
            continue  # not a parameter of programs: ignored like any unknown one
        assert response.status_code == 400, (url, response.content)
        assert list(response.json()) == [parameter]


def test_a_cursor_cannot_be_forged(client, catalog):
    forged = Signer(salt="another purpose").sign_object({"o": "code", "v": ["PQI 01"]})
    first = client.get(MEASURES, {"page_size": 2}).json()
    tampered = first["next"].replace("cursor=", "cursor=x")

    assert client.get(MEASURES, {"cursor": forged}).status_code == 400
    assert client.get(tampered).status_code == 400


def test_a_cursor_is_refused_under_another_ordering(client, catalog):
    first = client.get(MEASURES, {"page_size": 2}).json()

    response = client.get(first["next"] + "&ordering=-title")

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


@pytest.mark.parametrize("header", [
    "garbage", '"', "W/", "*", '"unterminated', ",,,", "W/W/\"x\"", "\u00e9t\u00e9",
    '"' + "a" * 5000 + '"', ", ".join(f'"{n}"' for n in range(500)),
])
def test_a_garbage_if_none_match_gets_the_full_answer(client, catalog, header):
    for url in (MEASURES, f"{MEASURES}PQI%2001/", "/api/v1/tools/"):
        response = client.get(url, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 200, (url, header)


@pytest.mark.parametrize("path", [
    "/api/v1/measures/%00/",
    "/api/v1/measures/PQI%00/",
    "/api/v1/measures/" + "x" * 3000 + "/",
    "/api/v1/measures/%F0%9F%92%A9/",
    "/api/v1/measures/../",
    "/api/v1/measures/a/b/",
    "/api/v1/measure-sets/%00/",
    "/api/v1/tools/%00/",
    "/api/v1/tools/%E2%80%AE/",
])
def test_odd_codes_are_404_never_500(client, catalog, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/api/v1/adoptions/0/",
    "/api/v1/adoptions/99999999999999999999999/",
    "/api/v1/incentive-programs/9223372036854775808/",
])
def test_odd_ids_are_404_never_500(client, staff_token, path):
    assert client.get(path, **staff_token).status_code == 404


@pytest.mark.parametrize("query", [
    "search=" + "ulcer " * 500,
    "domain=%25%25%25&setting=_",
    "search=%27%3B%20DROP%20TABLE%20measures_measure%3B--",
    "search=%F0%9F%92%A9",
    "unknown=parameter&page_size=2",
    "page_size=%D9%A3",
    "format=json&format=csv",
    "set=&type=&level=&status=",
])
def test_odd_queries_never_give_a_500(client, catalog, query):
    response = client.get(f"{MEASURES}?{query}")

    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize("body", [
    "[]", "null", "0", '"text"', '{"coalition": {"id": 1}}', '{"measure": ["PQI 01"]}',
    '{"coalition": 99999999999999999999999, "measure": "PQI 01", "use": "p4p", '
    '"stage": "planned"}',
    '{"stage_since": "2026-02-30"}', '{"notes": null}', '{"use": "p4p\\u0000"}',
])
def test_odd_bodies_are_400_never_500(client, staff_token, catalog, coalition, body):
    for url in ("/api/v1/adoptions/", "/api/v1/incentive-programs/"):
        response = client.post(url, body, content_type="application/json", **staff_token)
        assert response.status_code == 400, (url, body, response.content)


def test_a_form_encoded_body_is_415(client, staff_token, coalition):
    response = client.post("/api/v1/adoptions/", {"coalition": coalition.pk}, **staff_token)

    assert response.status_code == 415


@pytest.mark.parametrize("authorization", [
    "Bearer", "Bearer a b", "Bearer \u00e9", "Bearer " + "x" * 5000, "Bearer revoked-or-not",
])
def test_a_bad_token_is_401_even_on_public_reads(client, catalog, authorization):
    response = client.get(MEASURES, HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response.json()["detail"]


def test_another_authorization_scheme_is_left_to_the_others(client, catalog):
    assert client.get(MEASURES, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 200
