"""Adoptions and incentive programs over the API: a token (or a session), the same scope and
rules as the pages, writes through measures.services, and its errors as 400 naming the field."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from measures import services
from measures.models import AdoptionStageChange, IncentiveProgram, MeasureAdoption
from tests import factories

pytestmark = pytest.mark.django_db

ADOPTIONS = "/api/v1/adoptions/"
PROGRAMS = "/api/v1/incentive-programs/"



def bearer(user):
    _, raw = ApiToken.objects.issue(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


class Api:
    """A client that sends a user's token with every request, and JSON bodies."""

    def __init__(self, client, user):
        self.client, self.headers = client, bearer(user)

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, **self.headers, **extra)

    def post(self, url, body):
        return self.client.post(url, body, content_type="application/json", **self.headers)

    def patch(self, url, body):
        return self.client.patch(url, body, content_type="application/json", **self.headers)

    def delete(self, url):
        return self.client.delete(url, **self.headers)


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(code="PQI 01")


@pytest.fixture
def home_adoption(coalition, measure):
    return factories.MeasureAdoptionFactory(coalition=coalition, measure=measure)


@pytest.fixture
def foreign_adoption(other_coalition, measure):
    return factories.MeasureAdoptionFactory(coalition=other_coalition, measure=measure)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- who reads what -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ADOPTIONS, PROGRAMS, f"{ADOPTIONS}1/", f"{PROGRAMS}1/"])
def test_records_need_a_token_or_a_session(client, url):
    response = client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert client.post(url, {}, content_type="application/json").status_code == 401


def test_a_member_reads_only_their_own_coalitions_records(
    api, member_user, home_adoption, foreign_adoption, coalition, other_coalition
):
    home_program = factories.IncentiveProgramFactory(coalition=coalition)
    factories.IncentiveProgramFactory(coalition=other_coalition)
    member = api(member_user)

    assert ids(member.get(ADOPTIONS)) == [home_adoption.pk]
    assert ids(member.get(PROGRAMS)) == [home_program.pk]


@pytest.mark.parametrize("role", ["staff_user", "evaluator_user"])
def test_staff_and_evaluators_read_every_coalitions_records(
    api, request, role, home_adoption, foreign_adoption
):
    reader = api(request.getfixturevalue(role))

    assert sorted(ids(reader.get(ADOPTIONS))) == sorted([home_adoption.pk, foreign_adoption.pk])


def test_another_coalitions_records_are_404_to_read_change_or_delete(
    api, lead_user, foreign_adoption, other_coalition
):
    program = factories.IncentiveProgramFactory(coalition=other_coalition)
    lead = api(lead_user)

    for url in (f"{ADOPTIONS}{foreign_adoption.pk}/", f"{PROGRAMS}{program.pk}/"):
        assert lead.get(url).status_code == 404
        assert lead.patch(url, {"notes": "mine now"}).status_code == 404
    assert lead.delete(f"{ADOPTIONS}{foreign_adoption.pk}/").status_code == 404
    assert MeasureAdoption.objects.filter(pk=foreign_adoption.pk, notes="").exists()


def test_an_adoption_shows_its_stage_history(api, lead_user, coalition, measure):
    adoption = services.adoption_create(
        coalition=coalition, measure=measure, use="p4p", stage="considering",
        stage_since=date(2026, 1, 5), actor=lead_user,
    )
    services.adoption_update(adoption=adoption, actor=lead_user, stage="piloting",
                             changed_on=date(2026, 3, 1))

    body = api(lead_user).get(f"{ADOPTIONS}{adoption.pk}/").json()

    assert body["measure"] == "PQI 01"
    assert body["coalition_name"] == "Home Coalition"
    assert [(c["stage"], c["changed_on"]) for c in body["stage_history"]] == [
        ("considering", "2026-01-05"), ("piloting", "2026-03-01"),
    ]


# --- who writes -----------------------------------------------------------------------------------


