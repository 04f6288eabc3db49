"""Every write to the program registry that carries a rule.

Pages, the admin's actions, the demo loader and tasks call these; none repeats a rule.
Each takes the acting user, which django-simple-history records with the change.
"""

import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError
from core.outbox import Outbox, enqueue_on_commit
from core.records import apply_changes, save_checked

from .models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Contact,
    Enrollment,
    FollowUp,
    Invitation,
    LearningNetwork,
    Membership,
    NetworkMembership,
    Program,
    ProgramPartner,
    TechnicalAssistance,
    invitation_token_hash,
)


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


# --- programs -------------------------------------------------------------------------------


def program_create(*, actor, **fields):
    return save_checked(Program(**fields), actor=actor)


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
    changed = apply_changes(program, fields)
    if not changed:
        return program
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=program.pk)  # enrolments wait for us
        program_check_capacities(program)
        return save_checked(program, actor=actor, update_fields=[*changed, "updated_at"])


# --- coalitions -----------------------------------------------------------------------------


_DUPLICATE_NAME = "A coalition with that name already exists."
_DUPLICATE_EMAIL = "That e-mail address is already a contact here."


def coalition_create(*, actor, **fields):
    with _unique("name", _DUPLICATE_NAME):
        return save_checked(Coalition(**fields), actor=actor)


def coalition_update(*, coalition, actor, **fields):
    changed = apply_changes(coalition, fields)
    if not changed:
        return coalition
    with _unique("name", _DUPLICATE_NAME):
        return save_checked(coalition, actor=actor, update_fields=[*changed, "updated_at"])


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
    hold more coalitions than its capacity. A coalition is enrolled in a program once, from
    a date within the program's period: today, unless given, or the program's start when
    the program has not started yet.
    """
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if Enrollment.objects.filter(program=program, coalition=coalition).exists():
            raise RegistryError(
                {"coalition": f"{coalition.name} is already enrolled in {program.name}."}
            )
        enrolled_on = enrolled_on or enrollment_default_date(program)
        enrollment_check_date(program, enrolled_on)
        enrollment_check_capacity(program, tier)
        enrollment = save_checked(
            Enrollment(
                program=program,
                coalition=coalition,
                tier=tier,
                enrolled_on=enrolled_on,
            ),
            actor=actor,
        )
        from .tasks import enrollment_welcome_task

        enqueue_on_commit(enrollment_welcome_task, enrollment.pk)
    return enrollment


def enrollment_update(*, enrollment, actor, **fields):
    """Change an enrolment's tier, status or end date; taking a place again needs one free.

    The change is applied to the row as it is under the program's lock, not to the caller's
    copy, so a form opened before someone else's change cannot overbook the tier.
    """
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=enrollment.program_id)
        current = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        was_holding, old_tier = current.holds_seat, current.tier
        changed = apply_changes(current, fields)
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
        return save_checked(current, actor=actor, update_fields=[*set(changed), "updated_at"])


# The welcome e-mail an enrolment owes its coalition: queued on commit, claimed by one
# sender at a time, and swept up every minute when the broker lost it (core.outbox).
ENROLLMENT_WELCOME = Outbox(Enrollment, "welcome")


# --- contacts -------------------------------------------------------------------------------


def contact_create(*, coalition, actor, **fields):
    with _unique("email", _DUPLICATE_EMAIL):
        return save_checked(Contact(coalition=coalition, **fields), actor=actor)


def contact_update(*, contact, actor, **fields):
    changed = apply_changes(contact, fields)
    if not changed:
        return contact
    with _unique("email", _DUPLICATE_EMAIL):
        return save_checked(contact, actor=actor, update_fields=[*changed, "updated_at"])


def contact_delete(*, contact, actor):
    _delete(contact, actor=actor)


def _delete(instance, *, actor):
    """Delete a row whose history records who removed it (django-simple-history reads the
    user from the instance)."""
    instance._history_user = actor
    instance.delete()


# --- memberships ----------------------------------------------------------------------------


def _membership_check(membership):
    user = membership.user
    other = Membership.objects.filter(user=user).exclude(pk=membership.pk).first()
    if other is not None:
        raise RegistryError({"user": f"{user.email} already signs in for {other.coalition}; "
                                     "a person belongs to one coalition."})
    if user.can_view_program_data:
        raise RegistryError({"user": f"{user.email} is program staff or an evaluator, who "
                                     "see every coalition already."})


def membership_create(*, user, coalition, actor, role=Membership.Role.MEMBER):
    """Let a person sign in for a coalition, as its lead or a member: one coalition each."""
    membership = Membership(user=user, coalition=coalition, role=role)
    _membership_check(membership)
    with _unique("user", f"{user.email} already signs in for a coalition."):
        return save_checked(membership, actor=actor)


def membership_update(*, membership, actor, **fields):
    """Move a person to another coalition or change their role."""
    changed = apply_changes(membership, fields)
    if not changed:
        return membership
    _membership_check(membership)
    return save_checked(membership, actor=actor, update_fields=[*changed, "updated_at"])


def membership_delete(*, membership, actor):
    """The person no longer signs in for the coalition (their API tokens end with it)."""
    _delete(membership, actor=actor)


# --- program partners -----------------------------------------------------------------------


_DUPLICATE_PARTNER = "That partner already has a role in this program."


def program_partner_create(*, program, partner, role, actor):
    """Record a partner's role in a program; a partner has one role per program."""
    with _unique("partner", _DUPLICATE_PARTNER):
        return save_checked(ProgramPartner(program=program, partner=partner, role=role),
                            actor=actor)


