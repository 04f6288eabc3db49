"""Celery tasks: each takes ids, calls a service or sends what a row owes, and can run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.outbox import Outbox

from . import mail, services
from .models import Event, Notice, Registration

logger = logging.getLogger(__name__)

NOTICES = Outbox(Notice, "mail")


def _send(notice):
    mail.notice_message(notice).send()


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def notice_send_task(self, notice_id):
    """Send one notice's e-mail, once however often the task is delivered."""
    try:
        NOTICES.deliver(notice_id, _send)
    except Exception as error:
        logger.warning("Notice %s failed: %s", notice_id, error)
        raise self.retry(exc=error) from error


@shared_task
def notices_sweep_task():
    """Send the notices the broker lost (every minute, from the scheduler)."""
    return NOTICES.sweep(_send)


@shared_task
def event_expire_holds_task(event_id):
    event = Event.objects.filter(pk=event_id).first()
    if event is not None:
        services.event_expire_holds(event=event)


@shared_task
def holds_expire_sweep_task():
    """Every minute: pass on the seats of offers and approvals that lapsed (the task queued
    for each expiry does it at the moment; this catches what a lost task missed)."""
    now = timezone.now()
    event_ids = (
        Registration.objects.filter(
            status__in=(Registration.Status.OFFERED, Registration.Status.PENDING_APPROVAL),
            expires_at__lte=now,
        ).values_list("event_id", flat=True).distinct()
    )
    for event_id in list(event_ids):
        event_expire_holds_task(event_id)


@shared_task
def reminders_send_task():
    """A day before each published event (in its own time zone), remind the confirmed."""
    now = timezone.now()
    soon = Event.objects.filter(status=Event.Status.PUBLISHED, start__gt=now,
                                start__lte=now + timedelta(hours=36))
    owed = 0
    for event in soon:
        local_today = now.astimezone(event.zone).date()
        if event.local_start.date() - local_today != timedelta(days=1):
            continue
        with transaction.atomic():
            for registration in event.registrations.filter(
                status=Registration.Status.CONFIRMED
            ).exclude(notices__kind=Notice.Kind.REMINDER):
                services.notify(registration, Notice.Kind.REMINDER)
                owed += 1
    return owed


@shared_task
def events_complete_task():
    """Mark as held the published events that ended ``WORKSHOPS_COMPLETE_AFTER_HOURS`` ago
    (every half hour, from the scheduler). An event completed meanwhile, by staff or by
    another run, is left as it is: running twice sends nothing twice."""
    ended_before = timezone.now() - timedelta(hours=settings.WORKSHOPS_COMPLETE_AFTER_HOURS)
    completed = 0
    for event in Event.objects.filter(status=Event.Status.PUBLISHED, end__lte=ended_before):
        try:
            services.event_complete(event=event, actor=None)
        except services.RegistrationError:  # completed or cancelled since it was listed
            continue
        completed += 1
    return completed