def test_a_lead_records_an_adoption_of_their_coalition(api, lead_user, coalition, measure):
    response = api(lead_user).post(ADOPTIONS, {
        "coalition": coalition.pk, "measure": "PQI 01", "use": "public_reporting",
        "stage": "planned", "stage_since": "2026-02-01", "notes": "Report card 2027",
    })

    assert response.status_code == 201, response.content
    adoption = MeasureAdoption.objects.get()
    assert response["Location"] == f"http://testserver{ADOPTIONS}{adoption.pk}/"
    assert response.json()["stage_history"] == [
        {"stage": "planned", "changed_on": "2026-02-01",
         "recorded_at": response.json()["stage_history"][0]["recorded_at"]},
    ]
    change = AdoptionStageChange.objects.get()
    assert change.recorded_by == lead_user


def test_a_lead_cannot_record_for_another_coalition(api, lead_user, other_coalition, measure):
    response = api(lead_user).post(ADOPTIONS, {
        "coalition": other_coalition.pk, "measure": "PQI 01", "use": "p4p",
        "stage": "planned",
    })

    assert response.status_code == 400
    assert list(response.json()) == ["coalition"]
    assert not MeasureAdoption.objects.exists()


@pytest.mark.parametrize("role", ["evaluator_user", "member_user"])
def test_evaluators_and_members_read_but_never_write(
    api, request, role, coalition, measure, home_adoption
):
    reader = api(request.getfixturevalue(role))
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P 2026")

    created = reader.post(ADOPTIONS, {"coalition": coalition.pk, "measure": "PQI 01",
                                      "use": "p4p", "stage": "planned"})
    changed = reader.patch(f"{ADOPTIONS}{home_adoption.pk}/", {"stage": "discontinued"})
    deleted = reader.delete(f"{ADOPTIONS}{home_adoption.pk}/")
    program_created = reader.post(PROGRAMS, {"coalition": coalition.pk, "name": "Another",
                                             "kind": "p4p"})
    program_changed = reader.patch(f"{PROGRAMS}{program.pk}/", {"name": "Renamed"})

    assert [r.status_code for r in (created, changed, deleted, program_created,
                                     program_changed)] == [403] * 5
    assert "Home Coalition" in changed.json()["detail"]
    home_adoption.refresh_from_db()
    assert home_adoption.stage == "implemented"
    assert MeasureAdoption.objects.count() == 1
    assert list(IncentiveProgram.objects.values_list("name", flat=True)) == ["P4P 2026"]


def test_staff_write_for_any_coalition(api, staff_user, other_coalition, measure):
    staff = api(staff_user)

    created = staff.post(ADOPTIONS, {"coalition": other_coalition.pk, "measure": "PQI 01",
                                     "use": "p4p", "stage": "considering"})
    assert created.status_code == 201, created.content
    url = created.json()["url"]
    assert staff.patch(url, {"stage": "planned"}).json()["stage"] == "planned"
    assert staff.delete(url).status_code == 204
    assert not MeasureAdoption.objects.exists()


