"""Every write to events and registrations that carries a rule.

Seats: every change that takes, gives back or moves a seat locks the event first (the one
lock, always taken first, with a lock timeout on PostgreSQL, as pretix does; see
``_lock_event``), counts the seats held from the registrations, and decides. So two requests
for the last seat queue on the lock and the second sees the first's registration: no event is
ever overbooked. A newcomer joining the waiting list of a full event takes the lock's shared
form, beside other newcomers.

E-mails: a change that owes someone an e-mail writes a ``Notice`` row in the same
transaction; the row is queued on commit and swept if the broker lost it (``core.outbox``).
"""

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from coalitions.models import Enrollment
from core.errors import DomainError
from core.outbox import enqueue_on_commit
from core.records import apply_changes, save_checked

from . import attendance
from .models import (
    AttendanceImport,
    AttendanceInterval,
    Event,
    Feedback,
    FeedbackIntention,
    Material,
    Notice,
    Registration,
    UnmatchedAttendee,
    holding_seat_q,
)

logger = logging.getLogger(__name__)

Status = Registration.Status


class RegistrationError(DomainError):
    """A registration rule was broken (closed, full, ineligible, duplicate...)."""


class RegistrationBusy(RegistrationError):
    """The event's lock was not free in time: many people are registering at once."""

    MESSAGE = "Many people are registering for this event right now. Please try again."

    def __init__(self, message=MESSAGE):
        super().__init__(message)


# --- events ---------------------------------------------------------------------------------


def event_create(*, actor, eligible_coalitions=(), featured_measures=(), featured_tools=(),
                 **fields):
    with transaction.atomic():
        event = save_checked(Event(**fields), actor=actor)
        if eligible_coalitions:
            event.eligible_coalitions.set(eligible_coalitions)
        if featured_measures:
            event.featured_measures.set(featured_measures)
        if featured_tools:
            event.featured_tools.set(featured_tools)
    return event


def _set_related(manager, chosen):
    """Set a many-to-many list only when it differs, so an untouched save writes nothing."""
    if chosen is None:
        return False
    wanted = {getattr(item, "pk", item) for item in chosen}
    if set(manager.values_list("pk", flat=True)) == wanted:
        return False
    manager.set(wanted)
    return True


def event_update(*, event, actor, eligible_coalitions=None, featured_measures=None,
                 featured_tools=None, **fields):
    """Change an event; a capacity raised (or made unlimited) gives the freed seats to the
    waiting list at once, and a capacity lowered below the seats held is refused."""
    with transaction.atomic():
        current = _lock_event(event.pk)
        changed = apply_changes(current, fields)
        _set_related(current.eligible_coalitions, eligible_coalitions)
        _set_related(current.featured_measures, featured_measures)
        _set_related(current.featured_tools, featured_tools)
        if not changed:
            return current
        if "capacity" in changed and current.capacity is not None:
            held = current.registrations.holding_seat().count()
            if current.capacity < held:
                raise RegistrationError({
                    "capacity": f"{held} people hold a seat; the capacity cannot go below {held}."
                })
        save_checked(current, actor=actor, update_fields=[*changed, "updated_at"])
        if {"capacity", "offer_hours"} & set(changed):
            _fill_free_seats(current, actor=actor)
    return current


def event_publish(*, event, actor):
    with transaction.atomic():
        current = _lock_event(event.pk)
        if current.status != Event.Status.DRAFT:
            raise RegistrationError(f"Only a draft can be published; this event is "
                                    f"{current.get_status_display().lower()}.")
        current.status = Event.Status.PUBLISHED
        return save_checked(current, actor=actor, update_fields=["status", "updated_at"])


def event_cancel(*, event, actor):
    """Cancel an event: every active registrant is told by e-mail (with a calendar
    cancellation for the same event)."""
    with transaction.atomic():
        current = _lock_event(event.pk)
        if current.status in (Event.Status.CANCELLED, Event.Status.COMPLETED):
            raise RegistrationError(f"This event is already "
                                    f"{current.get_status_display().lower()}.")
        current.status = Event.Status.CANCELLED
        save_checked(current, actor=actor, update_fields=["status", "updated_at"])
        for registration in current.registrations.active():
            notify(registration, Notice.Kind.EVENT_CANCELLED)
    return current


# --- eligibility ----------------------------------------------------------------------------


