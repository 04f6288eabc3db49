"""Events and registrations over the REST API: anonymous, token and session callers, the
pages' rules and messages through workshops.services, join links only for whom may see them,
ETags and 304, and lists in the same number of queries at any size."""

from datetime import UTC, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from tests import factories
from tests.queries import assert_constant, count_queries
from workshops import services
from workshops.models import Event, Registration

from .conftest import make_event

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
Status = Registration.Status
JOIN = "https://meet.example.org/j/123"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # the throttles count in the cache; each test starts with none
    yield
    cache.clear()


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

    def delete(self, url):
        return self.client.delete(url, **self.headers)


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


def registrations_url(event):
    return f"{EVENTS}{event.pk}/registrations/"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def utc_text(moment):
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_event_body(program, /, **fields):
    start = timezone.now() + timedelta(days=30)
    return {
        "program": program.code, "kind": "workshop", "title": "Paying for quality",
        "start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat(),
        "timezone": "America/Chicago", "capacity": 40, **fields,
    }


# --- reading events -------------------------------------------------------------------------


def test_anyone_lists_published_events_with_the_documented_fields(client, program, staff_user):
    event = make_event(program, staff_user, capacity=10, per_coalition_limit=2, offer_hours=48)
    make_event(program, staff_user, title="Not yet", status=Event.Status.DRAFT)

    rows = results(client.get(EVENTS))

    assert [row["title"] for row in rows] == [event.title]
    row = rows[0]
    assert row == {
        "id": event.pk, "program": program.code, "kind": "web_conference",
        "title": event.title, "start": utc_text(event.start), "end": utc_text(event.end),
        "timezone": "America/Chicago", "capacity": 10, "per_coalition_limit": 2,
        "waiting_list": True, "offer_hours": 48, "requires_approval": False,
        "status": "published", "seats_left": 10,
        "ics_url": f"http://testserver/events/{event.pk}/event.ics",
    }
    assert "join_url" not in row


def test_cancelled_and_completed_events_are_listed_with_their_status(client, program,
                                                                      staff_user):
    cancelled = make_event(program, staff_user, title="Called off")
    services.event_cancel(event=cancelled, actor=staff_user)

    assert [(r["title"], r["status"]) for r in results(client.get(EVENTS))] == [
        ("Called off", "cancelled")
    ]


def test_drafts_are_for_staff_and_evaluators_only(client, api, program, staff_user,
                                                  evaluator_user, lead_user):
    draft = make_event(program, staff_user, status=Event.Status.DRAFT)

    for user in (staff_user, evaluator_user):
        assert [r["id"] for r in results(api(user).get(EVENTS))] == [draft.pk]
        assert api(user).get(f"{EVENTS}{draft.pk}/").status_code == 200
    assert results(api(lead_user).get(EVENTS)) == []
    assert api(lead_user).get(f"{EVENTS}{draft.pk}/").status_code == 404
    assert client.get(f"{EVENTS}{draft.pk}/").status_code == 404


def test_seats_left_counts_seats_held_and_null_is_unlimited(client, program, staff_user,
                                                           register):
    event = make_event(program, staff_user, capacity=2)
    unlimited = make_event(program, staff_user, capacity=None, title="Open to all")
    register(event, "a@example.org")
    register(event, "b@example.org")
    register(event, "c@example.org")  # waits

    seats = {r["id"]: r["seats_left"] for r in results(client.get(EVENTS))}

    assert seats == {event.pk: 0, unlimited.pk: None}
    assert client.get(f"{EVENTS}{event.pk}/").json()["seats_left"] == 0


def test_filters_by_program_kind_and_start(client, program, staff_user):
    other_program = factories.ProgramFactory(code="state-vbp")
    now = timezone.now()
    soon = make_event(program, staff_user, title="Soon", start=now + timedelta(days=2),
                      end=now + timedelta(days=2, hours=1))
    later = make_event(program, staff_user, title="Later", kind=Event.Kind.WORKSHOP,
                       start=now + timedelta(days=20), end=now + timedelta(days=20, hours=1))
    elsewhere = make_event(other_program, staff_user, title="Elsewhere")

    def titles(**params):
        return [r["title"] for r in results(client.get(EVENTS, params))]

    assert titles(program="state-vbp") == [elsewhere.title]
    assert titles(kind="workshop") == [later.title]
    middle = (now + timedelta(days=5)).isoformat()
    assert titles(start_after=middle) == ["Elsewhere", "Later"]
    assert titles(start_before=middle, program=program.code) == [soon.title]