def program_partner_update(*, partnership, actor, **fields):
    changed = apply_changes(partnership, fields)
    if not changed:
        return partnership
    with _unique("partner", _DUPLICATE_PARTNER):
        return save_checked(partnership, actor=actor, update_fields=[*changed, "updated_at"])


def program_partner_delete(*, partnership, actor):
    _delete(partnership, actor=actor)


# --- enrolment dates ------------------------------------------------------------------------


def enrollment_default_date(program, *, today=None):
    """A coalition enrolled before its program starts is enrolled from the start."""
    today = today or timezone.localdate()
    return max(today, program.start_date)


def enrollment_check_date(program, enrolled_on):
    if not program.start_date <= enrolled_on <= program.end_date:
        raise RegistryError({
            "enrolled_on": f"The enrolment date must fall within the program's period, "
                           f"{program.start_date:%B %-d, %Y} to {program.end_date:%B %-d, %Y}."
        })


# --- invitations ----------------------------------------------------------------------------


INVITATION_LIFETIME = timedelta(days=7)

# The invitation e-mail: queued on commit, claimed by one sender at a time, swept up every
# minute when the broker lost it (core.outbox). Sending makes the link's token.
INVITATION_EMAIL = Outbox(Invitation, "email", due_field="updated_at")


def _invitation_refusal(coalition, email):
    """Why ``email`` cannot be invited to ``coalition`` (as a field error), or None."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return None
    membership = Membership.objects.filter(user=user).first()
    if membership is not None and membership.coalition_id == coalition.pk:
        return f"{email} is already a member of {coalition.name}."
    if membership is not None:
        return f"{email} already signs in for another coalition; a person belongs to one."
    if user.can_view_program_data:
        return f"{email} is program staff or an evaluator, who see every coalition already."
    return None


def invitation_create(*, coalition, email, role, actor):
    """Invite a person, by e-mail, to sign in for a coalition as its lead or a member.

    Only program staff invite a lead. An address that already belongs to the coalition, or
    to another one, is refused; so is a second open invitation to the same address, unless
    the first has expired (it is then revoked and replaced). The e-mail goes after commit.
    """
    email = email.strip().lower()
    if role == Membership.Role.LEAD and not actor.is_program_staff:
        raise RegistryError({"role": "Only program staff can invite a coalition lead."})
    refusal = _invitation_refusal(coalition, email)
    if refusal:
        raise RegistryError({"email": refusal})
    now = timezone.now()
    pending = "An invitation to this address is already pending; resend it instead."
    with transaction.atomic():
        open_invitation = (
            Invitation.objects.select_for_update()
            .filter(coalition=coalition, email__iexact=email, accepted_at__isnull=True,
                    revoked_at__isnull=True)
            .first()
        )
        if open_invitation is not None:
            if open_invitation.expires_at > now:
                raise RegistryError({"email": pending})
            open_invitation.revoked_at = now
            open_invitation.save(update_fields=["revoked_at", "updated_at"])
        invitation = Invitation(
            coalition=coalition, email=email, role=role, invited_by=actor,
            expires_at=now + INVITATION_LIFETIME,
        )
        invitation.full_clean()
        with _unique("email", pending):
            invitation.save()
        _queue_invitation_email(invitation)
    return invitation


def _queue_invitation_email(invitation):
    from .tasks import invitation_send_task

    enqueue_on_commit(invitation_send_task, invitation.pk)


def _lock_open_invitation(invitation):
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.accepted_at:
        raise RegistryError("This invitation was accepted already.")
    if current.revoked_at:
        raise RegistryError("This invitation was revoked.")
    return current


def invitation_resend(*, invitation, actor):
    """Send a new link, valid another seven days; the old link stops working at once."""
    with transaction.atomic():
        current = _lock_open_invitation(invitation)
        current.token_hash = None
        current.expires_at = timezone.now() + INVITATION_LIFETIME
        current.email_sent_at = current.email_claimed_at = current.email_claim = None
        current.save(update_fields=[
            "token_hash", "expires_at", "email_sent_at", "email_claimed_at", "email_claim",
            "updated_at",
        ])
        _queue_invitation_email(current)
    return current


def invitation_revoke(*, invitation, actor):
    """Withdraw an invitation: its link then shows that it was revoked."""
    with transaction.atomic():
        current = _lock_open_invitation(invitation)
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at", "updated_at"])
    return current


def invitation_issue_token(invitation):
    """Make the link's token for the e-mail being sent now; only its hash is kept, and the
    seven days run from now. Returns the token, or None for a closed invitation."""
    raw = secrets.token_urlsafe(32)
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(
        token_hash=invitation_token_hash(raw),
        expires_at=timezone.now() + INVITATION_LIFETIME,
        updated_at=timezone.now(),
    )
    return raw if updated else None


class InvitationClosed(DomainError):
    """The link was used, revoked, replaced or has expired; ``state`` says which."""

    def __init__(self, state):
        self.state = state
        super().__init__(f"This invitation is {state}.")


def invitation_accept(*, token, full_name="", password=None):
    """Take up an invitation: the person signs in for the coalition from now on.

    Someone new gets an account with the password they chose; an existing account is simply
    given the membership. The link works once: the row is locked, so two clicks racing
    give one membership.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("coalition")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )
        if invitation is None:
            raise InvitationClosed("unknown")
        state = invitation.state_at(timezone.now())
        if state != Invitation.State.PENDING:
            raise InvitationClosed(state)
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            if not password:
                raise RegistryError({"new_password1": "Choose a password."})
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name.strip()
            )
        refusal = _invitation_refusal(invitation.coalition, invitation.email)
        if refusal:
            raise RegistryError(refusal)
        membership_create(
            user=user, coalition=invitation.coalition, role=invitation.role, actor=user
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return user


# --- action plans ---------------------------------------------------------------------------


def action_plan_create(*, coalition, program, actor, goals=""):
    """Start a coalition's action plan for a program it is enrolled in (one per program)."""
    if not Enrollment.objects.filter(coalition=coalition, program=program).exists():
        raise RegistryError(f"{coalition.name} is not enrolled in {program.name}.")
    duplicate = f"{coalition.name} already has an action plan for {program.name}."
    if ActionPlan.objects.filter(coalition=coalition, program=program).exists():
        raise RegistryError(duplicate)
    with _unique("goals", duplicate):  # a plan started at the same moment elsewhere
        return save_checked(ActionPlan(coalition=coalition, program=program, goals=goals),
                            actor=actor)


def action_plan_update(*, plan, actor, goals):
    changed = apply_changes(plan, {"goals": goals})
    if not changed:
        return plan
    return save_checked(plan, actor=actor, update_fields=[*changed, "updated_at"])


def _check_item(item, plan):
    errors = {}
    if item.owner_contact_id:
        foreign = item.owner_contact.coalition_id != plan.coalition_id
    elif item.owner_user_id:
        foreign = not Membership.objects.filter(
            user_id=item.owner_user_id, coalition_id=plan.coalition_id
        ).exists()
    else:
        errors["owner"] = "Choose who owns this item."
        foreign = False
    if foreign:
        errors["owner"] = f"The owner must be a contact or member of {plan.coalition.name}."
    if item.due_date and item.due_date < plan.program.start_date:
        errors["due_date"] = (
            f"The due date cannot be before the program starts "
            f"({plan.program.start_date:%B %-d, %Y})."
        )
    if errors:
        raise RegistryError(errors)


def action_item_create(*, plan, actor, **fields):
    """Add an item to a plan: its owner is a contact or member of the plan's coalition, and
    it falls due no earlier than the program's start. Kept with its history."""
    item = ActionPlanItem(plan=plan, **fields)
    _check_item(item, plan)
    return save_checked(item, actor=actor)


def action_item_update(*, item, actor, **fields):
    """Change an item; each change is kept in its history with who made it and when."""
    changed = apply_changes(item, fields)
    if not changed:
        return item
    _check_item(item, item.plan)
    return save_checked(item, actor=actor, update_fields=[*changed, "updated_at"])


# --- technical-assistance log ---------------------------------------------------------------


_FOLLOW_UP_FIELDS = ("description", "owner", "due_date", "status", "closed_on")


def _assistance_check(entry, coalitions):
    errors = {}
    if not coalitions:
        errors["coalitions"] = "Name at least one coalition served."
    if entry.staff_member_id and not entry.staff_member.is_program_staff:
        errors["staff_member"] = f"{entry.staff_member} is not program staff."
    program = entry.program
    if entry.date and not program.start_date <= entry.date <= program.end_date:
        errors["date"] = (
            f"The date must fall within {program.name}, from {program.start_date:%B %-d, %Y} "
            f"to {program.end_date:%B %-d, %Y}."
        )
    if entry.network_id and entry.network.program_id != entry.program_id:
        errors["network"] = f"{entry.network} belongs to another program."
    if errors:
        raise RegistryError(errors)


def _follow_up_errors(follow_up, program, coalition_ids):
    """The rules a follow-up keeps, as {field: message}: an owner (program staff or someone
    of a coalition served), a due date not before the program starts, a closing date once
    done or dropped."""
    errors = {}
    if not (follow_up.description or "").strip():
        errors["description"] = "Say what is to be done."
    owner = follow_up.owner if follow_up.owner_id else None
    if owner is None:
        errors["owner"] = "Name who owns this follow-up."
    elif not owner.is_program_staff:
        membership = getattr(owner, "membership", None)
        if membership is None or membership.coalition_id not in coalition_ids:
            errors["owner"] = (
                f"{owner} is neither program staff nor someone of a coalition served."
            )
    if follow_up.due_date is None:
        errors["due_date"] = "Give the date it is due."
    elif program is not None and follow_up.due_date < program.start_date:
        errors["due_date"] = (
            f"The due date cannot be before {program.name} starts "
            f"({program.start_date:%B %-d, %Y})."
        )
    if follow_up.status == FollowUp.Status.OPEN:
        follow_up.closed_on = None
    elif follow_up.closed_on is None:
        follow_up.closed_on = timezone.localdate()
    return errors


def _follow_ups_plan(entry, rows, *, existing):
    """Check the follow-ups a form sent: rows of their fields, with ``id`` for an existing
    one and ``delete`` to remove it. Returns (errors, to_save, to_delete); each error names
    its row, ``follow_ups-<index>-<field>``, so a form shows it beside its field."""
    coalition_ids = {coalition.pk for coalition in entry._coalitions}
    errors, to_save, to_delete = {}, [], []
    for index, row in enumerate(rows):
        row = dict(row)
        follow_up_id = row.pop("id", None)
        if row.pop("delete", False):
            if follow_up_id in existing:
                to_delete.append(existing[follow_up_id])
            continue
        if follow_up_id is not None and follow_up_id not in existing:
            errors[f"follow_ups-{index}-description"] = "This follow-up no longer exists."
            continue
        follow_up = existing.get(follow_up_id) or FollowUp()
        before = {name: getattr(follow_up, _attname(name)) for name in _FOLLOW_UP_FIELDS}
        for name in _FOLLOW_UP_FIELDS:
            if name in row:
                setattr(follow_up, name, row[name])
        problems = _follow_up_errors(
            follow_up, entry.program if entry.program_id else None, coalition_ids
        )
        for field, message in problems.items():
            errors[f"follow_ups-{index}-{field}"] = message
        changed = [
            name for name in _FOLLOW_UP_FIELDS
            if getattr(follow_up, _attname(name)) != before[name]
        ]
        if follow_up.pk is None or changed:
            to_save.append((follow_up, changed))
    return errors, to_save, to_delete


def _attname(name):
    return "owner_id" if name == "owner" else name


def _follow_ups_write(entry, to_save, to_delete, actor):
    for follow_up in to_delete:
        follow_up._history_user = actor
        follow_up.delete()
    for follow_up, changed in to_save:
        if follow_up.pk is None:
            follow_up.entry = entry
            save_checked(follow_up, actor=actor)
        else:
            fields = ["owner" if name == "owner" else name for name in changed]
            save_checked(follow_up, actor=actor, update_fields=[*fields, "updated_at"])


def _entry_errors(entry):
    errors = {}
    try:
        entry.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if entry.program_id:
        try:
            _assistance_check(entry, entry._coalitions)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages)
    return errors