def eligibility_problem(event, coalition):
    """Why ``coalition`` may not register for ``event``, in words for its lead; None if it may."""
    rule = event.eligibility
    if rule == Event.Eligibility.EVERYONE:
        return None
    if rule == Event.Eligibility.TIER:
        enrolled = Enrollment.objects.filter(
            program_id=event.program_id, coalition=coalition, tier=event.eligible_tier,
            status=Enrollment.Status.ACTIVE,
        ).exists()
        if enrolled:
            return None
        tier = Enrollment.Tier(event.eligible_tier).label.lower()
        return (f"This event is for coalitions enrolled in the {tier} tier of "
                f"{event.program}; {coalition} is not.")
    if rule == Event.Eligibility.COALITIONS:
        if event.eligible_coalitions.filter(pk=coalition.pk).exists():
            return None
        return f"This event is open only to the coalitions invited to it; {coalition} is not one."
    if rule == Event.Eligibility.NETWORK:
        return _network_problem(event, coalition)
    return "This event does not take registrations from coalitions."


def _network_problem(event, coalition):
    network = event.eligible_network
    if network is None:
        return "This event's learning network is not set."
    today = timezone.localdate()
    is_member = network.memberships.filter(coalition=coalition, joined_on__lte=today).exclude(
        left_on__lte=today
    ).exists()
    if is_member:
        return None
    return f"This event is for the members of the {network} learning network; {coalition} is not."


# --- registration ---------------------------------------------------------------------------


# The lock's namespace among PostgreSQL's advisory locks (the event's id is the other key).
EVENT_LOCK_SPACE = 7001


def _lock_event(event_id, *, shared=False):
    """Lock the event, with a timeout: the first lock of every seat change. Returns the
    event as it is once locked.

    On PostgreSQL the lock is a transaction-level advisory lock on the event's id; they
    queue in order. Exclusive for every change to the seats. ``shared`` for a newcomer
    joining the waiting list of a full event. Any number of newcomers hold it at once, and
    the seats cannot change under it. A shared request that comes after a waiting exclusive
    one queues behind it, so a stream of newcomers never starves a cancellation, and the
    lock timeout bounds every wait.
    (Row locks would not do: a new ``FOR SHARE`` overtakes a waiting ``FOR UPDATE``.)"""
    _take_event_lock(event_id, shared=shared)
    # Read after the lock, in a new statement: it sees every change committed before.
    return Event.objects.get(pk=event_id)


def _take_event_lock(event_id, *, shared=False):
    """The lock of ``_lock_event`` alone, for a caller that reads the event itself (after
    it, in a statement of its own). One round trip: the lock timeout is set, for this
    transaction only, in the same statement, before the lock is asked for (a CASE evaluates
    its condition first, as PostgreSQL documents; both functions are volatile, so neither
    is evaluated at planning). SQLite needs none: its transactions are IMMEDIATE
    (settings), so they write one at a time from the start."""
    if connection.vendor != "postgresql":
        return
    try:
        lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT CASE WHEN set_config('lock_timeout', %s, true) IS NOT NULL "
                f"THEN {lock}(%s, %s) END",
                [f"{settings.WORKSHOPS_LOCK_TIMEOUT}s", EVENT_LOCK_SPACE, event_id],
            )
    except OperationalError as error:
        raise RegistrationBusy from error