@pytest.mark.parametrize(("param", "value"), [
    ("program", "no-such-program"), ("kind", "party"), ("start_after", "next tuesday"),
    ("start_before", "2026-13-45"), ("ordering", "price"), ("cursor", "forged"),
])
def test_a_bad_filter_value_is_a_400_naming_it(client, param, value, program):
    response = client.get(EVENTS, {param: value})

    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_events_come_in_cursor_pages(client, program, staff_user):
    now = timezone.now()
    for day in range(5):
        make_event(program, staff_user, title=f"Day {day}", start=now + timedelta(days=day + 1),
                   end=now + timedelta(days=day + 1, hours=1))

    first = client.get(EVENTS, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    seen = [r["title"] for page in (first, second, third) for r in page["results"]]
    assert seen == [f"Day {day}" for day in range(5)]
    assert third["next"] is None
    assert [r["title"] for r in client.get(second["previous"]).json()["results"]] == [
        "Day 0", "Day 1"
    ]


# --- the join link ----------------------------------------------------------------------------


def test_the_join_link_is_for_staff_and_confirmed_registrants_only(
    client, api, program, staff_user, lead_user, member_user, register, coalition
):
    event = make_event(program, staff_user, capacity=1)
    register(event, member_user.email)  # the seat
    register(event, lead_user.email)  # waits
    detail = f"{EVENTS}{event.pk}/"

    def sees_link(response):
        assert response.status_code == 200
        body = response.json()
        row = body["results"][0] if "results" in body else body
        return row.get("join_url")

    assert sees_link(api(staff_user).get(EVENTS)) == JOIN
    assert sees_link(api(member_user).get(EVENTS)) == JOIN
    assert sees_link(api(member_user).get(detail)) == JOIN
    assert sees_link(api(lead_user).get(EVENTS)) is None  # waiting is not confirmed
    assert sees_link(api(lead_user).get(detail)) is None
    assert sees_link(client.get(EVENTS)) is None
    client.force_login(member_user)  # a session works as a token does
    assert sees_link(client.get(detail)) == JOIN


def test_a_cancelled_registrant_loses_the_join_link(api, program, staff_user, member_user,
                                                    register):
    event = make_event(program, staff_user)
    registration = register(event, member_user.email.upper())
    assert api(member_user).get(f"{EVENTS}{event.pk}/").json()["join_url"] == JOIN

    services.registration_cancel(registration=registration, actor=staff_user)

    assert "join_url" not in api(member_user).get(f"{EVENTS}{event.pk}/").json()


# --- ETags --------------------------------------------------------------------------------------


def test_an_unchanged_list_answers_304_and_a_registration_moves_its_etag(
    client, program, staff_user, register
):
    event = make_event(program, staff_user)
    first = client.get(EVENTS)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}

    again = client.get(EVENTS, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    register(event, "a@example.org")  # seats_left moves
    changed = client.get(EVENTS, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["results"][0]["seats_left"] == 9
    detail = client.get(f"{EVENTS}{event.pk}/")
    assert client.get(f"{EVENTS}{event.pk}/",
                      HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


def test_an_offer_that_runs_out_frees_its_seat_in_the_api_at_once(
    client, program, staff_user, register, settings
):
    """seats_left moves with the clock alone (an offer expires, nothing is written yet): the
    ETag, a hash of the answer, moves with it; a version bumped by writes would not."""
    event = make_event(program, staff_user, capacity=1, offer_hours=1)
    first = register(event, "a@example.org")
    register(event, "b@example.org")
    services.registration_cancel(registration=first, actor=staff_user)  # b is offered it
    before = client.get(f"{EVENTS}{event.pk}/")
    assert before.json()["seats_left"] == 0

    Registration.objects.filter(status=Status.OFFERED).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    after = client.get(f"{EVENTS}{event.pk}/", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["seats_left"] == 1


def test_a_callers_etag_differs_where_the_join_link_does(api, client, program, staff_user,
                                                         member_user, register):
    event = make_event(program, staff_user)
    register(event, member_user.email)
    anonymous = client.get(EVENTS)
    member = api(member_user).get(EVENTS)

    assert member["ETag"] != anonymous["ETag"]
    assert member["Cache-Control"] == "private, no-cache"
    # the anonymous ETag does not answer the member's request with a 304
    assert api(member_user).get(EVENTS, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 200


# --- creating events --------------------------------------------------------------------------


def test_staff_create_a_published_event(api, program, staff_user):
    response = api(staff_user).post(EVENTS, new_event_body(
        program, status="published", per_coalition_limit=3, offer_hours=24,
        requires_approval=True, waiting_list=False,
    ))

    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get()
    assert body["id"] == event.pk
    assert response["Location"] == f"http://testserver{EVENTS}{event.pk}/"
    assert (event.status, event.capacity, event.per_coalition_limit, event.offer_hours,
            event.requires_approval, event.waiting_list) == ("published", 40, 3, 24, True, False)
    assert event.history.get().history_user == staff_user
    assert body["seats_left"] == 40
    assert body["join_url"] == ""  # staff see it, empty for an in-person workshop


def test_an_event_is_a_draft_unless_said(api, program, staff_user):
    response = api(staff_user).post(EVENTS, new_event_body(program))

    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def test_creating_an_event_is_for_staff(client, api, program, lead_user, evaluator_user):
    body = new_event_body(program)

    assert client.post(EVENTS, body, content_type="application/json").status_code == 401
    for user in (lead_user, evaluator_user):
        assert api(user).post(EVENTS, body).status_code == 403
    assert not Event.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"capacity": -1}, "capacity"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"program": "no-such-program"}, "program"),
    ({"kind": "party"}, "kind"),
    ({"title": ""}, "title"),
    ({"offer_hours": 0}, "offer_hours"),
    ({"start": "soon"}, "start"),
])
def test_bad_event_input_is_a_400_naming_the_field(api, program, staff_user, fields, field):
    response = api(staff_user).post(EVENTS, new_event_body(program, **fields))

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Event.objects.exists()


