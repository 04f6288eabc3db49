"""Reads of the events API: the workshop selectors' scope, plus what an API row needs in the
same query (the caller's confirmed registration, a waiting place)."""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from workshops import permissions, selectors
from workshops.models import Event, Registration

Status = Registration.Status


def _with_caller(events, user):
    """Annotate ``caller_confirmed``: whether the caller holds a confirmed registration (by
    their e-mail address), in the events' own query. Staff see every join link anyway."""
    if not user.is_authenticated or permissions.can_manage_events(user):
        return events.annotate(caller_confirmed=Value(False))
    return events.annotate(caller_confirmed=Exists(Registration.objects.filter(
        event=OuterRef("pk"), status=Status.CONFIRMED, email__iexact=user.email,
    )))


def event_list(*, user, now=None):
    """The events the user may see (drafts only for staff and evaluators), each with its
    seats held and whether the caller may see its join link: one query for any number."""
    events = permissions.events_visible_to(user, Event.objects.select_related("program"))
    return _with_caller(selectors.with_seats(events, now), user)


def event_get_for(user, pk):
    return get_object_or_404(event_list(user=user), pk=pk)


def _waiting_up_to(event, queued_at, pk):
    """The registrations waiting for ``event`` that queued before the one queued at
    ``queued_at`` with ``pk`` (in the list's order), and that one."""
    return Registration.objects.filter(event=event, status=Status.WAITING).filter(
        Q(queued_at__lt=queued_at) | Q(queued_at=queued_at, pk__lte=pk)
    )


def _waiting_place():
    """A waiting registration's place on its event's list (1 first): the waiting rows of
    the event queued before it, plus itself. A correlated count over the whole list, so a
    lead who sees only their coalition's rows still gets the true place."""
    ahead = (
        _waiting_up_to(OuterRef("event"), OuterRef("queued_at"), OuterRef("pk"))
        .order_by().values("event").annotate(n=Count("pk")).values("n")
    )
    return Case(
        When(status=Status.WAITING,
             then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(1))),
        default=Value(None), output_field=IntegerField(),
    )


def waiting_place_of(registration):
    """The place of one registration on its event's waiting list (1 first; None when it
    does not wait), as ``_waiting_place`` counts it: one count, read after its commit."""
    if registration.status != Status.WAITING:
        return None
    place = _waiting_up_to(registration.event_id, registration.queued_at, registration.pk)
    return max(place.count(), 1)  # 0 only if it has just been promoted: it still says waiting


def registration_list(*, user, event):
    """An event's registrations the user may see (all for staff and evaluators, their
    coalition's for a lead or member), each with its waiting place; one query."""
    rows = permissions.registrations_visible_to(
        user, Registration.objects.filter(event=event)
    )
    return rows.annotate(position=_waiting_place())


def registration_get_for(user, event, pk):
    """One registration of ``event`` the user may see; another coalition's is 404."""
    return get_object_or_404(registration_list(user=user, event=event), pk=pk)