def assistance_create(*, actor, coalitions, follow_ups=(), **fields):
    """Log a technical-assistance contact with the coalitions it served and its follow-ups.

    It serves at least one coalition, lasts more than 0 and at most 24 hours, falls within
    its program, and each follow-up has an owner and a due date not before the program
    starts. Nothing is saved unless all of it holds.
    """
    entry = TechnicalAssistance(**fields)
    entry._coalitions = list(coalitions)
    errors = _entry_errors(entry)
    follow_up_errors, to_save, _ = _follow_ups_plan(entry, follow_ups, existing={})
    if errors or follow_up_errors:
        raise RegistryError({**errors, **follow_up_errors})
    with transaction.atomic():
        save_checked(entry, actor=actor)
        entry.coalitions.set(entry._coalitions)
        _follow_ups_write(entry, to_save, [], actor)
    return entry


def assistance_update(*, entry, actor, coalitions=None, follow_ups=None, **fields):
    """Change a logged contact, its coalitions and its follow-ups under the same rules as
    ``assistance_create``; a save that changes nothing writes nothing."""
    with transaction.atomic():
        entry = (
            TechnicalAssistance.objects.select_for_update(of=("self",))
            .select_related("program", "network", "staff_member")
            .get(pk=entry.pk)
        )
        current = list(entry.coalitions.all())
        entry._coalitions = current if coalitions is None else list(coalitions)
        coalitions_changed = {c.pk for c in entry._coalitions} != {c.pk for c in current}
        changed = apply_changes(entry, fields)
        errors = _entry_errors(entry)
        existing = {
            follow_up.pk: follow_up
            for follow_up in entry.follow_ups.select_related("owner__membership")
        }
        follow_up_errors, to_save, to_delete = _follow_ups_plan(
            entry, follow_ups or (), existing=existing
        )
        if errors or follow_up_errors:
            raise RegistryError({**errors, **follow_up_errors})
        if changed:
            save_checked(entry, actor=actor, update_fields=[*changed, "updated_at"])
        if coalitions_changed:
            entry.coalitions.set(entry._coalitions)
        _follow_ups_write(entry, to_save, to_delete, actor)
    return entry


