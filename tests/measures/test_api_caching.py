"""ETags, 304s and the response cache: a client revalidates cheaply, and no answer outlives a
change to what it shows."""

import json
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from core.versions import version_bump
from measures import services
from measures.models import Measure
from measures.selectors import CATALOG_VERSION
from tests import factories

pytestmark = pytest.mark.django_db

CATALOG_URLS = [
    "/api/v1/measures/",
    "/api/v1/measures/?set=PQI&ordering=-title",
    "/api/v1/measures/?format=csv",
    "/api/v1/measures/PQI%2001/",
    "/api/v1/measures/pqi-90/",
    "/api/v1/measure-sets/",
    "/api/v1/measure-sets/PQI/",
    "/api/v1/tools/",
]



def catalog_lines(title="Diabetes Short-Term Complications Admission Rate", components=None):
    measure = {
        "record": "measure", "set": "PQI", "description": "", "steward": "AHRQ", "type": "",
        "level": "area", "domain": "", "setting": "", "data_source": "", "numerator": "",
        "denominator": "", "improvement_notation": "lower", "endorsement_number": "",
        "status": "current", "version": "v2024", "source_url": "",
    }
    records = [
        {"record": "measure_set", "code": "PQI", "name": "Prevention Quality Indicators",
         "steward": "AHRQ", "version": "v2024", "description": "", "source_url": ""},
        {**measure, "code": "PQI 01", "title": title},
        {**measure, "code": "PQI 05", "title": "COPD or Asthma in Older Adults"},
        {**measure, "code": "PQI 90", "title": "Prevention Quality Overall Composite",
         "type": "composite", "components": components or ["PQI 01"]},
        {"record": "tool", "code": "T1", "title": "Pay for Performance: A Decision Guide",
         "kind": "guide", "publisher": "AHRQ", "year": None, "description": "",
         "publication_number": "", "source_url": ""},
    ]
    return [json.dumps(record) for record in records]


@pytest.fixture
def catalog():
    services.catalog_load(catalog_lines())


def etags(client, urls=CATALOG_URLS):
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        found[url] = response["ETag"]
    return found


def test_every_catalog_answer_has_an_etag_and_may_be_kept_by_public_caches(client, catalog):
    for url in CATALOG_URLS:
        response = client.get(url)
        assert response["ETag"].startswith('"'), url
        assert response["Cache-Control"] == "public, max-age=60", url
        assert "Accept" in response["Vary"], url


@pytest.mark.parametrize("url", CATALOG_URLS)
def test_if_none_match_with_the_current_etag_answers_304_without_a_body(client, catalog, url):
    etag = client.get(url)["ETag"]

    for header in (etag, f"W/{etag}", f'"other", {etag}'):
        response = client.get(url, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"] == "public, max-age=60"


def test_an_old_or_foreign_etag_gets_the_full_answer(client, catalog):
    assert client.get("/api/v1/measures/", HTTP_IF_NONE_MATCH='"abc"').status_code == 200
    other = client.get("/api/v1/tools/")["ETag"]
    assert client.get("/api/v1/measures/", HTTP_IF_NONE_MATCH=other).status_code == 200


def test_json_and_csv_pages_and_filters_each_have_their_own_etag(client, catalog):
    found = etags(client)

    assert len(set(found.values())) == len(found)


def test_editing_a_measure_changes_the_etag_of_every_answer_that_shows_it(client, catalog):
    before = etags(client)
    measure = Measure.objects.get(code="PQI 01")
    measure.title = "Diabetes Short-Term Complications (revised)"
    measure.save()

    after = etags(client)

    for url in CATALOG_URLS:
        assert after[url] != before[url], url
        old = client.get(url, HTTP_IF_NONE_MATCH=before[url])
        assert old.status_code == 200, f"{url}: the old ETag must not get a 304"
    assert client.get("/api/v1/measures/PQI%2001/").json()["title"].endswith("(revised)")
    assert "(revised)" in client.get("/api/v1/measures/?format=csv").content.decode()
    filtered = client.get("/api/v1/measures/?set=PQI&ordering=-title").json()["results"]
    assert any(row["title"].endswith("(revised)") for row in filtered)


def test_reloading_the_catalog_moves_the_etags_only_when_a_measure_changed(client, catalog):
    before = etags(client)

    services.catalog_load(catalog_lines())
    assert etags(client) == before, "an identical reload changes nothing"

    services.catalog_load(catalog_lines(title="Diabetes Short-Term Complications Rate"))
    changed = etags(client)
    assert changed["/api/v1/measures/PQI%2001/"] != before["/api/v1/measures/PQI%2001/"]
    assert changed["/api/v1/measures/"] != before["/api/v1/measures/"]
    assert client.get("/api/v1/measures/PQI%2001/").json()["title"] == (
        "Diabetes Short-Term Complications Rate"
    )


def test_a_new_composition_of_a_composite_reaches_its_answer(client, catalog):
    before = client.get("/api/v1/measures/pqi-90/")

    services.catalog_load(catalog_lines(components=["PQI 01", "PQI 05"]))
    after = client.get("/api/v1/measures/pqi-90/")

    assert after["ETag"] != before["ETag"]
    assert after.json()["components"] == ["PQI 01", "PQI 05"]


def test_a_bulk_update_through_the_service_moves_every_etag(client, catalog, staff_user):
    before = etags(client)

    changed = services.measure_bulk_update(
        measures=Measure.objects.filter(code__in=["PQI 01", "PQI 05"]), actor=staff_user,
        status=Measure.Status.RETIRED,
    )

    assert changed == 2
    after = etags(client)
    for url in CATALOG_URLS:
        assert after[url] != before[url], url
    assert client.get("/api/v1/measures/PQI%2001/").json()["status"] == "retired"


def test_a_bulk_update_with_a_wrong_value_changes_nothing(client, catalog, staff_user):
    before = etags(client)

    with pytest.raises(ValidationError) as refused:
        services.measure_bulk_update(
            measures=Measure.objects.all(), actor=staff_user, status="draft", code="X",
        )

    assert set(refused.value.message_dict) == {"status", "code"}
    assert etags(client) == before
    assert not Measure.objects.filter(status="draft").exists()


def test_a_change_saved_by_a_host_whose_clock_is_behind_still_moves_every_etag(
    client, catalog, monkeypatch
):
    """The old version, a hash of the newest updated_at and the row count, missed this: the
    edited row's time is older than the newest, and the count does not change."""
    before = etags(client)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: an_hour_ago)
    measure = Measure.objects.get(code="PQI 05")
    measure.title = "COPD or Asthma in Older Adults (revised)"
    measure.save()
    monkeypatch.undo()

    after = etags(client)

    for url in CATALOG_URLS:
        assert after[url] != before[url], url
    assert "(revised)" in client.get("/api/v1/measures/?format=csv").content.decode()


