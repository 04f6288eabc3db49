"""Enrolments racing for the last place, each on its own database connection."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from coalitions import services
from coalitions.models import Enrollment
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 12


def race(program, coalitions, actor, tier):
    barrier = threading.Barrier(len(coalitions))
    outcomes = []
    lock = threading.Lock()

    def enrol(coalition):
        try:
            barrier.wait(timeout=10)
            services.enrollment_create(program=program, coalition=coalition, tier=tier,
                                       actor=actor)
            result = "enrolled"
        except ValidationError as error:
            result = error.message_dict.get("tier", ["?"])[0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=enrol, args=(c,)) for c in coalitions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_racing_enrolments_never_exceed_the_last_place(staff_user):
    program = factories.ProgramFactory(intensive_capacity=3)
    for coalition in factories.CoalitionFactory.create_batch(2):
        factories.EnrollmentFactory(program=program, coalition=coalition, tier="intensive")
    racers = factories.CoalitionFactory.create_batch(RACERS)

    outcomes = race(program, racers, staff_user, "intensive")

    assert len(outcomes) == RACERS
    assert outcomes.count("enrolled") == 1
    assert all("is full" in o for o in outcomes if o != "enrolled")
    assert Enrollment.objects.filter(program=program, tier="intensive").count() == 3


def test_racing_enrolments_fill_a_tier_exactly(staff_user):
    program = factories.ProgramFactory(support_capacity=5)
    outcomes = race(program, factories.CoalitionFactory.create_batch(RACERS), staff_user,
                    "support")
    assert outcomes.count("enrolled") == 5
    assert Enrollment.objects.filter(program=program).count() == 5