def follow_up_close(*, follow_up, status, actor, closed_on=None):
    """Mark a follow-up done or dropped (on ``closed_on``, today by default), or open again."""
    if status not in FollowUp.Status.values:
        raise RegistryError({"status": "Choose open, done or dropped."})
    if status == follow_up.status:
        return follow_up
    follow_up.status = status
    follow_up.closed_on = (
        None if status == FollowUp.Status.OPEN else closed_on or timezone.localdate()
    )
    return save_checked(follow_up, actor=actor, update_fields=["status", "closed_on", "updated_at"])


# --- learning networks ----------------------------------------------------------------------


_DUPLICATE_NETWORK = "This program already has a learning network with that name."


def _network_check(network):
    network.full_clean(validate_constraints=False)
    errors = {}
    if network.facilitator_id and not network.facilitator.is_program_staff:
        errors["facilitator"] = f"{network.facilitator} is not program staff."
    duplicate = LearningNetwork.objects.filter(
        program_id=network.program_id, name__iexact=network.name
    ).exclude(pk=network.pk)
    if duplicate.exists():
        errors["name"] = _DUPLICATE_NETWORK
    if errors:
        raise RegistryError(errors)


def network_create(*, actor, **fields):
    network = LearningNetwork(**fields)
    _network_check(network)
    with _unique("name", _DUPLICATE_NETWORK):
        return save_checked(network, actor=actor)


