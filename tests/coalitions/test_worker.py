"""A task sent through Redis to a real Celery worker, which the test starts."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections

from coalitions import services
from coalitions.models import Enrollment
from config.celery import app as celery_app
from tests import factories

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _close_worker_connections(**kwargs):
    # The worker runs in a thread with its own database connection; close it after each
    # task so the test database can be dropped at the end of the run.
    connections.close_all()


@pytest.fixture
def real_worker():
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False,
                          shutdown_timeout=10) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_connections)
        celery_app.conf.task_always_eager = True


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_welcome_email_goes_through_redis_to_a_worker(real_worker, staff_user):
    assert celery_app.conf.broker_url.startswith("redis://")
    program = factories.ProgramFactory(name="Purchaser-Provider Synergies")
    coalition = factories.CoalitionFactory()
    factories.ContactFactory(coalition=coalition, email="director@example.org")

    enrollment = services.enrollment_create(program=program, coalition=coalition,
                                            tier="support", actor=staff_user)

    assert wait_for(
        lambda: Enrollment.objects.filter(pk=enrollment.pk, welcome_sent_at__isnull=False)
        .exists()
    ), "the worker did not process the task within 20 s"
    assert [m.to for m in mail.outbox] == [["director@example.org"]]
    assert "Purchaser-Provider Synergies" in mail.outbox[0].subject
