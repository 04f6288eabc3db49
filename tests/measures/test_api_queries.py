"""Every list endpoint answers in the same, pinned number of queries at 10 rows and at 500."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from accounts.models import ApiToken
from measures import services
from measures.models import IncentiveProgram, Measure, MeasureAdoption, MeasureSet, Tool
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def read_the_version_every_time(settings):
    """The pinned counts include the catalog-version query."""
    settings.CATALOG_VERSION_SECONDS = 0


def add_measures(n, *, start=0):
    """``n`` measures in three sets, every tenth a composite of the two before it."""
    sets = [factories.MeasureSetFactory(code=code) for code in ("QA", "QB", "QC")]
    measures = Measure.objects.bulk_create(
        Measure(
            measure_set=sets[i % 3], code=f"M {i:04d}", slug=slugify(f"M {i:04d}"),
            title=f"Measure {i}", type="composite" if i % 10 == 9 else "outcome",
        )
        for i in range(start, start + n)
    )
    for index, measure in enumerate(measures):
        if measure.type == "composite" and index >= 2:
            measure.components.set(measures[index - 2:index])
    services.catalog_changed()  # a bulk write says so itself
    return measures


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return len(context), [q["sql"] for q in context.captured_queries], response


def assert_constant(client, url, grow, *, expected, rows=lambda r: None, **headers):
    """Count the queries at the first size, grow to the second, count again: the same, and
    what this test pins."""
    grow(10)
    small, _, response = queries(client, url, **headers)
    small_rows = rows(response)
    grow(490)
    large, statements, response = queries(client, url, **headers)
    if small_rows is not None:
        assert (small_rows, rows(response)) == (10, 500), "the sizes are not 10 and 500"
    assert small == large == expected, (
        f"{url}: {small} queries at 10 rows, {large} at 500, pinned {expected}:\n"
        + "\n".join(statements)
    )


def results(response):
    return len(response.json()["results"])


def csv_rows(response):
    return len(response.content.decode().strip().splitlines()) - 1


@pytest.fixture
def grow_measures():
    made = []

    def grow(n):
        made.extend(add_measures(n, start=len(made)))

    return grow


def test_measure_list_is_constant(client, grow_measures):
    # catalog version, the page, every measure's components' and programs' codes (read once
    # per catalog version: the rows grew, so the version moved)
    assert_constant(client, "/api/v1/measures/?page_size=500", grow_measures, expected=3,
                    rows=results)


def test_measure_list_with_filters_is_constant(client, grow_measures):
    # + the set codes checked by the filter
    assert_constant(client, "/api/v1/measures/?page_size=500&set=QA&set=QB&set=QC"
                    "&type=outcome&type=composite&search=Measure", grow_measures, expected=4,
                    rows=results)


def test_measure_csv_is_constant(client, grow_measures):
    assert_constant(client, "/api/v1/measures/?format=csv", grow_measures, expected=3,
                    rows=csv_rows)


def test_a_later_page_costs_what_the_first_does(client):
    add_measures(30)
    first = client.get("/api/v1/measures/?page_size=10").json()

    count, _, _ = queries(client, first["next"])

    assert count == 2  # the version and the page: the relations are known for this version


def test_measure_detail_is_six_queries(client):
    composite = add_measures(10)[9]

    count, _, response = queries(client, f"/api/v1/measures/{composite.slug}/")

    # version, the measure, the catalog's components' and programs' codes, the composites it
    # is part of, its facts, its program memberships
    assert count == 6
    assert len(response.json()["components"]) == 2


def test_measure_set_list_is_constant(client):
    def grow(n):
        base = MeasureSet.objects.count()
        MeasureSet.objects.bulk_create(MeasureSet(code=f"S{base + i}", name=f"Set {base + i}")
                                       for i in range(n))
        services.catalog_changed()

    assert_constant(client, "/api/v1/measure-sets/?page_size=500", grow, expected=2,
                    rows=results)


def test_tool_list_is_constant(client):
    def grow(n):
        base = Tool.objects.count()
        Tool.objects.bulk_create(Tool(code=f"T{base + i}", title=f"Guide {base + i}")
                                 for i in range(n))
        services.catalog_changed()

    assert_constant(client, "/api/v1/tools/?page_size=500", grow, expected=2, rows=results)


@pytest.fixture
def grow_records(staff_user):
    made = {"n": 0}

    def grow(n):
        measures = add_measures(n, start=made["n"])
        made["n"] += n
        coalitions = [factories.CoalitionFactory() for _ in range(2)]
        for index, measure in enumerate(measures):
            owner = coalitions[index % 2]
            program = factories.IncentiveProgramFactory(coalition=owner)
            program.measures.set([measure])
            services.adoption_create(
                coalition=owner, measure=measure, use="p4p", stage="planned",
                stage_since=date(2026, 1, 5), actor=staff_user, incentive_program=program,
            )

    return grow


def token(user):
    ApiToken.objects.issue(user=user)
    _, raw = ApiToken.objects.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def used_token(client, user):
    headers = token(user)
    client.get("/api/v1/measure-sets/", **headers)  # its last use is now written
    return headers


def test_adoption_list_is_constant(client, staff_user, grow_records):
    headers = used_token(client, staff_user)
    # token, roles, coalitions in scope are a subquery: the page
    assert_constant(client, "/api/v1/adoptions/?page_size=500", grow_records, expected=3,
                    rows=results, **headers)


def test_adoption_list_as_of_a_day_is_constant(client, staff_user, grow_records):
    headers = used_token(client, staff_user)
    assert_constant(client, "/api/v1/adoptions/?page_size=500&as_of=2026-02-01", grow_records,
                    expected=3, rows=results, **headers)


def test_a_members_adoption_list_is_constant(client, grow_records, coalition, member_user):
    def grow(n):
        grow_records(n)
        MeasureAdoption.objects.update(coalition=coalition)
        IncentiveProgram.objects.update(coalition=coalition)

    headers = used_token(client, member_user)
    # token, roles, membership: the page
    assert_constant(client, "/api/v1/adoptions/?page_size=500&use=p4p", grow, expected=4,
                    rows=results, **headers)


def test_incentive_program_list_is_constant(client, staff_user, grow_records):
    headers = used_token(client, staff_user)
    # token, roles, the page, the programs' measures
    assert_constant(client, "/api/v1/incentive-programs/?page_size=500", grow_records,
                    expected=4, rows=results, **headers)


def test_a_token_is_checked_in_one_query_and_its_use_written_at_most_once_a_minute(
    client, lead_user
):
    headers = token(lead_user)

    first, _, _ = queries(client, "/api/v1/tools/", **headers)
    again, _, _ = queries(client, "/api/v1/tools/?page_size=5", **headers)

    assert first == again + 1, "the first use writes last_used_at"
    assert again == 3  # the token and its user, the version, the page
