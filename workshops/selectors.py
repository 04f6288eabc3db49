"""Reads for the workshop pages and API, scoped to the user, each with the joins it needs."""

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coalitions import timeline
from coalitions.models import Enrollment, NetworkMembership
from coalitions.permissions import membership_of

from . import attendance, permissions
from .models import (
    Event,
    Feedback,
    FeedbackIntention,
    Registration,
    UnmatchedAttendee,
    holding_seat_q,
)

Status = Registration.Status


def with_seats(queryset, now=None):
    """Annotate ``seats_held`` on events: one aggregate, whatever the number of rows."""
    now = now or timezone.now()
    return queryset.annotate(seats_held=Count("registrations", filter=holding_seat_q(now)))


def seats_left_of(event):
    """Free seats of an event annotated by ``with_seats`` (None: unlimited)."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.seats_held)


def event_list(*, user, program=None, kind=None, when="upcoming", now=None):
    now = now or timezone.now()
    events = permissions.events_visible_to(user, Event.objects.select_related("program"))
    if program:
        events = events.filter(program__code=program)
    if kind:
        events = events.filter(kind=kind)
    if when == "upcoming":
        events = events.filter(end__gte=now).order_by("start", "pk")
    elif when == "past":
        events = events.filter(end__lt=now).order_by("-start", "-pk")
    return with_seats(events, now)


def event_get_for(user, pk):
    """One event the user may see (a draft is 404 to the public), with its seats held."""
    events = permissions.events_visible_to(
        user, Event.objects.select_related("program", "eligible_network")
    )
    return get_object_or_404(with_seats(events), pk=pk)


# What ``services.registration_create`` reads of the event it is given (it reads the rest
# itself, under the event's lock).
REGISTERING_FIELDS = ("pk", "status", "capacity", "waiting_list", "per_coalition_limit")


def event_to_register_for(user, pk):
    """The event someone registers for, if the user may see it (a draft is 404 to the
    public), with its seats held and only ``REGISTERING_FIELDS``: the registration's rules
    read the event again under its lock."""
    events = permissions.events_visible_to(user, Event.objects.only(*REGISTERING_FIELDS))
    return get_object_or_404(with_seats(events), pk=pk)


def eligibility_for(events, coalition, *, today=None):
    """``{event.pk: why not, or None}`` for a coalition, in three queries for any number of
    events (the same rules as ``services.eligibility_problem``, read in bulk)."""
    from .services import eligibility_problem  # the wording lives with the rule

    today = today or timezone.localdate()
    events = list(events)
    tiers = set(
        Enrollment.objects.filter(coalition=coalition, status=Enrollment.Status.ACTIVE)
        .values_list("program_id", "tier")
    )
    named = set(
        Event.eligible_coalitions.through.objects.filter(
            event_id__in=[e.pk for e in events], coalition_id=coalition.pk
        ).values_list("event_id", flat=True)
    )
    networks = set(
        NetworkMembership.objects.filter(coalition=coalition, joined_on__lte=today)
        .exclude(left_on__lte=today).values_list("network_id", flat=True)
    )
    answers = {}
    for event in events:
        rule = event.eligibility
        eligible = (
            rule == Event.Eligibility.EVERYONE
            or (rule == Event.Eligibility.TIER
                and (event.program_id, event.eligible_tier) in tiers)
            or (rule == Event.Eligibility.COALITIONS and event.pk in named)
            or (rule == Event.Eligibility.NETWORK and event.eligible_network_id in networks)
        )
        answers[event.pk] = None if eligible else eligibility_problem(event, coalition)
    return answers


def registrations_for(user, event):
    """The registrations of an event the user may see: all for staff and evaluators, their
    coalition's for a lead or member."""
    rows = event.registrations.select_related("coalition").order_by("queued_at", "pk")
    return permissions.registrations_visible_to(user, rows)


def registration_get_for(user, pk, *, event=None):
    rows = permissions.registrations_visible_to(
        user, Registration.objects.select_related("event", "coalition", "event__program")
    )
    if event is not None:
        rows = rows.filter(event=event)
    return get_object_or_404(rows, pk=pk)