def seats_left(event, now=None):
    """Free seats now, or None for an unlimited event."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.registrations.holding_seat(now).count())


def _check_open(event, now):
    if not event.takes_registration:
        raise RegistrationError(f"A {event.get_kind_display().lower()} takes no registration.")
    if event.status != Event.Status.PUBLISHED:
        raise RegistrationError({
            Event.Status.DRAFT: "This event is not published yet, so it takes no registration.",
            Event.Status.CANCELLED: "This event was cancelled.",
            Event.Status.COMPLETED: "This event is over.",
        }[event.status])
    state = event.registration_window_state(now)
    if state == "not_open":
        opens = timezone.localtime(event.registration_opens_at, event.zone)
        raise RegistrationError(
            f"Registration opens on {opens:%B %-d, %Y at %-I:%M %p} ({event.timezone})."
        )
    if state == "closed":
        raise RegistrationError("Registration for this event has closed.")


def _entry_status(event, now, left, waiting=0):
    """The status a newcomer gets: a seat (confirmed, or pending approval), or a wait.
    ``left``: the free seats (``seats_left``); ``waiting``: how many wait already."""
    if event.requires_approval and not event.pending_holds_seat:
        return Status.PENDING_APPROVAL
    free = left is None or left > 0
    if free and waiting and event.waiting_list:
        # A seat an expired offer or approval let go, not passed on yet: it goes to those
        # waiting, in their order, before anyone new.
        return Status.WAITING
    if free:
        return Status.PENDING_APPROVAL if event.requires_approval else Status.CONFIRMED
    if event.waiting_list:
        return Status.WAITING
    raise RegistrationError("This event is full, and it has no waiting list.")


def registration_create(*, event, coalition, email, name, actor, contact=None, now=None):
    """Register one person for one coalition: a seat, a pending approval or a waiting place,
    decided under the event's lock. One active registration per e-mail address and event.

    A newcomer to an event that looks full joins its waiting list under the shared lock
    (``_take_event_lock``), side by side with others doing the same; if a seat turns out to be
    free after all, they register again under the exclusive lock.

    ``now`` is the moment of registering: left out, it is now (the demo loader records
    registrations made before it ran, with the rules as they stood then)."""
    email = (email or "").strip().lower()
    name = " ".join((name or "").split())
    errors = {}
    if not email:
        errors["email"] = "Give the person's e-mail address."
    if not name:
        errors["name"] = "Give the person's name."
    if errors:
        raise RegistrationError(errors)
    fields = {"coalition": coalition, "email": email, "name": name, "actor": actor,
              "contact": contact, "now": now}
    if _joins_waiting_list(event, now):
        try:
            return _register(event.pk, shared=True, **fields)
        except _SeatFree:
            pass
    return _register(event.pk, shared=False, **fields)


class _SeatFree(Exception):
    """Under the shared lock, the newcomer would take a seat: only the exclusive lock may."""


def _joins_waiting_list(event, now):
    """Whether a newcomer would most likely wait (read without a lock; decided under it).
    Not for an event with a per-coalition limit: it counts the waiting too, and two people
    of one coalition joining side by side could pass it together."""
    if not (connection.vendor == "postgresql" and event.capacity is not None
            and event.waiting_list and event.per_coalition_limit is None):
        return False
    if hasattr(event, "seats_held"):  # the pages' and API's reads annotate it
        from .selectors import seats_left_of

        return seats_left_of(event) == 0
    return seats_left(event, now) == 0


def _register(event_id, *, shared, coalition, email, name, actor, contact, now):
    with transaction.atomic():
        _take_event_lock(event_id, shared=shared)
        now = now or timezone.now()
        # The event and everything the rules count, in one query: every round trip here is
        # made while the event's lock is held, so it is paid once per registration, in a
        # queue.
        active = Q(registrations__status__in=Registration.ACTIVE_STATUSES)
        event = Event.objects.annotate(
            same_email=Count("registrations", filter=active & Q(
                registrations__email__iexact=email)),
            from_coalition=Count("registrations", filter=active & Q(
                registrations__coalition=coalition)),
            seats_taken=Count("registrations", filter=holding_seat_q(now)),
            people_waiting=Count("registrations",
                                 filter=Q(registrations__status=Status.WAITING)),
        ).get(pk=event_id)
        _check_open(event, now)
        problem = eligibility_problem(event, coalition)
        if problem:
            raise RegistrationError({"coalition": problem})
        if event.same_email:
            raise RegistrationError({"email": f"{email} is already registered for this event."})
        limit = event.per_coalition_limit
        if limit is not None and event.from_coalition >= limit:
            raise RegistrationError({
                "coalition": f"{coalition} already has {limit} "
                             f"{'person' if limit == 1 else 'people'} registered, the most "
                             f"one coalition may send to this event."
            })
        left = None if event.capacity is None else max(0, event.capacity - event.seats_taken)
        status = _entry_status(event, now, left, event.people_waiting)
        if shared and (status != Status.WAITING or left or limit is not None):
            raise _SeatFree  # a seat to give, to them or to those before them
        registration = Registration(
            event=event, coalition=coalition, contact=contact, email=email, name=name,
            status=status, queued_at=now,
            expires_at=now + timedelta(hours=event.approval_hours)
            if status == Status.PENDING_APPROVAL else None,
        )
        registration.event = event
        # The event and coalition are rows in hand, and the one-address rule was checked
        # under this lock (the database keeps it too): only the fields' own checks run.
        registration.full_clean(exclude=["event", "coalition", "contact"],
                                validate_constraints=False)
        registration._history_user = actor
        try:
            registration.save()
        except IntegrityError as error:
            # Two requests for one address side by side under the shared lock: the
            # database's one-address rule lets one through (and this transaction is undone).
            if _constraint_of(error) != "registration_active_once_per_email":
                raise
            raise RegistrationError(
                {"email": f"{email} is already registered for this event."}) from error
        except OperationalError as error:  # waited past the lock timeout on that rule
            raise RegistrationBusy from error
        notify(registration, {
            Status.CONFIRMED: Notice.Kind.CONFIRMED,
            Status.PENDING_APPROVAL: Notice.Kind.PENDING,
            Status.WAITING: Notice.Kind.WAITING,
        }[status], new=True)
        if registration.expires_at:
            _expire_at(event, registration.expires_at)
        if status == Status.WAITING and left:
            promoted = _fill_free_seats(event, actor=actor)
            if registration.pk in {p.pk for p in promoted}:  # their turn came at once
                registration.refresh_from_db(fields=["status", "expires_at", "updated_at"])
    return registration


def _constraint_of(error):
    """The name of the database constraint an ``IntegrityError`` broke, when it says."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _locked_registration(registration):
    """Lock the registration's event, then the registration. A registration of an event
    that is over or cancelled is refused: it is the record of what happened by then."""
    event = _lock_event(registration.event_id)
    current = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    current.event = event
    if event.status == Event.Status.CANCELLED:
        raise RegistrationError("This event was cancelled; its registrations stay as they were.")
    if event.status == Event.Status.COMPLETED or event.has_ended:
        raise RegistrationError("This event is over; its registrations can no longer change.")
    return event, current