def test_an_end_before_the_start_is_refused_beside_end(api, program, staff_user):
    body = new_event_body(program)
    body["end"], body["start"] = body["start"], body["end"]

    response = api(staff_user).post(EVENTS, body)

    assert response.status_code == 400
    assert response.json()["end"] == ["The end must be after the start."]
    assert not Event.objects.exists()


# --- registrations ---------------------------------------------------------------------------


@pytest.fixture
def lead_api(api, lead_user):
    return api(lead_user)


def test_registrations_need_a_token_or_a_session(client, event):
    url = registrations_url(event)

    assert client.get(url).status_code == 401
    assert client.post(url, {}, content_type="application/json").status_code == 401
    assert client.delete(f"{url}1/").status_code == 401


def test_a_lead_registers_a_colleague_for_their_coalition(lead_api, event, coalition):
    response = lead_api.post(registrations_url(event),
                             {"email": "Pat@Example.org", "name": "Pat  Doe"})

    assert response.status_code == 201, response.content
    registration = Registration.objects.get()
    assert response.json() == {
        "id": registration.pk, "email": "pat@example.org", "name": "Pat Doe",
        "coalition": coalition.pk, "status": "confirmed", "position": None,
    }
    assert response["Location"].endswith(f"{registrations_url(event)}{registration.pk}/")
    assert registration.history.get().history_user.email == "lead@example.org"


def test_people_past_capacity_wait_with_their_place(api, program, staff_user, coalition,
                                                   other_coalition):
    event = make_event(program, staff_user, capacity=1)
    staff = api(staff_user)
    answers = [
        staff.post(registrations_url(event), {
            "email": f"p{n}@example.org", "name": f"Person {n}",
            "coalition": (coalition if n % 2 else other_coalition).pk,
        }).json()
        for n in range(4)
    ]

    assert [(a["status"], a["position"]) for a in answers] == [
        ("confirmed", None), ("waiting", 1), ("waiting", 2), ("waiting", 3),
    ]
    rows = results(staff.get(registrations_url(event)))
    assert [(r["email"], r["position"]) for r in rows] == [
        ("p0@example.org", None), ("p1@example.org", 1), ("p2@example.org", 2),
        ("p3@example.org", 3),
    ]


