"""The enrolment welcome e-mail: queued on commit, and swept up when the broker lost it."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalitions import services, tasks
from coalitions.models import Enrollment
from coalitions.tasks import enrollment_welcome_sweep_task, enrollment_welcome_task
from config.celery import app as celery_app
from tests import factories

pytestmark = pytest.mark.django_db

WELCOME = services.ENROLLMENT_WELCOME


def past_the_grace_period(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(
        created_at=timezone.now() - WELCOME.grace - timedelta(seconds=1)
    )


def enrol_without_the_task(program, coalition, actor, capture):
    with capture(execute=False):
        return services.enrollment_create(program=program, coalition=coalition,
                                          tier="support", actor=actor)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_an_enrolment_answers_as_saved_and_is_welcomed_later(
    broker_down, staff_client, coalition, caplog
):
    program = factories.ProgramFactory()
    factories.ContactFactory(coalition=coalition, email="director@example.org")
    url = reverse("coalitions:enrollment-create", args=[program.code])

    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        response = staff_client.post(url, {"coalition": coalition.pk, "tier": "support"})

    assert response.status_code == 302
    assert "is enrolled" in staff_client.get(response.url).content.decode()
    enrollment = Enrollment.objects.get(program=program, coalition=coalition)
    assert enrollment.welcome_sent_at is None
    assert mail.outbox == []
    assert "the sweep will send it" in caplog.text

    assert enrollment_welcome_sweep_task() == 0, "the task may still come within the grace"
    past_the_grace_period(enrollment)
    assert enrollment_welcome_sweep_task() == 1
    assert enrollment_welcome_sweep_task() == 0
    assert [m.to for m in mail.outbox] == [["director@example.org"]]
    assert program.name in mail.outbox[0].subject
    enrollment.refresh_from_db()
    assert enrollment.welcome_sent_at is not None


def test_a_task_delivered_twice_and_a_sweep_send_the_welcome_once(
    staff_user, program, coalition, django_capture_on_commit_callbacks
):
    factories.ContactFactory(coalition=coalition)
    enrollment = enrol_without_the_task(program, coalition, staff_user,
                                        django_capture_on_commit_callbacks)
    enrollment_welcome_task.delay(enrollment.pk)
    enrollment_welcome_task.delay(enrollment.pk)
    past_the_grace_period(enrollment)
    assert enrollment_welcome_sweep_task() == 0
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_a_welcome_a_live_worker_holds_until_its_lease_runs_out(
    staff_user, program, coalition, django_capture_on_commit_callbacks
):
    factories.ContactFactory(coalition=coalition)
    enrollment = enrol_without_the_task(program, coalition, staff_user,
                                        django_capture_on_commit_callbacks)
    past_the_grace_period(enrollment)
    lost_worker = WELCOME.claim(enrollment.pk)
    assert enrollment_welcome_sweep_task() == 0
    Enrollment.objects.filter(pk=enrollment.pk).update(
        welcome_claimed_at=timezone.now() - WELCOME.lease - timedelta(seconds=1))
    assert enrollment_welcome_sweep_task() == 1
    assert WELCOME.mark_sent(enrollment.pk, lost_worker) is False
    assert len(mail.outbox) == 1


def test_a_send_failing_in_the_sweep_is_tried_again_after_the_lease_not_every_minute(
    staff_user, program, coalition, django_capture_on_commit_callbacks, monkeypatch
):
    factories.ContactFactory(coalition=coalition)
    enrollment = enrol_without_the_task(program, coalition, staff_user,
                                        django_capture_on_commit_callbacks)
    past_the_grace_period(enrollment)
    attempts = []

    def broken(**kwargs):
        attempts.append(kwargs)
        raise OSError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", broken)
    assert enrollment_welcome_sweep_task() == 0
    assert enrollment_welcome_sweep_task() == 0
    assert len(attempts) == 1

    monkeypatch.undo()
    Enrollment.objects.filter(pk=enrollment.pk).update(
        welcome_claimed_at=timezone.now() - WELCOME.lease - timedelta(seconds=1))
    assert enrollment_welcome_sweep_task() == 1
    assert len(mail.outbox) == 1


def test_the_scheduler_runs_the_sweep_every_minute():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == enrollment_welcome_sweep_task.name]
    assert [entry["schedule"] for entry in entries] == [timedelta(minutes=1)]
    assert enrollment_welcome_sweep_task.name in celery_app.tasks