def registration_cancel(*, registration, actor):
    """Cancel a registration (or leave the waiting list); a freed seat goes to the first
    person waiting at once."""
    with transaction.atomic():
        event, current = _locked_registration(registration)
        if not current.is_active:
            raise RegistrationError(
                f"This registration is already {current.get_status_display().lower()}."
            )
        held = current.holds_seat()
        _set_status(current, Status.CANCELLED, actor=actor)
        notify(current, Notice.Kind.CANCELLED)
        if held:
            _fill_free_seats(event, actor=actor)
    return current


def registration_substitute(*, registration, email, name, actor, contact=None):
    """Put a colleague in a confirmed registrant's place: the seat passes to them directly,
    never through the waiting list."""
    email = (email or "").strip().lower()
    name = " ".join((name or "").split())
    if not email or not name:
        raise RegistrationError({
            **({"email": "Give the colleague's e-mail address."} if not email else {}),
            **({"name": "Give the colleague's name."} if not name else {}),
        })
    with transaction.atomic():
        event, current = _locked_registration(registration)
        if current.status != Status.CONFIRMED:
            raise RegistrationError("Only a confirmed registration can pass its seat on.")
        if event.registrations.active().filter(email__iexact=email).exists():
            raise RegistrationError({"email": f"{email} is already registered for this event."})
        _set_status(current, Status.CANCELLED, actor=actor)
        notify(current, Notice.Kind.CANCELLED)
        substitute = Registration(
            event=event, coalition=current.coalition, contact=contact, email=email, name=name,
            status=Status.CONFIRMED, queued_at=timezone.now(),
        )
        save_checked(substitute, actor=actor)
        notify(substitute, Notice.Kind.CONFIRMED)
    return substitute


def registration_accept_offer(*, registration, actor):
    """Take the seat one was offered, before the offer runs out."""
    with transaction.atomic():
        _event, current = _locked_registration(registration)
        if current.status == Status.CONFIRMED:
            return current  # accepted already (a second click on the link)
        if current.status != Status.OFFERED:
            raise RegistrationError("There is no open offer on this registration.")
        if not current.holds_seat():
            raise RegistrationError("This offer ran out; the seat went to the next person waiting.")
        current.expires_at = None
        _set_status(current, Status.CONFIRMED, actor=actor, also=["expires_at"])
        notify(current, Notice.Kind.CONFIRMED)
    return current


def registration_decline_offer(*, registration, actor):
    with transaction.atomic():
        event, current = _locked_registration(registration)
        if current.status != Status.OFFERED:
            raise RegistrationError("There is no open offer on this registration.")
        _set_status(current, Status.DECLINED, actor=actor)
        _fill_free_seats(event, actor=actor)
    return current


def registrations_approve(*, registrations, actor):
    """Approve pending registrations: a held seat becomes a confirmed one; without a held
    seat a free seat is taken, or a place on the waiting list. Each person is told."""
    return [_decide(r, approve=True, actor=actor) for r in _by_event(registrations)]


