"""Event pages for each role: what they see, what they may do, and what is refused."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests import factories
from tests.queries import assert_constant
from workshops import links, services
from workshops.models import Event, Registration

from .conftest import make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status


def test_the_public_sees_published_events_but_no_draft(client, program, staff_user):
    published = make_event(program, staff_user, title="Public reporting basics")
    draft = make_event(program, staff_user, title="Secret draft", status=Event.Status.DRAFT)
    page = client.get(reverse("workshops:event-list")).content.decode()
    assert published.title in page and draft.title not in page
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(published.get_absolute_url()).status_code == 200


def test_the_event_page_names_its_time_zone_and_hides_the_join_link(client, event):
    page = client.get(event.get_absolute_url()).content.decode()
    assert "(America/Chicago)" in page
    assert event.join_url not in page


def test_a_member_sees_why_their_coalition_may_not_register(client, program, staff_user,
                                                            member_user, other_coalition):
    event = make_event(program, staff_user, eligibility=Event.Eligibility.COALITIONS,
                       eligible_coalitions=[other_coalition])
    client.force_login(member_user)
    page = client.get(reverse("workshops:event-list")).content.decode()
    assert "Not open to Home Coalition" in page
    detail = client.get(event.get_absolute_url()).content.decode()
    assert "open only to the coalitions invited" in detail


def test_a_lead_registers_a_colleague_and_a_new_person(client, event, lead_user, coalition,
                                                       django_capture_on_commit_callbacks):
    contact = factories.ContactFactory(coalition=coalition, name="Dana Reyes",
                                       email="dana@example.org")
    client.force_login(lead_user)
    url = reverse("workshops:registration-create", args=[event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"contact": contact.pk})
        client.post(url, {"name": "Lee Park", "email": "lee@example.org"})
    assert response.status_code == 302
    assert set(event.registrations.values_list("email", "coalition")) == {
        ("dana@example.org", coalition.pk), ("lee@example.org", coalition.pk)}
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@example.org", "lee@example.org"]


def test_bad_registration_input_is_shown_beside_the_field(client, event, lead_user):
    client.force_login(lead_user)
    url = reverse("workshops:registration-create", args=[event.pk])
    response = client.post(url, {"name": "", "email": "not-an-address"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not event.registrations.exists()


def test_a_lead_cannot_register_for_another_coalition(client, event, lead_user,
                                                      other_coalition):
    client.force_login(lead_user)
    client.post(reverse("workshops:registration-create", args=[event.pk]),
                {"coalition": other_coalition.pk, "name": "X", "email": "x@example.org"})
    # the coalition field is not theirs to choose: the registration is for their own
    assert not event.registrations.filter(coalition=other_coalition).exists()


def test_a_member_registers_only_themself(client, event, member_user, coalition):
    client.force_login(member_user)
    client.post(reverse("workshops:registration-create", args=[event.pk]),
                {"name": "Someone Else", "email": "else@example.org"})
    assert list(event.registrations.values_list("email", flat=True)) == ["member@example.org"]


def test_a_foreign_coalitions_registration_is_404(client, event, lead_user, other_coalition,
                                                  staff_user):
    foreign = services.registration_create(event=event, coalition=other_coalition,
                                           email="f@example.org", name="F", actor=staff_user)
    client.force_login(lead_user)
    for name in ("registration-cancel", "registration-substitute"):
        url = reverse(f"workshops:{name}", args=[foreign.pk])
        assert client.post(url, {"name": "Y", "email": "y@example.org"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.CONFIRMED


def test_staff_pages_refuse_others(client, event, lead_user, evaluator_user):
    urls = [reverse("workshops:event-create"),
            reverse("workshops:event-update", args=[event.pk])]
    assert client.get(urls[0]).status_code == 302  # anonymous: to the login page
    client.force_login(lead_user)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.get(reverse("workshops:event-roster", args=[event.pk])).status_code == 403
    client.force_login(evaluator_user)
    assert client.get(reverse("workshops:event-roster", args=[event.pk])).status_code == 200
    assert client.post(reverse("workshops:event-cancel", args=[event.pk])).status_code == 403


def test_staff_create_an_event_in_its_own_zone(staff_client, program):
    response = staff_client.post(reverse("workshops:event-create"), {
        "program": program.pk, "kind": "web_conference", "title": "Measure alignment",
        "timezone": "America/Denver", "start": "2027-03-04T10:00", "end": "2027-03-04T11:30",
        "capacity": "25", "eligibility": "everyone", "waiting_list": "on",
        "approval_hours": "72", "attendance_threshold": "50",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title="Measure alignment")
    assert event.status == Event.Status.DRAFT
    assert event.local_start.hour == 10 and event.local_start.utcoffset() == timedelta(hours=-7)


def test_the_edit_form_opens_with_the_current_values_and_an_untouched_save_changes_nothing(
        staff_client, program, staff_user):
    event = make_event(program, staff_user, timezone="America/Denver", capacity=12)
    form = staff_client.get(reverse("workshops:event-update", args=[event.pk])).context["form"]
    data = {}
    for name, _field in form.fields.items():
        value = form[name].value()
        if value in (None, False):
            continue
        if name in ("start", "end", "registration_opens_at", "registration_closes_at"):
            value = value.strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    before = (event.start, event.end, event.capacity, event.history.count())
    response = staff_client.post(reverse("workshops:event-update", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    # the form shows minutes: the stored instants keep their seconds only if untouched
    assert (event.start.replace(second=0, microsecond=0),
            event.capacity) == (before[0].replace(second=0, microsecond=0), before[2])
    assert form["timezone"].value() == "America/Denver"
    assert form["capacity"].value() == 12


def test_cancelling_an_event_tells_every_registrant(staff_client, event, register,
                                                    django_capture_on_commit_callbacks):
    register(event, "a@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("workshops:event-cancel", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_the_personal_link_accepts_an_offer(client, program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, offer_hours=48)
    first = register(event, "a@example.org")
    second = register(event, "b@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    url = links.registration_url(second, absolute=False)
    assert "Accept the seat" in client.get(url).content.decode()
    client.post(url, {"action": "accept"})
    second.refresh_from_db()
    assert second.status == Status.CONFIRMED
    assert event.join_url in client.get(url).content.decode()


def test_a_tampered_link_is_404(client, event, register):
    registration = register(event, "a@example.org")
    url = links.registration_url(registration, absolute=False)
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_the_join_link_shows_only_to_the_confirmed_and_staff(client, program, staff_user,
                                                             member_user, coalition):
    event = make_event(program, staff_user, capacity=1)
    client.force_login(member_user)
    assert event.join_url not in client.get(event.get_absolute_url()).content.decode()
    services.registration_create(event=event, coalition=coalition, email=member_user.email,
                                 name="Member", actor=member_user)
    assert event.join_url in client.get(event.get_absolute_url()).content.decode()
    client.force_login(staff_user)
    assert event.join_url in client.get(event.get_absolute_url()).content.decode()


def test_the_program_feed_holds_its_published_events(client, program, staff_user):
    make_event(program, staff_user, title="Published one")
    make_event(program, staff_user, title="Draft one", status=Event.Status.DRAFT)
    response = client.get(reverse("workshops:program-calendar", args=[program.code]))
    calendar = Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Published one"]
    assert "meet.example.org" not in response.content.decode()


def test_staff_approve_in_bulk_from_the_roster(staff_client, program, staff_user, register):
    event = make_event(program, staff_user, requires_approval=True)
    people = [register(event, f"p{n}@example.org") for n in range(3)]
    staff_client.post(reverse("workshops:event-roster", args=[event.pk]),
                      {"action": "approve", "registrations": [people[0].pk, people[1].pk]})
    assert sorted(event.registrations.values_list("status", flat=True)) == [
        Status.CONFIRMED, Status.CONFIRMED, Status.PENDING_APPROVAL]


def test_the_event_list_keeps_its_query_count(client, program, staff_user, member_user):
    client.force_login(member_user)
    start = timezone.now() + timedelta(days=3)

    def grow(n):
        for i in range(n):
            make_event(program, staff_user, title=f"Event {i}", start=start,
                       end=start + timedelta(hours=1))

    assert_constant(client, reverse("workshops:event-list"), grow, small=3, large=15)


def test_the_roster_keeps_its_query_count(staff_client, event, register):
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            register(event, f"r{next(counter)}@example.org")

    assert_constant(staff_client, reverse("workshops:event-roster", args=[event.pk]), grow,
                    small=3, large=12)


def test_the_event_page_keeps_its_query_count_as_a_leads_coalition_registers(
    lead_client, event, register, enrolled
):
    # The lead's own registration (with its feedback check) and their coalition's rows.
    register(event, "lead@example.org", name="The Lead")
    counter = iter(range(1000))

    def grow(n):
        for _ in range(n):
            register(event, f"colleague{next(counter)}@example.org")

    assert_constant(lead_client, event.get_absolute_url(), grow, small=3, large=15)