def user_registrations(user, event):
    """The signed-in person's own registrations for an event (by e-mail address): the active
    ones, and any they attended whatever became of it (a wait that lapsed when the event was
    marked held, then a participant report showing they came); each with ``has_feedback``."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return event.registrations.filter(
        Q(status__in=Registration.ACTIVE_STATUSES) | Q(checked_in_at__isnull=False),
        email__iexact=user.email,
    ).annotate(has_feedback=Exists(Feedback.objects.filter(registration=OuterRef("pk"))))


def event_numbers(event):
    """Staff's view of an event: registrations by status, and by coalition, tier and state.

    One grouped query per breakdown; tier is the coalition's tier in the event's program.
    """
    rows = event.registrations.all()
    by_status = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    attended = rows.filter(checked_in_at__isnull=False).count()
    by_coalition = list(
        rows.values("coalition__name", "status").annotate(n=Count("pk"))
        .order_by("coalition__name", "status")
    )
    tier_of = dict(
        Enrollment.objects.filter(program_id=event.program_id)
        .values_list("coalition_id", "tier")
    )
    by_tier, by_state = {}, {}
    for coalition_id, states, status, n in (
        rows.values_list("coalition_id", "coalition__states", "status")
        .annotate(n=Count("pk")).order_by()
    ):
        tier = Enrollment.Tier(tier_of[coalition_id]).label if coalition_id in tier_of \
            else "Not enrolled"
        by_tier.setdefault(tier, {}).setdefault(status, 0)
        by_tier[tier][status] += n
        for state in [s.strip() for s in states.split(",") if s.strip()] or ["—"]:
            by_state.setdefault(state, {}).setdefault(status, 0)
            by_state[state][status] += n
    coalitions = {}
    for row in by_coalition:
        coalitions.setdefault(row["coalition__name"], {})[row["status"]] = row["n"]
    return {
        "by_status": {status: by_status.get(status, 0) for status in Status.values},
        "attended": attended,
        "by_coalition": coalitions,
        "by_tier": by_tier,
        "by_state": dict(sorted(by_state.items())),
        "statuses": list(Status.choices),
    }


def coalition_for(user):
    membership = membership_of(user)
    return membership.coalition if membership is not None else None


def feedback_results(event):
    """An event's feedback, summed up for staff and evaluators: how many answered out of
    how many attended, the mean rating, the distribution of ratings and of usefulness, and
    for each featured measure and tool how many intend to use it. A fixed number of
    queries whatever the number of answers (the comments are read by ``feedback_comments``).
    """
    answers = Feedback.objects.filter(registration__event=event)
    by_rating = dict(answers.values_list("rating").annotate(n=Count("pk")).order_by())
    count = sum(by_rating.values())
    mean = sum(r * n for r, n in by_rating.items()) / count if count else None
    by_usefulness = dict(answers.values_list("usefulness").annotate(n=Count("pk")).order_by())

    def share(n):
        return round(100 * n / count) if count else 0

    intentions = {
        (row["measure_id"], row["tool_id"]): row for row in
        FeedbackIntention.objects.filter(feedback__registration__event=event)
        .values("measure_id", "tool_id")
        .annotate(yes=Count("pk", filter=Q(intends_to_use=True)),
                  no=Count("pk", filter=Q(intends_to_use=False)))
        .order_by()
    }
    featured = [
        (f"{m.code}: {m.title}", intentions.get((m.pk, None), {}))
        for m in event.featured_measures.order_by("code")
    ] + [
        (t.title, intentions.get((None, t.pk), {}))
        for t in event.featured_tools.order_by("code")
    ]
    return {
        "count": count,
        "attended": event.registrations.filter(checked_in_at__isnull=False).count(),
        "mean": mean,
        "ratings": [{"label": str(r), "n": by_rating.get(r, 0), "percent": share(
            by_rating.get(r, 0))} for r in range(5, 0, -1)],
        "usefulness": [{"label": label, "n": by_usefulness.get(value, 0),
                        "percent": share(by_usefulness.get(value, 0))}
                       for value, label in Feedback.Usefulness.choices],
        "intentions": [_intention(label, row.get("yes", 0), row.get("no", 0))
                       for label, row in featured],
    }


def _intention(label, yes, no):
    answered = yes + no
    return {"label": label, "yes": yes, "no": no, "answered": answered,
            "percent": round(100 * yes / answered) if answered else 0}


def feedback_comments(event, *, with_names):
    """The comments on an event, newest first; with the person and coalition only
    ``with_names`` (staff): evaluators read them de-identified."""
    rows = (Feedback.objects.filter(registration__event=event).exclude(comments="")
            .order_by("-created_at", "-pk"))
    if with_names:
        return rows.select_related("registration__coalition")
    return rows.only("rating", "usefulness", "comments", "created_at")


# --- check-in and attendance ----------------------------------------------------------------


def check_in_list(event, *, q=""):
    """The people staff check in at the door: the event's active registrations, by name,
    narrowed by a name (or e-mail address) typed in the search box."""
    rows = (event.registrations.active().select_related("coalition")
            .order_by(Lower("name"), "pk"))
    for word in q.split():
        rows = rows.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return rows


def check_in_counts(event):
    """``{"active": n, "checked_in": n}`` over the whole event, in one query."""
    return event.registrations.active().aggregate(
        active=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )


def roster_for_export(user, event, *, status=""):
    """The roster as the roster page lists it (optionally one status), for a download."""
    rows = registrations_for(user, event)
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows


def attendance_imports(event):
    return event.imports.select_related("uploaded_by").order_by("-created_at", "-pk")


def attendance_preview(record, report):
    """What applying a report would do: each person found with their time in the session,
    the registration their e-mail address matches (or none), and whether they would count
    as attended (the event's threshold, on this file's stretches alone)."""
    event = record.event
    scheduled = (event.end - event.start).total_seconds() / 60
    emails = {person.email.lower() for person in report.attendees if person.email}
    registrations = {}
    for registration in (
        event.registrations.exclude(status__in=(Status.CANCELLED, Status.DECLINED))
        .filter(email__in=emails).select_related("coalition")
    ):
        registrations[registration.email.lower()] = registration
    people = []
    for person in sorted(report.attendees, key=lambda p: (p.name.lower(), p.email.lower())):
        minutes = attendance.union_minutes(person.intervals, event.start, event.end)
        people.append({
            "name": person.name, "email": person.email, "stretches": len(person.intervals),
            "minutes": round(minutes),
            "attended": minutes >= scheduled * event.attendance_threshold / 100,
            "registration": registrations.get(person.email.lower()),
        })
    matched = sum(1 for person in people if person["registration"])
    return {
        "people": people, "matched": matched, "unmatched": len(people) - matched,
        "skipped": report.skipped, "zone": attendance.zone_of(record),
        "none_in_session": bool(people) and not any(p["minutes"] for p in people),
    }


def unmatched_rows(event):
    """Rows of the event's applied reports that matched no registration, the unresolved
    first, each with the registration staff gave it."""
    return (
        UnmatchedAttendee.objects.filter(source__event=event)
        .select_related("resolved_registration", "source")
        .order_by(F("resolved_registration").asc(nulls_first=True), Lower("name"), "pk")
    )


def unmatched_get(event, pk):
    return get_object_or_404(unmatched_rows(event), pk=pk)


def unmatched_minutes(row, event):
    stretches = [(datetime.fromisoformat(a), datetime.fromisoformat(b))
                 for a, b in row.intervals]
    return round(attendance.union_minutes(stretches, event.start, event.end))


# --- featured measures and tools, materials -------------------------------------------------


def event_catalog(event):
    """The event's featured measures and tools, for its page and its feedback form."""
    return {
        "measures": list(event.featured_measures.select_related("measure_set")
                         .order_by("code")),
        "tools": list(event.featured_tools.order_by("title")),
    }


def materials_of(event):
    return list(event.materials.order_by(Lower("title"), "pk"))


# --- the coalition's timeline (registered in apps.py) ---------------------------------------


def attended_events_timeline(coalition, user, limit):
    """Timeline source: the events the coalition's people attended (one entry per event, with
    how many of them came), newest first, in one query."""
    events = (
        permissions.events_visible_to(user)
        .filter(registrations__coalition=coalition, registrations__checked_in_at__isnull=False)
        .annotate(attendees=Count("registrations", filter=Q(
            registrations__coalition=coalition, registrations__checked_in_at__isnull=False)))
        .order_by("-start", "-pk")[:limit]
    )
    return [
        timeline.TimelineEntry(
            date=event.local_start.date(),
            at=event.start,
            kind="Event attended",
            title=f"{event.get_kind_display()}: {event.title}",
            url=event.get_absolute_url(),
            detail=f"{event.attendees} {'person' if event.attendees == 1 else 'people'} "
                   f"attended",
        )
        for event in events
    ]