def test_a_newcomers_place_counts_those_promoted_as_they_joined(
    api, program, staff_user, coalition
):
    # A lapsed offer let its seat go; the newcomer's registration passes it to the first
    # person waiting, so the newcomer's place is counted after that, not before.
    event = make_event(program, staff_user, capacity=1, offer_hours=24)
    staff = api(staff_user)
    for n in range(3):
        staff.post(registrations_url(event), {"email": f"p{n}@example.org",
                                              "name": f"Person {n}", "coalition": coalition.pk})
    services.registration_cancel(
        registration=Registration.objects.get(email="p0@example.org"), actor=staff_user)
    Registration.objects.filter(email="p1@example.org").update(
        expires_at=timezone.now() - timedelta(minutes=1))  # the offer lapsed, not swept yet

    answer = staff.post(registrations_url(event), {"email": "p3@example.org",
                                                   "name": "Person 3",
                                                   "coalition": coalition.pk}).json()

    assert Registration.objects.get(email="p2@example.org").status == "offered"
    assert (answer["status"], answer["position"]) == ("waiting", 1)
    now = staff.get(f"{registrations_url(event)}{answer['id']}/").json()
    assert now["position"] == 1


def test_a_lead_sees_only_their_coalitions_registrations_with_true_places(
    api, lead_user, program, staff_user, register, coalition, other_coalition
):
    event = make_event(program, staff_user, capacity=1)
    register(event, "seat@example.org")
    register(event, "first-waiting@other.org", coalition_=other_coalition)
    mine = register(event, "mine@example.org")

    rows = results(api(lead_user).get(registrations_url(event)))

    assert [(r["email"], r["position"]) for r in rows] == [
        ("seat@example.org", None), ("mine@example.org", 2)
    ]
    assert api(lead_user).get(f"{registrations_url(event)}{mine.pk}/").json()["position"] == 2


def test_staff_and_evaluators_see_every_registration(api, staff_user, evaluator_user, event,
                                                     register, other_coalition):
    register(event, "a@example.org")
    register(event, "b@other.org", coalition_=other_coalition)

    for user in (staff_user, evaluator_user):
        assert len(results(api(user).get(registrations_url(event)))) == 2


def test_someone_without_a_coalition_sees_no_registrations(api, event, register):
    register(event, "a@example.org")
    stranger = factories.UserFactory(email="stranger@example.org")

    assert results(api(stranger).get(registrations_url(event))) == []
    response = api(stranger).post(registrations_url(event),
                                  {"email": "stranger@example.org", "name": "S"})
    assert response.status_code == 403


def test_staff_must_name_the_coalition(api, staff_user, event):
    response = api(staff_user).post(registrations_url(event),
                                    {"email": "a@example.org", "name": "A"})

    assert response.status_code == 400
    assert list(response.json()) == ["coalition"]


def test_a_lead_cannot_register_for_another_coalition(lead_api, event, other_coalition):
    for coalition_id in (other_coalition.pk, 999_999):  # the same answer, existing or not
        response = lead_api.post(registrations_url(event), {
            "email": "a@example.org", "name": "A", "coalition": coalition_id,
        })
        assert response.status_code == 400
        assert "your own coalition only" in response.json()["coalition"][0]
    assert not Registration.objects.exists()


def test_a_member_registers_themself_only(api, member_user, event):
    member = api(member_user)

    refused = member.post(registrations_url(event), {"email": "friend@example.org",
                                                      "name": "Friend"})
    assert refused.status_code == 403
    taken = member.post(registrations_url(event), {"email": member_user.email, "name": "Me"})
    assert taken.status_code == 201
    assert taken.json()["status"] == "confirmed"


