"""Every indicator against numbers worked out by hand on a small program."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coalitions.models import Enrollment, FollowUp
from evaluation import indicators
from evaluation.indicators import Scope
from measures import services as measure_services
from tests import factories
from workshops import services as workshop_services
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def world(staff_user):
    """Two enrolled coalitions in Maryland, one outsider; a quarter of activity."""
    program = factories.ProgramFactory(start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    a = factories.CoalitionFactory(name="Alpha", states="MD")
    b = factories.CoalitionFactory(name="Beta", states="MD, VA")
    outsider = factories.CoalitionFactory(name="Gamma", states="MD")
    for coalition, tier in ((a, "support"), (b, "intensive")):
        factories.EnrollmentFactory(program=program, coalition=coalition, tier=tier,
                                    enrolled_on=date(2026, 1, 1))
    # Events: a web conference and a workshop in Q1, a briefing reaching 40 people.
    web = Event.objects.create(
        program=program, kind=Event.Kind.WEB_CONFERENCE, title="Web", start=at(Q1[0] +
        timedelta(days=40)), end=at(Q1[0] + timedelta(days=40), 11), capacity=None,
        status=Event.Status.PUBLISHED)
    Event.objects.create(
        program=program, kind=Event.Kind.WORKSHOP, title="Workshop",
        start=at(date(2026, 3, 2)), end=at(date(2026, 3, 2), 16),
        status=Event.Status.PUBLISHED)
    Event.objects.create(
        program=program, kind=Event.Kind.BRIEFING, title="Briefing",
        start=at(date(2026, 3, 10)), end=at(date(2026, 3, 10), 11),
        status=Event.Status.COMPLETED, audience_count=40)
    people = []
    for n, coalition in enumerate([a, a, b]):
        people.append(Registration.objects.create(
            event=web, coalition=coalition, email=f"p{n}@example.org", name=f"P{n}",
            status=Registration.Status.CONFIRMED))
    Registration.objects.create(event=web, coalition=b, email="gone@example.org", name="Gone",
                                status=Registration.Status.CANCELLED)
    for person in people[:2]:  # two of three came (both from Alpha)
        workshop_services.registration_check_in(registration=person, actor=staff_user)
        Registration.objects.filter(pk=person.pk).update(minutes_present=50)
    for person, rating in zip(people[:2], (4, 5), strict=True):
        workshop_services.feedback_create(registration=person, actor=None, rating=rating,
                                          usefulness="very")
    # Technical assistance: 2.5 h for Beta, 1.5 h for both, in Q1.
    first = factories.TechnicalAssistanceFactory(program=program, date=date(2026, 2, 1),
                                                 hours=Decimal("2.5"), coalitions=[b])
    factories.TechnicalAssistanceFactory(program=program, date=date(2026, 3, 1),
                                         hours=Decimal("1.5"), coalitions=[a, b],
                                         kind="site_visit")
    factories.FollowUpFactory(entry=first, due_date=date(2026, 2, 20),
                              status=FollowUp.Status.DONE, closed_on=date(2026, 2, 18))
    factories.FollowUpFactory(entry=first, due_date=date(2026, 3, 1),
                              status=FollowUp.Status.DONE, closed_on=date(2026, 3, 9))
    # Adoption: Alpha implements PQI-like A1 and A2, Beta A1 and a HEDIS-like H1.
    ahrq = factories.MeasureSetFactory(code="AQ")
    ncqa = factories.MeasureSetFactory(code="NQ", steward="NCQA")
    a1, a2 = factories.MeasureFactory(measure_set=ahrq), factories.MeasureFactory(measure_set=ahrq)
    h1 = factories.MeasureFactory(measure_set=ncqa)
    for coalition, measure in ((a, a1), (a, a2), (b, a1), (b, h1)):
        measure_services.adoption_create(coalition=coalition, measure=measure,
                                         use="public_reporting", stage="implemented",
                                         stage_since=date(2026, 2, 1), actor=staff_user)
    # The outsider's adoption counts nowhere: it is not enrolled.
    measure_services.adoption_create(coalition=outsider, measure=a1, use="p4p",
                                     stage="implemented", stage_since=date(2026, 2, 1),
                                     actor=staff_user)
    return {"program": program, "a": a, "b": b}


def value(key, scope):
    return indicators.compute(indicators.REGISTRY[key], scope)


@pytest.fixture
def q1(world):
    return Scope(world["program"], *Q1)


@pytest.fixture
def q2(world):
    return Scope(world["program"], *Q2)


def test_events_and_registrations(q1):
    assert value("events_held", q1)["value"] == 3
    assert value("events_held", q1)["breakdown"] == {
        "Briefing": 1, "Technical-assistance workshop": 1, "Web conference": 1}
    assert value("registrations", q1)["value"] == 3  # the cancelled one is left out
    assert value("attendance", q1)["value"] == 2


def test_attendance_rate_is_a_named_ratio(q1):
    result = value("attendance_rate", q1)
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 3, 66.7)


def test_web_conference_participation_and_dissemination(q1):
    assert value("web_conference_participation", q1)["value"] == 2
    assert value("web_conference_participation", q1)["breakdown"] == {"Minutes present": 100}
    assert value("dissemination_reach", q1)["value"] == 40


def test_coalitions_reached(q1, world):
    assert value("coalitions_reached", q1)["value"] == 2  # Alpha came, Beta was assisted
    assert value("share_reached", q1)["value"] == 100.0


def test_ta_hours(q1):
    result = value("ta_hours", q1)
    assert result["value"] == 4.0
    assert result["breakdown"]["Consultation call"] == 2.5
    assert result["breakdown"]["Site visit"] == 1.5
    assert result["breakdown"]["Tier: Intensive assistance"] == 4.0
    assert result["breakdown"]["Tier: Information and support"] == 1.5


def test_followups_on_time(q1):
    assert value("followups_on_time", q1)["value"] == 50.0


def test_satisfaction(q1):
    result = value("satisfaction", q1)
    assert result["value"] == 4.5
    assert result["breakdown"]["5 stars"] == 1 and result["breakdown"]["1 star"] == 0


def test_outcomes(q1):
    assert value("adoptions_by_stage", q1)["value"] == 4
    assert value("ahrq_share", q1)["value"] == 75.0
    # Alpha {A1, A2}, Beta {A1, H1}: one shared of three in all
    assert value("alignment", q1)["value"] == 33.3
    assert value("alignment", q1)["breakdown"] == {"MD": 33.3}
    assert value("adoption_change", q1)["value"] == 4


def test_one_coalition_scope(world):
    alpha = Scope(world["program"], *Q1, coalition=world["a"])
    assert value("attendance", alpha)["value"] == 2
    assert value("ta_hours", alpha)["value"] == 1.5
    assert value("adoptions_by_stage", alpha)["value"] == 2
    assert value("alignment", alpha)["value"] is None  # no pair within one coalition


def test_an_empty_period_is_no_data_not_zero_percent(q2):
    for key in ("attendance_rate", "followups_on_time", "intention_to_use", "share_reached",
                "satisfaction", "action_items_on_time", "network_retention"):
        result = value(key, q2)
        if key == "share_reached":
            assert result["value"] == 0.0  # two enrolled, none reached: a real 0 %
        else:
            assert result["value"] is None, key
    assert value("events_held", q2)["value"] == 0


def test_baseline_before_the_program_is_no_data_or_zero(q1):
    baseline = indicators.baseline_scope(q1)
    assert baseline.end == date(2025, 12, 31)
    assert value("adoptions_by_stage", baseline)["value"] == 0
    assert Enrollment.objects.count() == 2