def test_writes_by_session_need_the_csrf_token(lead_user, coalition, measure):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lead_user)

    response = browser.post(ADOPTIONS, {"coalition": coalition.pk, "measure": "PQI 01",
                                        "use": "p4p", "stage": "planned"},
                            content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert browser.get(ADOPTIONS).status_code == 200


# --- the services' rules, as 400 naming the field -------------------------------------------------


def test_a_measure_is_recorded_once_per_use(api, lead_user, coalition, home_adoption):
    response = api(lead_user).post(ADOPTIONS, {
        "coalition": coalition.pk, "measure": "PQI 01", "use": home_adoption.use,
        "stage": "planned",
    })

    assert response.status_code == 400
    assert response.json() == {"measure": [
        "Home Coalition already records PQI 01 for public reporting; change its stage instead."
    ]}


def test_a_future_date_is_refused_naming_the_field(api, lead_user, coalition, measure):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api(lead_user).post(ADOPTIONS, {
        "coalition": coalition.pk, "measure": "PQI 01", "use": "p4p", "stage": "planned",
        "stage_since": tomorrow,
    })

    assert response.status_code == 400
    assert response.json() == {"stage_since": ["The date cannot be in the future."]}


def test_a_stage_change_cannot_be_dated_before_the_current_stage(
    api, lead_user, home_adoption
):
    lead = api(lead_user)
    url = f"{ADOPTIONS}{home_adoption.pk}/"

    early = lead.patch(url, {"stage": "discontinued", "changed_on": "2026-02-01"})
    assert early.status_code == 400
    assert list(early.json()) == ["changed_on"]
    assert "March 1, 2026" in early.json()["changed_on"][0]

    later = lead.patch(url, {"stage": "discontinued", "changed_on": "2026-04-01"})
    assert later.status_code == 200, later.content
    assert later.json()["stage"] == "discontinued"
    assert later.json()["stage_since"] == "2026-04-01"
    assert later.json()["stage_history"][-1]["stage"] == "discontinued"


def test_an_adoption_cannot_point_at_another_coalitions_program(
    api, staff_user, home_adoption, other_coalition
):
    foreign_program = factories.IncentiveProgramFactory(coalition=other_coalition)

    response = api(staff_user).patch(f"{ADOPTIONS}{home_adoption.pk}/",
                                     {"incentive_program": foreign_program.pk})

    assert response.status_code == 400
    assert response.json() == {
        "incentive_program": ["That incentive program belongs to another coalition."]
    }


def test_a_lead_cannot_even_name_another_coalitions_program(
    api, lead_user, home_adoption, other_coalition
):
    foreign_program = factories.IncentiveProgramFactory(coalition=other_coalition)

    response = api(lead_user).patch(f"{ADOPTIONS}{home_adoption.pk}/",
                                    {"incentive_program": foreign_program.pk})

    assert response.status_code == 400
    assert list(response.json()) == ["incentive_program"]


def test_a_body_of_the_wrong_shape_is_400_naming_each_field(api, lead_user, coalition):
    response = api(lead_user).post(ADOPTIONS, {"coalition": coalition.pk, "measure": "NOPE",
                                               "use": "bribery"})

    assert response.status_code == 400
    assert set(response.json()) == {"measure", "use", "stage"}


def test_a_body_that_is_not_json_is_400(api, lead_user, client):
    response = client.post(ADOPTIONS, "{not json", content_type="application/json",
                           **bearer(lead_user))

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_an_active_program_needs_its_launch_date(api, lead_user, coalition, measure):
    response = api(lead_user).post(PROGRAMS, {
        "coalition": coalition.pk, "name": "Hospital P4P", "kind": "p4p", "status": "active",
        "measures": ["PQI 01"],
    })

    assert response.status_code == 400
    assert response.json() == {"launch_date": ["An active program needs its launch date."]}
    assert not IncentiveProgram.objects.exists()


def test_a_lead_records_and_changes_an_incentive_program(api, lead_user, coalition, measure):
    lead = api(lead_user)
    factories.MeasureFactory(code="PSI 03")

    created = lead.post(PROGRAMS, {
        "coalition": coalition.pk, "name": "Hospital P4P", "kind": "p4p", "status": "active",
        "launch_date": "2026-01-01", "measures": ["PSI 03", "PQI 01"],
        "providers": "General Hospital",
    })
    assert created.status_code == 201, created.content
    assert created.json()["measures"] == ["PQI 01", "PSI 03"]

    changed = lead.patch(created.json()["url"], {"measures": ["PSI 03"], "status": "ended"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["measures"] == ["PSI 03"]
    assert changed.json()["status"] == "ended"
    assert changed.json()["name"] == "Hospital P4P"

    duplicate = lead.post(PROGRAMS, {"coalition": coalition.pk, "name": "Hospital P4P",
                                     "kind": "report_card"})
    assert duplicate.status_code == 400
    # The model's constraint speaks of the record as a whole (see the report to measures).
    assert "already" in str(duplicate.json())


@pytest.mark.parametrize(("method", "service"), [
    ("post-adoption", "adoption_create"),
    ("patch-adoption", "adoption_update"),
    ("delete-adoption", "adoption_archive"),
    ("post-program", "incentive_program_create"),
    ("patch-program", "incentive_program_update"),
])
def test_every_write_goes_through_its_service(
    api, monkeypatch, staff_user, coalition, measure, home_adoption, method, service
):
    calls = []
    real = getattr(services, service)

    def spy(**kwargs):
        calls.append(kwargs["actor"])
        return real(**kwargs)

    monkeypatch.setattr(services, service, spy)
    staff = api(staff_user)
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P")
    other = factories.MeasureFactory(code="PQI 02")
    response = {
        "post-adoption": lambda: staff.post(ADOPTIONS, {
            "coalition": coalition.pk, "measure": other.code, "use": "p4p",
            "stage": "planned"}),
        "patch-adoption": lambda: staff.patch(f"{ADOPTIONS}{home_adoption.pk}/",
                                              {"notes": "Moved to 2027"}),
        "delete-adoption": lambda: staff.delete(f"{ADOPTIONS}{home_adoption.pk}/"),
        "post-program": lambda: staff.post(PROGRAMS, {"coalition": coalition.pk,
                                                      "name": "Report card", "kind": "p4p"}),
        "patch-program": lambda: staff.patch(f"{PROGRAMS}{program.pk}/", {"name": "P4P 2"}),
    }[method]()

    assert response.status_code in (200, 201, 204), response.content
    assert calls == [staff_user]


# --- filters and a day in the past ----------------------------------------------------------------


def test_adoptions_filter_by_coalition_measure_use_and_stage(
    api, staff_user, coalition, other_coalition, measure
):
    other_measure = factories.MeasureFactory(code="PSI 03")
    a = factories.MeasureAdoptionFactory(coalition=coalition, measure=measure, use="p4p",
                                         stage="piloting")
    b = factories.MeasureAdoptionFactory(coalition=coalition, measure=other_measure,
                                         use="public_reporting")
    c = factories.MeasureAdoptionFactory(coalition=other_coalition, measure=measure,
                                         use="public_reporting")
    staff = api(staff_user)

    assert sorted(ids(staff.get(ADOPTIONS, {"coalition": coalition.pk}))) == [a.pk, b.pk]
    assert sorted(ids(staff.get(ADOPTIONS, {"measure": "PQI 01"}))) == [a.pk, c.pk]
    assert sorted(ids(staff.get(ADOPTIONS, {"use": "public_reporting"}))) == [b.pk, c.pk]
    assert ids(staff.get(ADOPTIONS, {"stage": "piloting"})) == [a.pk]


def test_as_of_gives_each_adoption_with_its_stage_on_that_day(
    api, lead_user, coalition, measure
):
    adoption = services.adoption_create(
        coalition=coalition, measure=measure, use="p4p", stage="considering",
        stage_since=date(2026, 1, 5), actor=lead_user,
    )
    services.adoption_update(adoption=adoption, actor=lead_user, stage="implemented",
                             changed_on=date(2026, 6, 15))
    lead = api(lead_user)

    def on(day, **filters):
        rows = lead.get(ADOPTIONS, {"as_of": day, **filters}).json()["results"]
        return [(row["stage"], row["stage_since"]) for row in rows]

    assert on("2026-01-04") == []
    assert on("2026-03-01") == [("considering", "2026-01-05")]
    assert on("2026-07-01") == [("implemented", "2026-06-15")]
    assert on("2026-03-01", stage="implemented") == []
    assert on("2026-07-01", stage="implemented") == [("implemented", "2026-06-15")]


def test_as_of_shows_only_what_the_user_may_see(
    api, member_user, staff_user, coalition, other_coalition, measure
):
    for owner in (coalition, other_coalition):
        services.adoption_create(coalition=owner, measure=measure, use="p4p",
                                 stage="planned", stage_since=date(2026, 1, 5),
                                 actor=staff_user)

    rows = api(member_user).get(ADOPTIONS, {"as_of": "2026-02-01"}).json()["results"]

    assert [row["coalition"] for row in rows] == [coalition.pk]


def test_a_member_cannot_filter_by_another_coalition(api, member_user, other_coalition):
    response = api(member_user).get(ADOPTIONS, {"coalition": other_coalition.pk})

    assert response.status_code == 400
    assert list(response.json()) == ["coalition"]


def test_records_export_as_csv(api, staff_user, home_adoption):
    response = api(staff_user).get(ADOPTIONS, {"format": "csv"})

    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("id,url,coalition,coalition_name,measure,")
    assert "PQI 01" in lines[1]