def test_an_evaluator_registers_nobody(api, evaluator_user, event, coalition):
    response = api(evaluator_user).post(registrations_url(event), {
        "email": "a@example.org", "name": "A", "coalition": coalition.pk,
    })

    assert response.status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not an address", "name": "A"}, "email"),
    ({"email": "a@example.org"}, "name"),
    ({"name": "A"}, "email"),
    ({"email": "a@example.org", "name": "A", "coalition": "home"}, "coalition"),
])
def test_bad_registration_input_is_a_400_naming_the_field(lead_api, event, body, field):
    response = lead_api.post(registrations_url(event), body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Registration.objects.exists()


def error_text(response):
    assert response.status_code == 400, response.content
    return response.json()


def test_the_pages_refusals_come_back_as_400_with_their_messages(
    lead_api, program, staff_user, register, coalition
):
    closed = make_event(program, staff_user, title="Closed",
                        registration_closes_at=timezone.now() - timedelta(minutes=1))
    cancelled = make_event(program, staff_user, title="Cancelled")
    services.event_cancel(event=cancelled, actor=staff_user)
    limited = make_event(program, staff_user, title="Limited", per_coalition_limit=1)
    register(limited, "first@example.org")
    full = make_event(program, staff_user, title="Full", capacity=1, waiting_list=False)
    register(full, "first@example.org")
    invited = make_event(program, staff_user, title="Invited only",
                         eligibility=Event.Eligibility.COALITIONS)
    body = {"email": "new@example.org", "name": "New Person"}

    assert error_text(lead_api.post(registrations_url(closed), body)) == {
        "non_field_errors": ["Registration for this event has closed."]}
    assert error_text(lead_api.post(registrations_url(cancelled), body)) == {
        "non_field_errors": ["This event was cancelled."]}
    assert "the most one coalition may send" in error_text(
        lead_api.post(registrations_url(limited), body))["coalition"][0]
    assert error_text(lead_api.post(registrations_url(full), body)) == {
        "non_field_errors": ["This event is full, and it has no waiting list."]}
    assert "open only to the coalitions invited" in error_text(
        lead_api.post(registrations_url(invited), body))["coalition"][0]
    duplicate = {"email": "FIRST@example.org", "name": "Again"}
    assert error_text(lead_api.post(registrations_url(full), duplicate))["email"] == [
        "first@example.org is already registered for this event."]
    assert Registration.objects.count() == 2


def test_a_draft_event_refuses_registration(api, staff_user, program, coalition, lead_user):
    draft = make_event(program, staff_user, status=Event.Status.DRAFT)
    body = {"email": "a@example.org", "name": "A", "coalition": coalition.pk}

    assert error_text(api(staff_user).post(registrations_url(draft), body)) == {
        "non_field_errors": ["This event is not published yet, so it takes no registration."]}
    # a lead cannot even see it
    assert api(lead_user).post(registrations_url(draft), body).status_code == 404


def test_a_busy_event_answers_503_with_retry_after(lead_api, event, monkeypatch):
    def busy(**kwargs):
        raise services.RegistrationBusy("Many people are registering for this event right "
                                        "now. Please try again.")

    monkeypatch.setattr(services, "registration_create", busy)
    response = lead_api.post(registrations_url(event), {"email": "a@example.org", "name": "A"})

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "try again" in response.json()["detail"]


# --- cancelling -------------------------------------------------------------------------------


def test_cancelling_frees_the_seat_for_the_first_waiting(lead_api, program, staff_user,
                                                         register):
    event = make_event(program, staff_user, capacity=1)
    first = register(event, "first@example.org")
    second = register(event, "second@example.org")

    response = lead_api.delete(f"{registrations_url(event)}{first.pk}/")

    assert response.status_code == 204
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.CANCELLED, Status.CONFIRMED)
    assert first.history.latest().history_user.email == "lead@example.org"
    again = lead_api.delete(f"{registrations_url(event)}{first.pk}/")
    assert error_text(again) == {
        "non_field_errors": ["This registration is already cancelled."]}


