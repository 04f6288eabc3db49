"""The demo's technical assistance and learning networks: plausible, and loaded once."""

from datetime import date

import pytest

from coalitions.demo import demo_load
from coalitions.models import (
    Coalition,
    Enrollment,
    FollowUp,
    LearningNetwork,
    NetworkMembership,
    TechnicalAssistance,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)  # eleven months into a program that starts on January 1


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        for model in (TechnicalAssistance, FollowUp, LearningNetwork, NetworkMembership,
                      Coalition)
    } | {
        "served": TechnicalAssistance.coalitions.through.objects.count(),
        "history": TechnicalAssistance.history.count() + FollowUp.history.count(),
    }


def test_the_demo_program_gets_its_technical_assistance_and_networks():
    demo_load(today=TODAY)
    for enrollment in Enrollment.objects.filter(tier="intensive").select_related("coalition"):
        entries = TechnicalAssistance.objects.filter(coalitions=enrollment.coalition)
        assert entries.filter(kind="site_visit").count() >= 3
        assert entries.filter(kind="consultation").count() >= 3
        assert FollowUp.objects.filter(entry__in=entries).count() >= 5
    support = Enrollment.objects.filter(tier="support").values("coalition")
    assert TechnicalAssistance.objects.filter(kind="workshop", coalitions__in=support).exists()
    assert TechnicalAssistance.objects.filter(
        kind="web_conference", coalitions__in=support
    ).exists()
    assert TechnicalAssistance.objects.filter(kind="national_presentation").count() >= 2
    assert set(LearningNetwork.objects.values_list("name", flat=True)) == {
        "Public reporting", "Pay-for-performance design", "Measure alignment"}
    assert TechnicalAssistance.objects.filter(kind="peer_assist", network__isnull=False).exists()
    assert not TechnicalAssistance.objects.filter(date__gt=TODAY).exists()
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {"open", "done"}
    assert Coalition.objects.filter(staff_contact__isnull=False).count() == 18


def test_loading_it_twice_changes_nothing():
    demo_load(today=TODAY)
    before = _snapshot()
    demo_load(today=TODAY)
    assert _snapshot() == before
