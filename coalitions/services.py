"""Every write to the program registry that carries a rule.

Pages, the admin's actions, the demo loader and tasks call these; none repeats a rule.
Each takes the acting user, which django-simple-history records with the change.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError

from .models import Coalition, Contact, Enrollment, Program


class RegistryError(DomainError):
    """A program-registry rule was broken (capacity, duplicate, dates)."""


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


def program_update(*, program, actor, **fields):
    changed = _apply(program, fields)
    if not changed:
        return program
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        for tier in Enrollment.Tier:
            taken = _seats_taken(locked, tier)
            capacity = program.capacity_for(tier)
            if capacity < taken:
                field = f"{tier.value}_capacity"
                raise RegistryError(
                    {field: f"{taken} coalitions already hold a place in this tier; "
                            f"the capacity cannot go below {taken}."}
                )
        return _save(program, actor=actor, update_fields=[*changed, "updated_at"])


# --- coalitions -----------------------------------------------------------------------------


def coalition_create(*, actor, **fields):
    try:
        with transaction.atomic():
            return _save(Coalition(**fields), actor=actor)
    except IntegrityError as error:  # a same-named coalition committed in between
        raise RegistryError({"name": "A coalition with that name already exists."}) from error


def coalition_update(*, coalition, actor, **fields):
    changed = _apply(coalition, fields)
    if not changed:
        return coalition
    try:
        with transaction.atomic():
            return _save(coalition, actor=actor, update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        raise RegistryError({"name": "A coalition with that name already exists."}) from error


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
    """Change an enrolment's tier, status or end date; taking a place again needs one free."""
    was_holding = enrollment.holds_seat
    old_tier = enrollment.tier
    changed = _apply(enrollment, fields)
    if not changed:
        return enrollment
    if enrollment.status == Enrollment.Status.WITHDRAWN and not enrollment.ended_on:
        enrollment.ended_on = timezone.localdate()
        changed.append("ended_on")
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=enrollment.program_id)
        if enrollment.holds_seat and (not was_holding or enrollment.tier != old_tier):
            enrollment_check_capacity(program, enrollment.tier, excluding=enrollment)
        return _save(enrollment, actor=actor, update_fields=[*changed, "updated_at"])


def enrollment_mark_welcomed(enrollment_id):
    """Claim the welcome e-mail for sending; False when it has been sent already."""
    return bool(
        Enrollment.objects.filter(pk=enrollment_id, welcome_sent_at__isnull=True).update(
            welcome_sent_at=timezone.now()
        )
    )


def enrollment_unmark_welcomed(enrollment_id):
    Enrollment.objects.filter(pk=enrollment_id).update(welcome_sent_at=None)


# --- contacts -------------------------------------------------------------------------------


def contact_create(*, coalition, actor, **fields):
    try:
        with transaction.atomic():
            return _save(Contact(coalition=coalition, **fields), actor=actor)
    except IntegrityError as error:
        raise RegistryError({"email": "That e-mail address is already a contact here."}) from error


def contact_update(*, contact, actor, **fields):
    changed = _apply(contact, fields)
    if not changed:
        return contact
    try:
        with transaction.atomic():
            return _save(contact, actor=actor, update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        raise RegistryError({"email": "That e-mail address is already a contact here."}) from error


def contact_delete(*, contact, actor):
    contact.delete()