def test_another_coalitions_registration_is_404(lead_api, event, register, other_coalition):
    foreign = register(event, "them@other.org", coalition_=other_coalition)
    url = f"{registrations_url(event)}{foreign.pk}/"

    assert lead_api.get(url).status_code == 404
    assert lead_api.delete(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.CONFIRMED


def test_a_registration_of_another_event_is_404_under_this_one(api, staff_user, program,
                                                               event, register):
    elsewhere = register(make_event(program, staff_user, title="Another"), "a@example.org")

    assert api(staff_user).get(f"{registrations_url(event)}{elsewhere.pk}/").status_code == 404


def test_a_member_cancels_their_own_registration_not_a_colleagues(
    api, member_user, event, register
):
    own = register(event, member_user.email)
    colleague = register(event, "colleague@example.org")
    member = api(member_user)

    assert member.delete(f"{registrations_url(event)}{colleague.pk}/").status_code == 403
    assert member.delete(f"{registrations_url(event)}{own.pk}/").status_code == 204


def test_a_session_registers_and_cancels_too(client, lead_user, event):
    client.force_login(lead_user)

    created = client.post(registrations_url(event), {"email": "a@example.org", "name": "A"},
                          content_type="application/json")
    assert created.status_code == 201
    assert client.delete(
        f"{registrations_url(event)}{created.json()['id']}/"
    ).status_code == 204


def test_the_registration_list_has_an_etag_and_304(lead_api, event, register):
    register(event, "a@example.org")
    first = lead_api.get(registrations_url(event))

    assert first["Cache-Control"] == "private, no-cache"
    assert lead_api.get(registrations_url(event),
                        HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    register(event, "b@example.org")
    assert lead_api.get(registrations_url(event),
                        HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- the root and query counts ---------------------------------------------------------------


def test_the_api_root_lists_events(client):
    assert client.get("/api/v1/").json()["events"] == "http://testserver/api/v1/events/"


def test_the_event_list_answers_in_constant_queries(client, api, program, staff_user,
                                                    member_user, coalition):
    def grow(n):
        for _ in range(n):
            event = make_event(program, staff_user, capacity=5)
            services.registration_create(event=event, coalition=coalition,
                                         email=member_user.email, name="Me", actor=staff_user)

    assert_constant(client, EVENTS, grow)
    member = api(member_user)
    count_queries(client, EVENTS, **member.headers)  # the token's first use is recorded once
    few, _ = count_queries(client, EVENTS, **member.headers)
    grow(20)
    many, _ = count_queries(client, EVENTS, **member.headers)
    assert few == many


def registrations_maker(event, coalition, actor, counter):
    """``grow(n)``: register ``n`` more people for ``event``, their addresses numbered from
    ``counter``."""

    def grow(n):
        for _ in range(n):
            services.registration_create(event=event, coalition=coalition,
                                         email=f"p{next(counter)}@example.org", name="P",
                                         actor=actor)

    return grow


def test_registering_answers_in_constant_queries_reading_the_event_twice(
    api, program, staff_user, coalition
):
    # The event is read before the lock with only what choosing the lock's form needs, and
    # again under the lock with every count; a field the first read left out would cost a
    # query of its own.
    event = make_event(program, staff_user, capacity=2)
    staff = api(staff_user)
    counter = iter(range(1000))
    grow = registrations_maker(event, coalition, staff_user, counter)

    def register():
        n = next(counter)
        with CaptureQueriesContext(connection) as context:
            response = staff.post(registrations_url(event), {
                "email": f"p{n}@example.org", "name": f"P {n}", "coalition": coalition.pk})
        assert response.status_code == 201, response.content
        return response.json(), [query["sql"] for query in context.captured_queries]

    grow(5)
    register()  # the token's first use is recorded once
    first, few = register()
    grow(45)
    last, many = register()

    assert (first["status"], first["position"]) == ("waiting", 5)
    assert (last["status"], last["position"]) == ("waiting", 51)
    assert len(few) == len(many), "\n".join(many)
    event_reads = [sql for sql in many if sql.startswith("SELECT")
                   and 'FROM "workshops_event"' in sql]
    assert len(event_reads) == 2, event_reads


def test_the_registration_list_answers_in_constant_queries(client, api, program, staff_user,
                                                           lead_user, coalition):
    event = make_event(program, staff_user, capacity=3)
    counter = iter(range(1000))
    grow = registrations_maker(event, coalition, staff_user, counter)

    client.force_login(lead_user)
    assert assert_constant(client, registrations_url(event), grow) <= 6
