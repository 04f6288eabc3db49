"""The shared side-effect protocol (core.outbox), on the enrolment welcome as its example row."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from coalitions.models import Enrollment
from core.outbox import Outbox, enqueue_on_commit
from core.tasks import sessions_clear_expired_task
from tests import factories

pytestmark = pytest.mark.django_db

OUTBOX = Outbox(Enrollment, "welcome")


def aged(enrollment, delta=timedelta(minutes=5)):
    """The row as if it had been saved ``delta`` ago."""
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=timezone.now() - delta)
    return enrollment


def expire_claim(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(
        welcome_claimed_at=timezone.now() - OUTBOX.lease - timedelta(seconds=1)
    )


def test_one_claim_at_a_time():
    enrollment = factories.EnrollmentFactory()
    assert OUTBOX.claim(enrollment.pk) is not None
    assert OUTBOX.claim(enrollment.pk) is None


def test_a_holder_whose_lease_was_taken_over_cannot_mark_sent():
    enrollment = factories.EnrollmentFactory()
    slow = OUTBOX.claim(enrollment.pk)
    expire_claim(enrollment)
    newer = OUTBOX.claim(enrollment.pk)
    assert newer is not None, "a claim past its lease is taken over"
    assert OUTBOX.mark_sent(enrollment.pk, slow) is False
    OUTBOX.release(enrollment.pk, slow)  # nor give back a claim it no longer holds
    enrollment.refresh_from_db()
    assert (enrollment.welcome_claim, enrollment.welcome_sent_at) == (newer, None)
    assert OUTBOX.mark_sent(enrollment.pk, newer) is True
    assert OUTBOX.claim(enrollment.pk) is None, "a sent row is never claimed again"


def test_a_released_claim_can_be_taken_at_once():
    enrollment = factories.EnrollmentFactory()
    token = OUTBOX.claim(enrollment.pk)
    OUTBOX.release(enrollment.pk, token)
    assert OUTBOX.claim(enrollment.pk) is not None


def test_due_rows_are_unsent_unclaimed_and_past_the_grace_period():
    fresh = factories.EnrollmentFactory()
    waiting = aged(factories.EnrollmentFactory())
    held = aged(factories.EnrollmentFactory())
    OUTBOX.claim(held.pk)
    lost = aged(factories.EnrollmentFactory())
    OUTBOX.claim(lost.pk)
    expire_claim(lost)
    sent = aged(factories.EnrollmentFactory())
    OUTBOX.mark_sent(sent.pk, OUTBOX.claim(sent.pk))

    assert set(OUTBOX.due()) == {waiting, lost}
    assert fresh not in OUTBOX.due(), "a new row is left to its task for the grace period"


def test_deliver_sends_once_and_a_failure_gives_the_claim_back():
    enrollment = factories.EnrollmentFactory()
    sent = []

    def broken(row):
        raise OSError("mail server down")

    with pytest.raises(OSError):
        OUTBOX.deliver(enrollment.pk, broken)
    enrollment.refresh_from_db()
    assert (enrollment.welcome_claimed_at, enrollment.welcome_sent_at) == (None, None)

    assert OUTBOX.deliver(enrollment.pk, sent.append) is True
    assert OUTBOX.deliver(enrollment.pk, sent.append) is False
    assert sent == [enrollment]


def test_a_sweep_sends_each_due_row_once():
    rows = [aged(factories.EnrollmentFactory()) for _ in range(3)]
    sent = []
    assert OUTBOX.sweep(sent.append) == 3
    assert OUTBOX.sweep(sent.append) == 0
    assert sorted(row.pk for row in sent) == sorted(row.pk for row in rows)


def test_with_the_broker_down_enqueue_on_commit_logs_and_goes_on(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    with (caplog.at_level(logging.WARNING, logger="core.outbox"),
          django_capture_on_commit_callbacks(execute=True) as callbacks):
        enqueue_on_commit(sessions_clear_expired_task)
    assert len(callbacks) == 1
    assert "Broker unavailable" in caplog.text
    assert "the sweep will send it" in caplog.text