def registrations_decline(*, registrations, actor):
    return [_decide(r, approve=False, actor=actor) for r in _by_event(registrations)]


def _by_event(registrations):
    # Locks in a fixed order (event, then registration), so two bulk actions never deadlock.
    return sorted(registrations, key=lambda r: (r.event_id, r.pk))


def _decide(registration, *, approve, actor):
    with transaction.atomic():
        event, current = _locked_registration(registration)
        if current.status != Status.PENDING_APPROVAL:
            raise RegistrationError(
                f"{current.name} is not awaiting approval "
                f"({current.get_status_display().lower()})."
            )
        if not approve:
            _set_status(current, Status.DECLINED, actor=actor)
            notify(current, Notice.Kind.DECLINED)
            if event.pending_holds_seat:
                _fill_free_seats(event, actor=actor)
            return current
        now = timezone.now()
        held = current.holds_seat(now)
        current.expires_at = None
        left = seats_left(event, now)
        if held or left is None or left > 0:
            _set_status(current, Status.CONFIRMED, actor=actor, also=["expires_at"])
            notify(current, Notice.Kind.CONFIRMED)
        elif event.waiting_list:
            current.queued_at = now
            _set_status(current, Status.WAITING, actor=actor, also=["expires_at", "queued_at"])
            notify(current, Notice.Kind.WAITING)
        else:
            raise RegistrationError(f"The event is full; {current.name} cannot be approved.")
    return current


def event_expire_holds(*, event, actor=None):
    """Let lapsed offers and pending approvals go, and pass their seats on at once.

    A lapsed hold stops counting against capacity the moment it expires (seats are counted
    from unexpired holds); this records it and offers the seat to the next person. It runs
    at each hold's expiry (a task queued for that moment) and every minute from the
    scheduler, and doing it twice changes nothing.
    """
    with transaction.atomic():
        event = _lock_event(event.pk)
        now = timezone.now()
        lapsed = list(
            event.registrations.select_for_update(of=("self",)).filter(
                status__in=(Status.OFFERED, Status.PENDING_APPROVAL), expires_at__lte=now
            )
        )
        over = event.status != Event.Status.PUBLISHED or event.has_ended
        for registration in lapsed:
            registration.event = event
            _set_status(registration, Status.LAPSED, actor=actor)
            if not over:  # after the event (or its cancellation) a lapse is told to no one
                notify(registration, Notice.Kind.LAPSED)
        if lapsed or event.capacity is None or seats_left(event, now):
            _fill_free_seats(event, actor=actor)
    return lapsed


def _fill_free_seats(event, *, actor):
    """Give free seats to the people waiting, first come first served (under the lock);
    none once the event is over, when nobody could take them."""
    if event.status != Event.Status.PUBLISHED or event.has_ended:
        return []
    now = timezone.now()
    left = seats_left(event, now)
    waiting = event.registrations.waiting().select_for_update(of=("self",))
    if left is not None:
        waiting = waiting[:left]
    promoted = []
    for registration in waiting:
        registration.event = event
        if event.requires_approval and event.pending_holds_seat:
            registration.expires_at = now + timedelta(hours=event.approval_hours)
            status, kind = Status.PENDING_APPROVAL, Notice.Kind.PENDING
        elif event.offer_hours:
            registration.expires_at = now + timedelta(hours=event.offer_hours)
            status, kind = Status.OFFERED, Notice.Kind.OFFERED
        else:
            status, kind = Status.CONFIRMED, Notice.Kind.PROMOTED
        _set_status(registration, status, actor=actor, also=["expires_at"])
        notify(registration, kind)
        if registration.expires_at:
            _expire_at(event, registration.expires_at)
        promoted.append(registration)
    return promoted


def _set_status(registration, status, *, actor, also=()):
    registration.status = status
    registration._history_user = actor
    registration.save(update_fields=["status", "updated_at", *also])


# --- e-mail ---------------------------------------------------------------------------------


def notify(registration, kind, *, new=False):
    """Owe ``registration`` the e-mail ``kind`` (once), and queue it when the change commits.
    ``new``: the registration was inserted in this transaction, so it owes nothing yet (one
    INSERT instead of a look-up and an insert in a savepoint)."""
    key = f"{registration.pk}:{kind}"
    if new:
        notice, created = Notice.objects.create(
            key=key, registration=registration, kind=kind
        ), True
    else:
        notice, created = Notice.objects.get_or_create(
            key=key, defaults={"registration": registration, "kind": kind}
        )
    if created:
        from .tasks import notice_send_task

        enqueue_on_commit(notice_send_task, notice.pk)
    return notice


