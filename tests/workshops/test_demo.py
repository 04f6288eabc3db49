"""The demo's events: each kind the program holds, past ones held with attendance and
feedback, upcoming ones open; and a second load changes nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coalitions.demo import PROGRAM, demo_load
from coalitions.models import Program
from workshops.models import (
    AttendanceInterval,
    Event,
    Feedback,
    FeedbackIntention,
    Notice,
    Registration,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program_under_way():
    """The demo program, 200 days in (so some events are over and some to come)."""
    call_command("load_catalog", verbosity=0)
    start = timezone.localdate() - timedelta(days=200)
    return Program.objects.create(start_date=start, end_date=date(start.year + 2, start.month,
                                                                   1), **PROGRAM)


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (Event, Registration, Feedback)
    } | {
        "intentions": FeedbackIntention.objects.count(),
        "intervals": AttendanceInterval.objects.count(),
        "notices": Notice.objects.count(),
        "history": Event.history.count() + Registration.history.count(),
    }


def test_the_demo_holds_every_kind_of_event_with_attendance_and_feedback(program_under_way):
    demo_load()
    events = Event.objects.filter(program=program_under_way)
    assert set(events.values_list("kind", flat=True)) == set(Event.Kind.values)
    now = timezone.now()
    past = events.filter(end__lt=now)
    assert set(past.values_list("status", flat=True)) == {Event.Status.COMPLETED}
    assert set(events.filter(start__gt=now).values_list("status", flat=True)) == {
        Event.Status.PUBLISHED}
    assert events.filter(kind=Event.Kind.PEER_ASSIST, eligible_network__isnull=False).exists()
    assert events.filter(kind=Event.Kind.LOCAL_WORKSHOP, eligibility="coalitions").exists()
    for dissemination in events.filter(kind__in=Event.DISSEMINATION_KINDS):
        assert dissemination.audience_count and dissemination.audience_kind
        assert not dissemination.registrations.exists()
    conference = past.filter(kind=Event.Kind.WEB_CONFERENCE).first()
    assert conference.featured_measures.exists() or conference.featured_tools.exists()
    assert conference.imports.filter(status="applied").exists()
    attended = conference.registrations.filter(checked_in_at__isnull=False)
    assert 0 < attended.count() < conference.registrations.count()
    assert Feedback.objects.filter(registration__event=conference).exists()
    assert FeedbackIntention.objects.filter(feedback__registration__event=conference).exists()
    # Someone reconnected: two stretches, counted once.
    assert AttendanceInterval.objects.filter(registration__event=conference).count() \
        > attended.count()
    # The past was not e-mailed today; an upcoming registration was confirmed by e-mail.
    assert not Notice.objects.filter(registration__event__in=past).exists()
    assert Registration.objects.filter(
        event__start__gt=now, status="confirmed", email__startswith="lead.").exists()
    assert not Registration.objects.filter(event__start__gt=now,
                                           checked_in_at__isnull=False).exists()


def test_loading_it_twice_changes_nothing(program_under_way):
    demo_load()
    before = _snapshot()
    demo_load()
    assert _snapshot() == before