def network_update(*, network, actor, **fields):
    changed = apply_changes(network, fields)
    if not changed:
        return network
    _network_check(network)
    with _unique("name", _DUPLICATE_NETWORK):
        return save_checked(network, actor=actor, update_fields=[*changed, "updated_at"])


def network_member_add(*, network, coalition, joined_on, actor):
    """A coalition enrolled in the network's program joins it (once at a time)."""
    program = network.program
    errors = {}
    if not Enrollment.objects.filter(program=program, coalition=coalition).exists():
        errors["coalition"] = f"{coalition} is not enrolled in {program.name}."
    elif NetworkMembership.objects.filter(
        network=network, coalition=coalition, left_on__isnull=True
    ).exists():
        errors["coalition"] = f"{coalition} is already a member of {network}."
    if joined_on and not program.start_date <= joined_on <= program.end_date:
        errors["joined_on"] = (
            f"The date must fall within {program.name}, from {program.start_date:%B %-d, %Y} "
            f"to {program.end_date:%B %-d, %Y}."
        )
    if errors:
        raise RegistryError(errors)
    with _unique("coalition", f"{coalition} is already a member of {network}."):
        return save_checked(
            NetworkMembership(network=network, coalition=coalition, joined_on=joined_on),
            actor=actor,
        )


def network_member_leave(*, membership, left_on, actor):
    """Record the day a coalition left a network; it stays in the network's history."""
    if membership.left_on == left_on:
        return membership
    if left_on < membership.joined_on:
        raise RegistryError(
            {"left_on": f"It joined on {membership.joined_on:%B %-d, %Y}; it cannot leave "
                        "before that."}
        )
    membership.left_on = left_on
    return save_checked(membership, actor=actor, update_fields=["left_on", "updated_at"])