def _expire_at(event, moment):
    """Queue the lapse of a hold for the moment it expires (the scheduler's sweep is the
    safety net), so the next person is offered the seat at once."""
    from .tasks import event_expire_holds_task

    def send():
        try:
            event_expire_holds_task.apply_async((event.pk,), eta=moment + timedelta(seconds=1))
        except Exception as error:  # the broker is down: the sweep catches it up
            logger.warning("Expiry of holds on event %s not queued: %s", event.pk, error)

    transaction.on_commit(send, robust=True)


# --- attendance -----------------------------------------------------------------------------


def registration_check_in(*, registration, actor, at=None):
    """Mark a person present (``at``: when they were seen, now if left out). A second tap
    changes nothing (it keeps the first time)."""
    with transaction.atomic():
        current = Registration.objects.select_for_update(of=("self",)).select_related(
            "event").get(pk=registration.pk)
        if current.event.status == Event.Status.CANCELLED:
            raise RegistrationError("This event was cancelled: nobody can be checked in.")
        if current.status not in Registration.ACTIVE_STATUSES:
            raise RegistrationError(f"{current.name}'s registration is "
                                    f"{current.get_status_display().lower()}.")
        if current.checked_in_at is None:
            current.checked_in_at = at or timezone.now()
            current._history_user = actor
            current.save(update_fields=["checked_in_at", "updated_at"])
    return current


def registration_undo_check_in(*, registration, actor):
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.checked_in_at is not None:
            current.checked_in_at = None
            current._history_user = actor
            current.save(update_fields=["checked_in_at", "updated_at"])
    return current


def _report_problem(error):
    return RegistrationError({"file": str(error)})


def attendance_import_upload(*, event, filename, raw, actor):
    """Keep an uploaded participant report for a preview; nothing is applied yet.

    A Zoom or Teams report's columns are recognised; for any other CSV staff choose them on
    the preview (``attendance_import_map``). The same file uploaded again before it is
    applied is the same preview; a file already applied to this event is refused.
    """
    if not event.is_online and event.kind != Event.Kind.WEB_CONFERENCE:
        raise RegistrationError({"file": "Participant reports are for web conferences."})
    if len(raw) > attendance.MAX_REPORT_BYTES:
        raise RegistrationError({"file": attendance.too_large_message(len(raw))})
    digest = hashlib.sha256(raw).hexdigest()
    if event.imports.filter(sha256=digest, status=AttendanceImport.Status.APPLIED).exists():
        raise RegistrationError({"file": "This file was imported already; nothing changed."})
    try:
        text, rows = attendance.table_of(raw)
    except attendance.ReportError as error:
        raise _report_problem(error) from error
    found = attendance.detect(rows)
    source, mapping = ("csv", {}) if found is None else (found[0], {**found[2],
                                                                    "header": found[1]})
    with transaction.atomic():
        record = event.imports.filter(sha256=digest,
                                      status=AttendanceImport.Status.PREVIEW).first()
        if record is None:
            record = AttendanceImport.objects.create(
                event=event, filename=filename[:255], sha256=digest, text=text,
                source=source, mapping=mapping, uploaded_by=actor,
            )
    return record


def attendance_import_map(*, record, columns, zone, actor):
    """Staff's choice of a report's columns (field -> column index, or None) and of the time
    zone its times are written in. Checked by reading the file with it; nothing is applied."""
    if record.status == AttendanceImport.Status.APPLIED:
        raise RegistrationError("This file was imported already; nothing changed.")
    mapping = {name: columns.get(name) for name in attendance.FIELDS}
    mapping["header"] = record.mapping.get("header", 0)
    mapping["zone"] = zone
    errors = {}
    if mapping["email"] is None:
        errors["email"] = "Choose the column that holds the e-mail address."
    if mapping["join"] is None:
        errors["join"] = "Choose the column that holds the join time."
    if mapping["leave"] is None and mapping["duration"] is None:
        errors["leave"] = "Choose the column of the leave time, or of the duration."
    if errors:
        raise RegistrationError(errors)
    record.mapping = mapping
    try:
        attendance.read_record(record)
    except (attendance.ReportError, LookupError) as error:
        raise RegistrationError(str(error)) from error
    record.save(update_fields=["mapping", "updated_at"])
    return record


