from datetime import timedelta

import pytest
from django.utils import timezone

from coalitions.models import Enrollment
from tests import factories
from workshops import services
from workshops.models import Event


def make_event(program, actor, **fields):
    now = timezone.now()
    values = {
        "kind": Event.Kind.WEB_CONFERENCE,
        "title": "Using the AHRQ Quality Indicators in a report card",
        "start": now + timedelta(days=10),
        "end": now + timedelta(days=10, hours=2),
        "timezone": "America/Chicago",
        "capacity": 10,
        "join_url": "https://meet.example.org/j/123",
        "status": Event.Status.PUBLISHED,
        **fields,
    }
    return services.event_create(program=program, actor=actor, **values)


@pytest.fixture
def event(program, staff_user):
    return make_event(program, staff_user)


@pytest.fixture
def enrolled(program, coalition):
    factories.EnrollmentFactory(program=program, coalition=coalition,
                                tier=Enrollment.Tier.SUPPORT)
    return coalition


@pytest.fixture
def register(staff_user, coalition):
    def register(event, email, *, name=None, coalition_=None, actor=None):
        return services.registration_create(
            event=event, coalition=coalition_ or coalition, email=email,
            name=name or email.split("@")[0].title(), actor=actor or staff_user,
        )
    return register
