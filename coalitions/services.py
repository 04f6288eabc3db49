"""Every write to the program registry that carries a rule.

Pages, the admin's actions, the demo loader and tasks call these; none repeats a rule.
Each takes the acting user, which django-simple-history records with the change.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError

from .models import Coalition, Contact, Enrollment, Program


class RegistryError(DomainError):
    """A program-registry rule was broken (capacity, duplicate, dates)."""


@contextmanager
def _unique(field, message):
    """A unique constraint that a concurrent request beat us to becomes a field error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise RegistryError({field: message}) from error


def _save(instance, *, actor, update_fields=None):
    instance.full_clean()
    instance._history_user = actor
    instance.save(update_fields=update_fields)
    return instance


def _apply(instance, fields):
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


# --- programs -------------------------------------------------------------------------------


def program_create(*, actor, **fields):
    return _save(Program(**fields), actor=actor)


def program_check_capacities(program):
    """Refuse capacities below the places already taken (``program`` holds the new values)."""
    for tier in Enrollment.Tier:
        taken = _seats_taken(program, tier)
        if program.capacity_for(tier) < taken:
            raise RegistryError({
                f"{tier.value}_capacity": f"{taken} coalitions already hold a place in this "
                                          f"tier; the capacity cannot go below {taken}."
            })


def program_update(*, program, actor, **fields):
    changed = _apply(program, fields)
    if not changed:
        return program
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=program.pk)  # enrolments wait for us
        program_check_capacities(program)
        return _save(program, actor=actor, update_fields=[*changed, "updated_at"])


# --- coalitions -----------------------------------------------------------------------------


_DUPLICATE_NAME = "A coalition with that name already exists."
_DUPLICATE_EMAIL = "That e-mail address is already a contact here."


def coalition_create(*, actor, **fields):
    with _unique("name", _DUPLICATE_NAME):
        return _save(Coalition(**fields), actor=actor)


def coalition_update(*, coalition, actor, **fields):
    changed = _apply(coalition, fields)
    if not changed:
        return coalition
    with _unique("name", _DUPLICATE_NAME):
        return _save(coalition, actor=actor, update_fields=[*changed, "updated_at"])


# --- enrolment ------------------------------------------------------------------------------


def _seats_taken(program, tier, *, excluding=None):
    seats = program.enrollments.filter(tier=tier, status__in=Enrollment.SEAT_HOLDING_STATUSES)
    if excluding is not None:
        seats = seats.exclude(pk=excluding.pk)
    return seats.count()


def enrollment_check_capacity(program, tier, *, excluding=None):
    """Refuse when the tier has no place left (the caller holds the program lock to be sure)."""
    capacity = program.capacity_for(tier)
    taken = _seats_taken(program, tier, excluding=excluding)
    if taken >= capacity:
        label = Enrollment.Tier(tier).label.lower()
        raise RegistryError(
            {"tier": f"The {label} tier of {program.name} is full: "
                     f"{taken} of {capacity} places are taken."}
        )


def enrollment_create(*, program, coalition, tier, actor, enrolled_on=None):
    """Enrol a coalition in a program's tier, if that tier has a place left.

    The program row is locked first, so concurrent enrolments queue and the tier can never
    hold more coalitions than its capacity. A coalition is enrolled in a program once.
    """
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if Enrollment.objects.filter(program=program, coalition=coalition).exists():
            raise RegistryError(
                {"coalition": f"{coalition.name} is already enrolled in {program.name}."}
            )
        enrollment_check_capacity(program, tier)
        enrollment = _save(
            Enrollment(
                program=program,
                coalition=coalition,
                tier=tier,
                enrolled_on=enrolled_on or timezone.localdate(),
            ),
            actor=actor,
        )
        transaction.on_commit(lambda: _send_welcome(enrollment.pk))
    return enrollment


def _send_welcome(enrollment_id):
    from .tasks import enrollment_welcome_task

    enrollment_welcome_task.delay(enrollment_id)


def enrollment_update(*, enrollment, actor, **fields):
    """Change an enrolment's tier, status or end date; taking a place again needs one free.

    The change is applied to the row as it is under the program's lock, not to the caller's
    copy, so a form opened before someone else's change cannot overbook the tier.
    """
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=enrollment.program_id)
        current = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        was_holding, old_tier = current.holds_seat, current.tier
        changed = _apply(current, fields)
        if not changed:
            return current
        if current.status == Enrollment.Status.ACTIVE:
            if current.ended_on and "ended_on" not in fields:
                current.ended_on = None  # rejoining: the enrolment runs again
                changed.append("ended_on")
        elif not current.ended_on:
            current.ended_on = max(timezone.localdate(), current.enrolled_on)
            changed.append("ended_on")
        if current.holds_seat and (not was_holding or current.tier != old_tier):
            enrollment_check_capacity(program, current.tier, excluding=current)
        return _save(current, actor=actor, update_fields=[*set(changed), "updated_at"])


# A worker that claimed the welcome e-mail and died lets another take it after this long.
WELCOME_CLAIM_LEASE = timedelta(minutes=10)


def enrollment_claim_welcome(enrollment_id):
    """Claim the welcome e-mail for sending: False when it was sent, or when another worker
    is sending it now. A claim older than the lease is taken over."""
    now = timezone.now()
    return bool(
        Enrollment.objects.filter(pk=enrollment_id, welcome_sent_at__isnull=True)
        .filter(Q(welcome_claimed_at__isnull=True)
                | Q(welcome_claimed_at__lt=now - WELCOME_CLAIM_LEASE))
        .update(welcome_claimed_at=now)
    )


def enrollment_welcome_sent(enrollment_id):
    Enrollment.objects.filter(pk=enrollment_id).update(welcome_sent_at=timezone.now())


def enrollment_release_welcome(enrollment_id):
    """Give the claim back after a failed send, so the retry can take it."""
    Enrollment.objects.filter(pk=enrollment_id, welcome_sent_at__isnull=True).update(
        welcome_claimed_at=None
    )


# --- contacts -------------------------------------------------------------------------------


def contact_create(*, coalition, actor, **fields):
    with _unique("email", _DUPLICATE_EMAIL):
        return _save(Contact(coalition=coalition, **fields), actor=actor)


def contact_update(*, contact, actor, **fields):
    changed = _apply(contact, fields)
    if not changed:
        return contact
    with _unique("email", _DUPLICATE_EMAIL):
        return _save(contact, actor=actor, update_fields=[*changed, "updated_at"])


def contact_delete(*, contact, actor):
    contact.delete()