def attendance_import_read(*, event, filename, raw, actor, mapping=None):
    """Keep an uploaded report and read it for a preview (``attendance_import_upload``, then
    the report); a file whose columns are not recognised is refused with the reason."""
    record = attendance_import_upload(event=event, filename=filename, raw=raw, actor=actor)
    if mapping is not None:
        record = attendance_import_map(record=record, columns=mapping,
                                       zone=event.timezone, actor=actor)
    try:
        report = attendance.read_record(record)
    except attendance.ReportError as error:
        raise _report_problem(error) from error
    return record, report


def attendance_import_apply(*, record, actor):
    """Apply a previewed report: each person's stretches are added to their registration
    (matched by e-mail address), their time present recomputed as the union of every
    stretch, and anyone at or over the event's threshold counted as attended. Rows that
    match no registration are kept for staff. Applying the same file again changes nothing."""
    event = record.event
    try:
        report = attendance.read_record(record)
    except attendance.ReportError as error:
        raise _report_problem(error) from error
    with transaction.atomic():
        current = AttendanceImport.objects.select_for_update().get(pk=record.pk)
        if current.status == AttendanceImport.Status.APPLIED or event.imports.filter(
            sha256=current.sha256, status=AttendanceImport.Status.APPLIED
        ).exists():
            raise RegistrationError({"file": "This file was imported already; nothing changed."})
        registrations = {
            r.email.lower(): r for r in
            event.registrations.exclude(status__in=(Status.CANCELLED, Status.DECLINED))
        }
        matched = unmatched = 0
        touched = []
        for person in report.attendees:
            registration = registrations.get(person.email.lower())
            if registration is None:
                UnmatchedAttendee.objects.get_or_create(
                    source=current, email=person.email[:254], name=person.name[:200],
                    defaults={"intervals": [[a.isoformat(), b.isoformat()]
                                            for a, b in person.intervals]},
                )
                unmatched += 1
                continue
            _add_intervals(registration, person.intervals, current)
            touched.append(registration)
            matched += 1
        for registration in touched:
            _attendance_recompute(registration, actor=actor)
        current.status = AttendanceImport.Status.APPLIED
        current.matched, current.unmatched = matched, unmatched
        current.save(update_fields=["status", "matched", "unmatched", "updated_at"])
    return current


def _add_intervals(registration, intervals, source):
    AttendanceInterval.objects.bulk_create(
        [AttendanceInterval(registration=registration, joined_at=a, left_at=b, source=source)
         for a, b in intervals],
        ignore_conflicts=True,  # the same stretch from the same or another file: once
    )


def _attendance_recompute(registration, *, actor):
    event = registration.event
    stretches = list(registration.intervals.values_list("joined_at", "left_at"))
    minutes = attendance.union_minutes(stretches, event.start, event.end)
    scheduled = (event.end - event.start).total_seconds() / 60
    fields = {"minutes_present": round(minutes)}
    attended = minutes >= scheduled * event.attendance_threshold / 100
    if attended and registration.checked_in_at is None:
        fields["checked_in_at"] = min(a for a, _ in stretches)
    changed = apply_changes(registration, fields)
    if changed:
        registration._history_user = actor
        registration.save(update_fields=[*changed, "updated_at"])
    return registration


def attendance_match(*, unmatched, registration, actor):
    """Staff say who an unmatched report row was: its stretches join that registration."""
    if registration.event_id != unmatched.source.event_id:
        raise RegistrationError({"registration": "Choose a registration for this event."})
    with transaction.atomic():
        row = _unresolved(unmatched)
        _add_intervals(registration, _stretches(row), row.source)
        _attendance_recompute(registration, actor=actor)
        _resolve(row, unmatched, registration)
    return registration


def attendance_add_walk_in(*, unmatched, coalition, actor, email=""):
    """Someone who attended without registering: recorded with a confirmed registration
    (they came; no seat is taken from anyone) and their time present."""
    email = (email or unmatched.email).strip().lower()
    if not email:
        raise RegistrationError({"email": "Give the walk-in's e-mail address."})
    event = unmatched.source.event
    with transaction.atomic():
        _lock_event(event.pk)
        row = _unresolved(unmatched)
        if event.registrations.active().filter(email__iexact=email).exists():
            raise RegistrationError({"email": f"{email} is already registered: match the row "
                                              "to that registration instead."})
        registration = save_checked(Registration(
            event=event, coalition=coalition, email=email, name=unmatched.name or email,
            status=Status.CONFIRMED, queued_at=timezone.now(),
        ), actor=actor)
        registration.event = event
        _add_intervals(registration, _stretches(row), row.source)
        _attendance_recompute(registration, actor=actor)
        _resolve(row, unmatched, registration)
    return registration


