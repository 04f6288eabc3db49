"""A coalition's timeline: what happened to it, newest first, from several sources.

``coalitions`` owns this registry and knows no later app. Each app adds its own source in its
``AppConfig.ready()``::

    from coalitions import timeline

    timeline.register("action-plan", action_plan_changes)

A source is a callable ``source(coalition, user, limit)`` that returns at most ``limit``
``TimelineEntry`` objects about ``coalition`` that ``user`` may see, newest first, in a
number of queries that does not grow with the rows (one sliced, ordered query is the usual
shape). The timeline asks every source for as many entries as the page needs, up to the
page's end plus one, and merges them; so a page costs the same few queries per source
whatever the coalition's history holds.
"""

from dataclasses import dataclass, field
from datetime import date as date_type
from datetime import datetime, time

from django.utils import timezone

PAGE_SIZE = 20


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened. ``at`` (optional) orders entries of the same day."""

    date: date_type
    kind: str  # a short label shown as a tag: "Technical assistance", "Enrolment", ...
    title: str
    url: str = ""
    detail: str = ""
    at: datetime | None = field(default=None, compare=False)

    def sort_key(self):
        if self.at is not None:
            moment = timezone.localtime(self.at) if timezone.is_aware(self.at) else self.at
            return (self.date, moment.time())
        return (self.date, time.min)


_sources = {}


def register(name, source):
    """Add a source under ``name``; registering the same name again replaces it."""
    _sources[name] = source


def unregister(name):
    _sources.pop(name, None)


def sources():
    return dict(_sources)


@dataclass
class TimelinePage:
    entries: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def next_page_number(self):
        return self.number + 1

    @property
    def previous_page_number(self):
        return self.number - 1


def page_number(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def timeline_page(coalition, user, *, number=1, size=PAGE_SIZE):
    """One page of the coalition's timeline, newest first, across every registered source."""
    number = page_number(number)
    end = number * size
    merged = []
    for source in _sources.values():
        merged.extend(source(coalition, user, end + 1))
    merged.sort(key=TimelineEntry.sort_key, reverse=True)
    return TimelinePage(
        entries=merged[end - size:end], number=number, has_next=len(merged) > end
    )
