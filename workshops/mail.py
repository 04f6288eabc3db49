"""The e-mail a notice stands for: subject, text and, where a date is concerned, a calendar."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from . import calendar, links
from .models import Notice

SUBJECTS = {
    Notice.Kind.CONFIRMED: "You are registered: {event}",
    Notice.Kind.WAITING: "You are on the waiting list: {event}",
    Notice.Kind.PENDING: "Your registration awaits approval: {event}",
    Notice.Kind.OFFERED: "A seat is yours if you accept it: {event}",
    Notice.Kind.PROMOTED: "A seat opened up, and it is yours: {event}",
    Notice.Kind.CANCELLED: "Your registration is cancelled: {event}",
    Notice.Kind.DECLINED: "Your registration was not approved: {event}",
    Notice.Kind.LAPSED: "Your offer or request lapsed: {event}",
    Notice.Kind.EVENT_CANCELLED: "Cancelled: {event}",
    Notice.Kind.REMINDER: "Tomorrow: {event}",
    Notice.Kind.FEEDBACK: "How was it? {event}",
    Notice.Kind.MISSED: "Sorry we missed you: {event}",
}

# The notices that concern a seat at a date carry the event; the cancellations cancel it.
WITH_CALENDAR = {Notice.Kind.CONFIRMED, Notice.Kind.PROMOTED, Notice.Kind.REMINDER}
WITH_CANCELLATION = {Notice.Kind.EVENT_CANCELLED, Notice.Kind.CANCELLED}


def _materials(event):
    """(title, absolute link) of each of the event's materials, for the people who missed it."""
    return [(m.title, links.absolute(m.href) if m.href.startswith("/") else m.href)
            for m in event.materials.all()]


def notice_message(notice):
    registration = notice.registration
    event = registration.event
    confirmed = registration.status == registration.Status.CONFIRMED
    join_url = event.join_url if confirmed else ""
    context = {
        "notice": notice,
        "registration": registration,
        "event": event,
        "join_url": join_url,
        "manage_url": links.registration_url(registration),
        "event_url": links.absolute(event.get_absolute_url()),
        "kind": notice.kind,
        "materials": _materials(event) if notice.kind == Notice.Kind.MISSED else [],
    }
    message = EmailMessage(
        subject=SUBJECTS[notice.kind].format(event=event.title),
        body=render_to_string("workshops/email/notice.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    )
    if notice.kind in WITH_CALENDAR and confirmed:
        ics = calendar.event_ics(event, url=context["event_url"], join_url=join_url)
        message.attach("event.ics", ics, "text/calendar; method=PUBLISH; charset=utf-8")
    elif notice.kind in WITH_CANCELLATION:
        ics = calendar.event_ics(event, url=context["event_url"], cancelled=True)
        message.attach("cancel.ics", ics, "text/calendar; method=CANCEL; charset=utf-8")
    return message