def _unresolved(unmatched):
    """The row, locked; refused if staff already said who it was (a second click, or two
    people at once), so its time is never given to two registrations."""
    current = UnmatchedAttendee.objects.select_for_update(of=("self",)).select_related(
        "resolved_registration").get(pk=unmatched.pk)
    if current.resolved_registration_id is not None:
        raise RegistrationError(f"{current} was matched already, to "
                                f"{current.resolved_registration.name}.")
    return current


def _resolve(row, given, registration):
    row.resolved_registration = registration
    row.save(update_fields=["resolved_registration"])
    given.resolved_registration = registration


def _stretches(unmatched):
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in unmatched.intervals]


# --- after the event ------------------------------------------------------------------------


def event_complete(*, event, actor):
    """Close an event that took place: attendees are asked for feedback, the registered who
    did not come get the materials with a "sorry we missed you"."""
    with transaction.atomic():
        current = _lock_event(event.pk)
        if current.status != Event.Status.PUBLISHED:
            raise RegistrationError("Only a published event can be marked as held.")
        if current.end > timezone.now():
            raise RegistrationError("This event has not ended yet.")
        current.status = Event.Status.COMPLETED
        save_checked(current, actor=actor, update_fields=["status", "updated_at"])
        for registration in current.registrations.active():
            registration.event = current
            # Whoever came is asked, seated or not (someone let in from the waiting list).
            if registration.checked_in_at:
                notify(registration, Notice.Kind.FEEDBACK)
            elif registration.status == Status.CONFIRMED:
                notify(registration, Notice.Kind.MISSED)
            else:
                # A wait, an offer or an approval the event outlived: it is over, unseated.
                registration.expires_at = None
                _set_status(registration, Status.LAPSED, actor=actor, also=["expires_at"])
    return current


class FeedbackGiven(RegistrationError):
    """This attendee's feedback is in already: it is given once."""


class FeedbackNotAttended(RegistrationError):
    """Feedback (and a certificate) is for people who attended."""


def feedback_create(*, registration, actor, rating, usefulness, comments="", intentions=()):
    """An attendee's feedback, once: a rating from 1 to 5, how useful the event was, whether
    they intend to use each of the event's featured measures and tools (``intentions``:
    (measure or tool, intends) pairs; one left out was not answered), and comments.

    Only someone who attended gives it; a second attempt is refused and changes nothing.
    """
    with transaction.atomic():
        # The registration's row is the lock: two submits at once still make one feedback.
        current = (Registration.objects.select_for_update(of=("self",))
                   .select_related("event").get(pk=registration.pk))
        if current.checked_in_at is None:
            raise FeedbackNotAttended("Feedback is for people who attended the event; "
                                      "we have no record that you did.")
        if Feedback.objects.filter(registration=current).exists():
            raise FeedbackGiven("You gave your feedback on this event already. Thank you!")
        featured = {
            "measure": set(current.event.featured_measures.values_list("pk", flat=True)),
            "tool": set(current.event.featured_tools.values_list("pk", flat=True)),
        }
        answers = {}
        for item, intends in intentions:
            kind = item._meta.model_name
            if item.pk not in featured.get(kind, ()):
                raise RegistrationError({"__all__": f"“{item}” is not featured at this event."})
            answers[(kind, item.pk)] = (item, bool(intends))
        feedback = Feedback(registration=current, rating=rating, usefulness=usefulness,
                            comments=(comments or "").strip().replace("\r\n", "\n"))
        feedback.full_clean()
        feedback.save()
        FeedbackIntention.objects.bulk_create([
            FeedbackIntention(feedback=feedback, intends_to_use=intends, **{kind: item})
            for (kind, _pk), (item, intends) in answers.items()
        ])
    return feedback


# --- materials ------------------------------------------------------------------------------


def material_add(*, event, actor, title, file=None, url=""):
    """Hand out a file or a link with an event (one of the two)."""
    material = Material(event=event, title=" ".join((title or "").split()), file=file,
                        url=(url or "").strip())
    return save_checked(material, actor=actor)


def material_remove(*, material, actor):
    """Take a material off its event; its file goes from storage once the removal commits."""
    name = material.file.name if material.file else ""
    storage = material.file.storage
    with transaction.atomic():
        material._history_user = actor
        material.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name), robust=True)
