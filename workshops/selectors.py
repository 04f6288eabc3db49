"""Reads for the workshop pages and API, scoped to the user, each with the joins it needs."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coalitions.models import Enrollment, NetworkMembership
from coalitions.permissions import membership_of

from . import permissions
from .models import Event, Registration

Status = Registration.Status


def _holding_seat(now, prefix="registrations__"):
    return (
        Q(**{f"{prefix}status": Status.CONFIRMED})
        | Q(**{f"{prefix}status": Status.OFFERED, f"{prefix}expires_at__gt": now})
        | Q(**{f"{prefix}status": Status.PENDING_APPROVAL, f"{prefix}expires_at__gt": now,
               "pending_holds_seat": True})
    )


def with_seats(queryset, now=None):
    """Annotate ``seats_held`` on events: one aggregate, whatever the number of rows."""
    now = now or timezone.now()
    return queryset.annotate(seats_held=Count("registrations", filter=_holding_seat(now)))


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
    """The signed-in person's own active registrations for an event (by e-mail address)."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return event.registrations.active().filter(email__iexact=user.email)


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