def test_a_rolled_back_change_moves_no_etag(client, catalog):
    before = etags(client)

    with pytest.raises(RuntimeError), transaction.atomic():
        measure = Measure.objects.get(code="PQI 01")
        measure.title = "Never committed"
        measure.save()
        services.catalog_changed()
        raise RuntimeError("the change fails half-way")

    assert etags(client) == before
    assert client.get("/api/v1/measures/PQI%2001/").json()["title"] != "Never committed"


def cache_size():
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return len(backend._cache)
    return len(backend._cache.get_client().keys(backend.make_key("*")))


def test_unknown_parameters_are_refused_and_never_fill_the_cache(client, catalog, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "100000/day"}}
    client.get("/api/v1/measures/")
    size = cache_size()

    answers = {client.get("/api/v1/measures/", {f"junk{n}": n}).status_code
               for n in range(1000)}

    assert answers == {400}
    assert cache_size() <= size + 1  # at most a new throttle window


def test_a_new_composition_reaches_the_list_though_each_process_keeps_the_relations(
    client, catalog, settings
):
    settings.API_CACHE_TIMEOUT = 0  # every answer made afresh: the relations' memo alone

    def components():
        rows = client.get("/api/v1/measures/").json()["results"]
        return next(row["components"] for row in rows if row["code"] == "PQI 90")

    assert components() == ["PQI 01"]
    services.catalog_load(catalog_lines(components=["PQI 01", "PQI 05"]))

    assert components() == ["PQI 01", "PQI 05"]


def test_a_repeated_answer_comes_from_the_cache_without_reading_the_catalog(
    client, catalog, settings
):
    url = "/api/v1/measures/?set=PQI"
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]

    # Once the version's moment is over, the repeat costs the version query and no more.
    settings.CATALOG_VERSION_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        third = client.get(url)
    assert third.content == first.content
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]


def test_a_change_made_by_another_process_shows_once_the_version_is_read_again(
    client, catalog, settings
):
    url = "/api/v1/measures/?set=PQI"
    before = client.get(url)["ETag"]
    # Another process (a loader, another web worker) edits a measure and moves the version
    # in its transaction; this process is not told.
    Measure.objects.filter(code="PQI 01").update(title="Edited elsewhere",
                                                 updated_at=timezone.now())
    version_bump(CATALOG_VERSION)
    assert client.get(url)["ETag"] == before, "within the moment the version is reused"
    settings.CATALOG_VERSION_SECONDS = 0
    response = client.get(url)
    assert response["ETag"] != before
    assert "Edited elsewhere" in response.content.decode()


def test_a_repeated_csv_answer_keeps_its_content_type_and_file_name(client, catalog):
    first = client.get("/api/v1/measures/?format=csv")
    again = client.get("/api/v1/measures/?format=csv")

    assert again.content == first.content
    assert again["Content-Type"] == "text/csv; charset=utf-8"
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_a_token_holder_gets_the_same_answer_and_etag_as_the_public(client, catalog, lead_user):
    _, raw = ApiToken.objects.issue(user=lead_user)
    public = client.get("/api/v1/measures/")
    with_token = client.get("/api/v1/measures/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert with_token.status_code == 200
    assert with_token["ETag"] == public["ETag"]
    assert with_token.content == public.content
    assert client.get(
        "/api/v1/measures/", HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IF_NONE_MATCH=public["ETag"],
    ).status_code == 304


# --- coalitions' own records --------------------------------------------------------------------


def test_private_lists_have_an_etag_of_their_content_and_are_never_kept_by_shared_caches(
    client, staff_user, coalition
):
    factories.MeasureAdoptionFactory(coalition=coalition)
    client.force_login(staff_user)
    first = client.get("/api/v1/adoptions/")

    assert first["Cache-Control"] == "private, no-cache"
    assert client.get(
        "/api/v1/adoptions/", HTTP_IF_NONE_MATCH=first["ETag"]
    ).status_code == 304

    factories.MeasureAdoptionFactory(coalition=coalition)
    assert client.get(
        "/api/v1/adoptions/", HTTP_IF_NONE_MATCH=first["ETag"]
    ).status_code == 200
