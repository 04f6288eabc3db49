"""RFC 5545 calendars (the ``icalendar`` library): one event, a cancellation, a program feed.

Every event has one UID for ever, so a calendar that received the invitation matches the
cancellation (``METHOD:CANCEL``) or a changed time to it; ``SEQUENCE`` grows with each
change of the event.
"""

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent

PRODID = "-//Synergies portal//Workshops//EN"


def event_uid(event):
    return f"event-{event.pk}@{settings.CALENDAR_UID_DOMAIN}"


def _calendar(method, name=None):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _vevent(event, *, url, join_url="", cancelled=False):
    item = VEvent()
    item.add("uid", event_uid(event))
    item.add("sequence", int(event.updated_at.timestamp()))
    item.add("dtstamp", event.updated_at)
    item.add("dtstart", event.local_start)
    item.add("dtend", event.local_end)
    item.add("summary", event.title)
    description = [event.summary] if event.summary else []
    if join_url:
        description.append(f"Join: {join_url}")
    if url:
        description.append(url)
        item.add("url", url)
    if description:
        item.add("description", "\n\n".join(description))
    location = join_url or event.venue
    if location:
        item.add("location", location)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return item


def event_ics(event, *, url="", join_url="", cancelled=False):
    """One event as a calendar file; ``cancelled`` makes it the cancellation of that event."""
    calendar = _calendar("CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(_vevent(event, url=url, join_url=join_url, cancelled=cancelled))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def program_ics(program, events, *, url_for):
    """A subscribable feed of a program's published events (no join links: it is public)."""
    calendar = _calendar("PUBLISH", name=program.name)
    for event in events:
        calendar.add_component(_vevent(event, url=url_for(event)))
    calendar.add_missing_timezones()
    return calendar.to_ical()
