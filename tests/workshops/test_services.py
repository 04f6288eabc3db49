"""Registration rules: seats, the waiting list, offers, approval, and the e-mails they owe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from coalitions.models import Enrollment
from tests import factories
from workshops import services, tasks
from workshops.models import Event, Notice, Registration

from .conftest import make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status


def statuses(event):
    return list(event.registrations.order_by("pk").values_list("email", "status"))


def messages(error):
    return " ".join(m for ms in error.message_dict.values() for m in ms)


def test_seats_are_taken_then_people_wait(program, staff_user, register):
    event = make_event(program, staff_user, capacity=2)
    register(event, "a@example.org")
    register(event, "b@example.org")
    third = register(event, "c@example.org")
    assert third.status == Status.WAITING
    assert services.seats_left(event) == 0


def test_a_full_event_without_a_waiting_list_refuses(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, waiting_list=False)
    register(event, "a@example.org")
    with pytest.raises(ValidationError, match="full, and it has no waiting list"):
        register(event, "b@example.org")
    assert event.registrations.count() == 1


def test_an_unlimited_event_never_fills(program, staff_user, register):
    event = make_event(program, staff_user, capacity=None)
    for n in range(30):
        assert register(event, f"p{n}@example.org").status == Status.CONFIRMED


@pytest.mark.parametrize(("fields", "message"), [
    ({"status": Event.Status.DRAFT}, "not published yet"),
    ({"status": Event.Status.CANCELLED}, "was cancelled"),
    ({"status": Event.Status.COMPLETED}, "is over"),
    ({"kind": Event.Kind.BRIEFING}, "takes no registration"),
])
def test_events_that_take_no_registration_say_why(program, staff_user, register, fields,
                                                   message):
    event = make_event(program, staff_user, **fields)
    with pytest.raises(ValidationError, match=message):
        register(event, "a@example.org")
    assert not event.registrations.exists()


def test_registration_not_yet_open_names_the_opening_time(program, staff_user, register):
    opens = timezone.now() + timedelta(days=2)
    event = make_event(program, staff_user, registration_opens_at=opens)
    with pytest.raises(ValidationError, match=r"Registration opens on .* \(America/Chicago\)"):
        register(event, "a@example.org")


def test_registration_closed(program, staff_user, register):
    event = make_event(program, staff_user,
                       registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="has closed"):
        register(event, "a@example.org")


def test_one_active_registration_per_email_whatever_its_case(event, register):
    register(event, "Ann@Example.org")
    with pytest.raises(ValidationError) as caught:
        register(event, "ann@example.ORG")
    assert "already registered" in caught.value.message_dict["email"][0]
    assert event.registrations.count() == 1


def test_a_cancelled_person_may_register_again(event, register, staff_user):
    first = register(event, "ann@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    assert register(event, "ann@example.org").status == Status.CONFIRMED


def test_per_coalition_limit(program, staff_user, register, other_coalition):
    event = make_event(program, staff_user, per_coalition_limit=2)
    register(event, "a@example.org")
    register(event, "b@example.org")
    with pytest.raises(ValidationError) as caught:
        register(event, "c@example.org")
    assert "the most one coalition may send" in caught.value.message_dict["coalition"][0]
    # another coalition still has its own places
    register(event, "d@example.org", coalition_=other_coalition)


def test_tier_eligibility(program, staff_user, register, enrolled, other_coalition):
    event = make_event(program, staff_user, eligibility=Event.Eligibility.TIER,
                       eligible_tier=Enrollment.Tier.SUPPORT)
    register(event, "a@example.org")  # the home coalition is in the support tier
    with pytest.raises(ValidationError) as caught:
        register(event, "b@example.org", coalition_=other_coalition)
    assert "information and support tier" in caught.value.message_dict["coalition"][0]


def test_named_coalitions_eligibility(program, staff_user, register, coalition,
                                      other_coalition):
    event = make_event(program, staff_user, eligibility=Event.Eligibility.COALITIONS,
                       eligible_coalitions=[coalition])
    register(event, "a@example.org")
    with pytest.raises(ValidationError, match="open only to the coalitions invited"):
        register(event, "b@example.org", coalition_=other_coalition)


def test_a_cancellation_promotes_the_first_person_waiting(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1)
    first = register(event, "a@example.org")
    register(event, "b@example.org")
    register(event, "c@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    assert statuses(event) == [("a@example.org", Status.CANCELLED),
                               ("b@example.org", Status.CONFIRMED),
                               ("c@example.org", Status.WAITING)]
    assert Notice.objects.filter(registration__email="b@example.org",
                                 kind=Notice.Kind.PROMOTED).exists()


def test_leaving_the_waiting_list_frees_nothing_and_promotes_nobody(program, staff_user,
                                                                    register):
    event = make_event(program, staff_user, capacity=1)
    register(event, "a@example.org")
    waiting = register(event, "b@example.org")
    register(event, "c@example.org")
    services.registration_cancel(registration=waiting, actor=staff_user)
    assert event.registrations.get(email="c@example.org").status == Status.WAITING


def test_an_offer_holds_the_seat_until_it_expires_then_passes_on(program, staff_user,
                                                                 register):
    event = make_event(program, staff_user, capacity=1, offer_hours=48)
    first = register(event, "a@example.org")
    register(event, "b@example.org")
    register(event, "c@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    offered = event.registrations.get(email="b@example.org")
    assert offered.status == Status.OFFERED
    assert offered.expires_at == pytest.approx(timezone.now() + timedelta(hours=48),
                                               abs=timedelta(minutes=1))
    assert services.seats_left(event) == 0

    # The moment the offer runs out, it stops counting against capacity...
    Registration.objects.filter(pk=offered.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert services.seats_left(event) == 1
    # ...and the expiry hands it to the next person.
    services.event_expire_holds(event=event)
    assert statuses(event)[1:] == [("b@example.org", Status.LAPSED),
                                   ("c@example.org", Status.OFFERED)]
    with pytest.raises(ValidationError, match="no open offer"):
        services.registration_accept_offer(registration=offered, actor=None)


def test_accepting_an_offer_confirms_and_twice_is_harmless(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, offer_hours=2)
    first = register(event, "a@example.org")
    waiting = register(event, "b@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    services.registration_accept_offer(registration=waiting, actor=None)
    again = services.registration_accept_offer(registration=waiting, actor=None)
    assert again.status == Status.CONFIRMED and again.expires_at is None
    assert Notice.objects.filter(registration=waiting, kind=Notice.Kind.CONFIRMED).count() == 1


def test_an_expired_offer_cannot_be_accepted(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, offer_hours=2)
    first = register(event, "a@example.org")
    waiting = register(event, "b@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    Registration.objects.filter(pk=waiting.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="ran out"):
        services.registration_accept_offer(registration=waiting, actor=None)


def test_a_cancelled_offer_never_keeps_blocking_its_seat(program, staff_user, register):
    # pretix issue 1163: a promotion that is cancelled must give the seat on.
    event = make_event(program, staff_user, capacity=1, offer_hours=24)
    first = register(event, "a@example.org")
    second = register(event, "b@example.org")
    register(event, "c@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    services.registration_cancel(registration=second, actor=staff_user)
    assert event.registrations.get(email="c@example.org").status == Status.OFFERED


def test_substitution_keeps_the_seat(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1)
    first = register(event, "a@example.org")
    register(event, "b@example.org")
    substitute = services.registration_substitute(
        registration=first, email="colleague@example.org", name="A Colleague",
        actor=staff_user)
    assert substitute.status == Status.CONFIRMED
    assert substitute.coalition_id == first.coalition_id
    assert event.registrations.get(email="b@example.org").status == Status.WAITING
    assert services.seats_left(event) == 0


def test_pending_approval_holds_a_seat_and_lapses(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, requires_approval=True,
                       approval_hours=24)
    pending = register(event, "a@example.org")
    assert pending.status == Status.PENDING_APPROVAL
    assert register(event, "b@example.org").status == Status.WAITING
    Registration.objects.filter(pk=pending.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    services.event_expire_holds(event=event)
    assert statuses(event) == [("a@example.org", Status.LAPSED),
                               ("b@example.org", Status.PENDING_APPROVAL)]


def test_approval_and_decline_in_bulk(program, staff_user, register):
    event = make_event(program, staff_user, capacity=5, requires_approval=True)
    people = [register(event, f"p{n}@example.org") for n in range(3)]
    services.registrations_approve(registrations=people[:2], actor=staff_user)
    services.registrations_decline(registrations=people[2:], actor=staff_user)
    assert [s for _, s in statuses(event)] == [Status.CONFIRMED, Status.CONFIRMED,
                                               Status.DECLINED]
    kinds = set(Notice.objects.values_list("registration__email", "kind"))
    assert ("p0@example.org", Notice.Kind.CONFIRMED) in kinds
    assert ("p2@example.org", Notice.Kind.DECLINED) in kinds


def test_pending_without_a_seat_waits_on_approval_when_full(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, requires_approval=True,
                       pending_holds_seat=False)
    first = register(event, "a@example.org")
    second = register(event, "b@example.org")
    assert second.status == Status.PENDING_APPROVAL  # holds no seat, so it may queue
    services.registrations_approve(registrations=[first, second], actor=staff_user)
    assert statuses(event) == [("a@example.org", Status.CONFIRMED),
                               ("b@example.org", Status.WAITING)]


def test_raising_the_capacity_gives_seats_to_the_waiting(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1)
    register(event, "a@example.org")
    register(event, "b@example.org")
    services.event_update(event=event, actor=staff_user, capacity=2)
    assert event.registrations.get(email="b@example.org").status == Status.CONFIRMED


def test_capacity_cannot_drop_below_seats_held(program, staff_user, register):
    event = make_event(program, staff_user, capacity=3)
    register(event, "a@example.org")
    register(event, "b@example.org")
    with pytest.raises(ValidationError) as caught:
        services.event_update(event=event, actor=staff_user, capacity=1)
    assert "cannot go below 2" in caught.value.message_dict["capacity"][0]
    event.refresh_from_db()
    assert event.capacity == 3


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"end_delta": -1}, "end", "after the start"),
    ({"capacity": -1}, "capacity", "greater than or equal to 0"),
    ({"timezone": "Mars/Olympus"}, "timezone", "not a time zone"),
])
def test_bad_events_are_refused(program, staff_user, fields, field, message):
    if "end_delta" in fields:
        start = timezone.now() + timedelta(days=1)
        fields = {"start": start, "end": start + timedelta(hours=fields["end_delta"])}
    with pytest.raises(ValidationError) as caught:
        make_event(program, staff_user, **fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Event.objects.exists()


def test_every_change_of_state_is_kept_with_who(event, register, staff_user, lead_user):
    registration = register(event, "a@example.org", actor=lead_user)
    services.registration_cancel(registration=registration, actor=staff_user)
    history = list(registration.history.order_by("history_date")
                   .values_list("status", "history_user__email"))
    assert history == [(Status.CONFIRMED, "lead@example.org"),
                       (Status.CANCELLED, "staff@example.org")]


# --- e-mail ---------------------------------------------------------------------------------


def _calendar(message):
    attachment = next(a for a in message.attachments if a[0].endswith(".ics"))
    return Calendar.from_ical(attachment[1])


def test_confirmation_email_carries_the_event_with_its_join_link(event, register,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(event, "ann@example.org")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.org"]
    assert "You are registered" in message.subject
    assert event.join_url in message.body
    calendar = _calendar(message)
    assert calendar["METHOD"] == "PUBLISH"
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["UID"]).startswith(f"event-{event.pk}@")
    assert vevent.decoded("DTSTART").tzinfo is not None


def test_a_waiting_person_gets_no_join_link_and_a_leave_link(program, staff_user, register,
                                                             django_capture_on_commit_callbacks):
    event = make_event(program, staff_user, capacity=1)
    register(event, "a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        register(event, "b@example.org")
    message = mail.outbox[-1]
    assert "waiting list" in message.subject
    assert event.join_url not in message.body
    assert "/events/r/" in message.body
    assert not message.attachments


def test_cancelling_an_event_sends_a_calendar_cancellation_for_the_same_uid(
        event, register, staff_user, django_capture_on_commit_callbacks):
    register(event, "a@example.org")
    register(event, "b@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=staff_user)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    calendar = _calendar(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"event-{event.pk}@synergies-portal"


def test_a_notice_delivered_twice_is_sent_once(event, register):
    registration = register(event, "a@example.org")
    notice = registration.notices.get()
    mail.outbox.clear()
    Notice.objects.filter(pk=notice.pk).update(mail_sent_at=None, mail_claim=None,
                                               mail_claimed_at=None)
    tasks.notice_send_task(notice.pk)
    tasks.notice_send_task(notice.pk)
    assert len(mail.outbox) == 1


def test_reminders_go_the_day_before_in_the_events_zone_once(program, staff_user, register):
    now = timezone.now()
    tomorrow = make_event(program, staff_user, start=now + timedelta(hours=25),
                          end=now + timedelta(hours=26), timezone="UTC")
    later = make_event(program, staff_user, start=now + timedelta(days=5),
                       end=now + timedelta(days=5, hours=1), timezone="UTC")
    register(tomorrow, "a@example.org")
    register(later, "b@example.org")
    tasks.reminders_send_task()
    tasks.reminders_send_task()
    reminders = Notice.objects.filter(kind=Notice.Kind.REMINDER)
    # "tomorrow" in UTC: 25 hours ahead is tomorrow unless it is past 23:00 now
    expected = 1 if (now + timedelta(hours=25)).date() - now.date() == timedelta(days=1) else 0
    assert list(reminders.values_list("registration__email", flat=True)) == (
        ["a@example.org"] * expected)


def test_an_offer_expiry_sweep_passes_the_seat(program, staff_user, register):
    event = make_event(program, staff_user, capacity=1, offer_hours=1)
    first = register(event, "a@example.org")
    register(event, "b@example.org")
    register(event, "c@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    Registration.objects.filter(status=Status.OFFERED).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    tasks.holds_expire_sweep_task()
    assert event.registrations.get(email="c@example.org").status == Status.OFFERED


def test_factories_and_enrolment_do_not_leak(program):
    # a guard that the fixtures above made nothing for another program
    other = factories.ProgramFactory()
    assert not Event.objects.filter(program=other).exists()


def test_a_seat_an_expired_offer_let_go_goes_to_the_waiting_list_not_to_a_newcomer(
    program, staff_user, register
):
    event = make_event(program, staff_user, capacity=1, offer_hours=2)
    first = register(event, "first@example.org")
    offered = register(event, "offered@example.org")
    next_in_line = register(event, "next@example.org")
    services.registration_cancel(registration=first, actor=staff_user)
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED
    # The offer runs out; before the sweep passes it on, someone new registers.
    Registration.objects.filter(pk=offered.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    newcomer = register(event, "new@example.org")
    next_in_line.refresh_from_db()
    assert newcomer.status == Status.WAITING
    assert next_in_line.status == Status.OFFERED  # the seat went down the list, in order
