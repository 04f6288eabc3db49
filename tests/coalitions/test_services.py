from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from coalitions import services, tasks
from coalitions.models import Coalition, Contact, Enrollment, Program
from coalitions.tasks import enrollment_welcome_task
from tests import factories

pytestmark = pytest.mark.django_db


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- programs -------------------------------------------------------------------------------


def test_program_end_date_before_start_is_refused_beside_the_end_date(staff_user):
    with pytest.raises(ValidationError) as excinfo:
        services.program_create(
            actor=staff_user, name="Later", code="later",
            start_date=date(2027, 1, 1), end_date=date(2026, 1, 1),
        )
    assert errors_of(excinfo)["end_date"] == ["The end date must be after the start date."]
    assert not Program.objects.exists()


def test_program_negative_capacity_is_refused(staff_user):
    with pytest.raises(ValidationError) as excinfo:
        services.program_create(
            actor=staff_user, name="P", code="p", start_date=date(2026, 1, 1),
            end_date=date(2027, 1, 1), support_capacity=-1,
        )
    assert "support_capacity" in errors_of(excinfo)
    assert not Program.objects.exists()


def test_program_defaults_to_the_fact_sheets_capacities(staff_user):
    program = services.program_create(
        actor=staff_user, name="P", code="p", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
    )
    assert (program.support_capacity, program.intensive_capacity) == (15, 3)


def test_program_capacity_cannot_drop_below_the_places_taken(staff_user):
    program = factories.ProgramFactory(intensive_capacity=3)
    for coalition in factories.CoalitionFactory.create_batch(2):
        services.enrollment_create(
            program=program, coalition=coalition, tier="intensive", actor=staff_user
        )
    with pytest.raises(ValidationError) as excinfo:
        services.program_update(program=program, actor=staff_user, intensive_capacity=1)
    assert "cannot go below 2" in errors_of(excinfo)["intensive_capacity"][0]
    program.refresh_from_db()
    assert program.intensive_capacity == 3


# --- coalitions -----------------------------------------------------------------------------


def test_duplicate_coalition_name_is_refused_whatever_its_case(staff_user):
    factories.CoalitionFactory(name="Gulf Coast Health Coalition")
    with pytest.raises(ValidationError) as excinfo:
        services.coalition_create(
            actor=staff_user, name="gulf coast  health coalition", kind="purchaser"
        )
    assert "already exists" in errors_of(excinfo)["name"][0]
    assert Coalition.objects.count() == 1


def test_coalition_unknown_state_code_and_bad_website_are_named(staff_user):
    with pytest.raises(ValidationError) as excinfo:
        services.coalition_create(
            actor=staff_user, name="New", kind="purchaser", states="MD, XX",
            website="not a url",
        )
    assert set(errors_of(excinfo)) == {"website", "states"}
    with pytest.raises(ValidationError) as excinfo:
        services.coalition_create(actor=staff_user, name="New", kind="purchaser", states="XX")
    assert errors_of(excinfo)["states"] == ["Unknown state code: XX."]
    assert not Coalition.objects.filter(name="New").exists()


def test_coalition_changes_are_kept_with_who_made_them(staff_user):
    coalition = services.coalition_create(actor=staff_user, name="Hist", kind="community")
    services.coalition_update(coalition=coalition, actor=staff_user, market="Tri-County")
    history = list(coalition.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].market == "Tri-County"
    assert history[-1].history_user == staff_user


# --- enrolment ------------------------------------------------------------------------------


def test_enrolling_past_a_tiers_capacity_is_refused_with_a_clear_message(staff_user):
    program = factories.ProgramFactory(name="PPS", intensive_capacity=1)
    first, second = factories.CoalitionFactory.create_batch(2)
    services.enrollment_create(program=program, coalition=first, tier="intensive",
                               actor=staff_user)
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_create(program=program, coalition=second, tier="intensive",
                                   actor=staff_user)
    assert errors_of(excinfo)["tier"] == [
        "The intensive assistance tier of PPS is full: 1 of 1 places are taken."
    ]
    assert not Enrollment.objects.filter(coalition=second).exists()


def test_a_full_tier_does_not_block_the_other_tier(staff_user):
    program = factories.ProgramFactory(intensive_capacity=0)
    coalition = factories.CoalitionFactory()
    enrollment = services.enrollment_create(
        program=program, coalition=coalition, tier="support", actor=staff_user
    )
    assert enrollment.tier == "support"


def test_enrolling_the_same_coalition_twice_is_refused(staff_user, program, coalition):
    services.enrollment_create(program=program, coalition=coalition, tier="support",
                               actor=staff_user)
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_create(program=program, coalition=coalition, tier="intensive",
                                   actor=staff_user)
    assert errors_of(excinfo)["coalition"] == [
        f"{coalition.name} is already enrolled in {program.name}."
    ]
    assert Enrollment.objects.filter(coalition=coalition).count() == 1


def test_withdrawing_gives_the_place_back_and_rejoining_needs_a_free_one(staff_user):
    program = factories.ProgramFactory(intensive_capacity=1)
    first, second = factories.CoalitionFactory.create_batch(2)
    enrollment = services.enrollment_create(program=program, coalition=first,
                                            tier="intensive", actor=staff_user)
    services.enrollment_update(enrollment=enrollment, actor=staff_user, status="withdrawn")
    enrollment.refresh_from_db()
    assert enrollment.ended_on is not None
    services.enrollment_create(program=program, coalition=second, tier="intensive",
                               actor=staff_user)
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_update(enrollment=enrollment, actor=staff_user, status="active")
    assert "is full" in errors_of(excinfo)["tier"][0]
    enrollment.refresh_from_db()
    assert enrollment.status == "withdrawn"


def test_enrolment_history_records_tier_changes_and_the_actor(staff_user, program, coalition):
    enrollment = services.enrollment_create(program=program, coalition=coalition,
                                            tier="support", actor=staff_user)
    services.enrollment_update(enrollment=enrollment, actor=staff_user, tier="intensive")
    tiers = [h.tier for h in enrollment.history.order_by("history_date")]
    assert tiers == ["support", "intensive"]
    assert {h.history_user for h in enrollment.history.all()} == {staff_user}


def test_enrolment_sends_the_welcome_once_after_commit(
    staff_user, program, coalition, django_capture_on_commit_callbacks
):
    factories.ContactFactory(coalition=coalition, email="director@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrollment = services.enrollment_create(program=program, coalition=coalition,
                                                tier="support", actor=staff_user)
    assert len(mail.outbox) == 0, "nothing is sent before the transaction commits"
    assert len(callbacks) == 1
    callbacks[0]()
    enrollment_welcome_task.delay(enrollment.pk)  # a redelivered task does nothing twice
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["director@example.org"]
    assert program.name in mail.outbox[0].subject
    enrollment.refresh_from_db()
    assert enrollment.welcome_sent_at is not None


def test_a_refused_enrolment_enqueues_nothing(
    staff_user, coalition, django_capture_on_commit_callbacks
):
    program = factories.ProgramFactory(support_capacity=0)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        services.enrollment_create(program=program, coalition=coalition, tier="support",
                                   actor=staff_user)
    assert callbacks == []


# --- contacts -------------------------------------------------------------------------------


def test_contact_with_an_invalid_email_is_refused_beside_the_field(staff_user, coalition):
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(coalition=coalition, actor=staff_user, name="A",
                                email="not-an-email")
    assert errors_of(excinfo)["email"] == ["Enter a valid email address."]
    assert not Contact.objects.exists()


def test_a_coalition_lists_an_email_once(staff_user, coalition, other_coalition):
    services.contact_create(coalition=coalition, actor=staff_user, name="A",
                            email="a@example.org")
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(coalition=coalition, actor=staff_user, name="B",
                                email="A@Example.org")
    assert "already has a contact" in errors_of(excinfo)["email"][0]
    # Another coalition may list the same person.
    services.contact_create(coalition=other_coalition, actor=staff_user, name="A",
                            email="a@example.org")
    assert Contact.objects.count() == 2


def test_an_out_of_date_copy_cannot_overbook_a_tier(staff_user):
    program = factories.ProgramFactory(intensive_capacity=1)
    holder, other = factories.CoalitionFactory.create_batch(2)
    services.enrollment_create(program=program, coalition=holder, tier="intensive",
                               actor=staff_user)
    enrollment = services.enrollment_create(program=program, coalition=other, tier="support",
                                            actor=staff_user)
    stale = Enrollment.objects.get(pk=enrollment.pk)
    services.enrollment_update(enrollment=enrollment, actor=staff_user, status="withdrawn")
    # A form opened before the withdrawal now asks for the full intensive tier.
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_update(enrollment=stale, actor=staff_user, tier="intensive",
                                   status="active")
    assert "is full" in errors_of(excinfo)["tier"][0]
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.tier) == ("withdrawn", "support")


def test_ending_an_enrolment_dates_it_and_rejoining_clears_the_date(staff_user, program,
                                                                     coalition):
    enrollment = services.enrollment_create(program=program, coalition=coalition,
                                            tier="support", actor=staff_user)
    services.enrollment_update(enrollment=enrollment, actor=staff_user, status="completed")
    enrollment.refresh_from_db()
    assert enrollment.ended_on is not None
    services.enrollment_update(enrollment=enrollment, actor=staff_user, status="active")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.ended_on) == ("active", None)


def test_a_welcome_claimed_by_a_lost_worker_is_sent_once_the_lease_runs_out(
    staff_user, program, coalition, django_capture_on_commit_callbacks
):
    factories.ContactFactory(coalition=coalition, email="director@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        enrollment = services.enrollment_create(program=program, coalition=coalition,
                                                tier="support", actor=staff_user)
    # A worker claimed it a minute ago and is still (or was last seen) sending.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        welcome_claimed_at=timezone.now() - timedelta(minutes=1))
    enrollment_welcome_task.delay(enrollment.pk)
    assert mail.outbox == [], "a live claim is not sent twice"
    # That worker died: past the lease, the redelivered task sends it.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        welcome_claimed_at=timezone.now() - services.ENROLLMENT_WELCOME.lease - timedelta(1))
    enrollment_welcome_task.delay(enrollment.pk)
    assert len(mail.outbox) == 1
    enrollment_welcome_task.delay(enrollment.pk)
    assert len(mail.outbox) == 1


def test_a_failed_send_gives_the_claim_back_for_the_retry(
    staff_user, program, coalition, django_capture_on_commit_callbacks, monkeypatch
):
    factories.ContactFactory(coalition=coalition)
    with django_capture_on_commit_callbacks(execute=False):
        enrollment = services.enrollment_create(program=program, coalition=coalition,
                                                tier="support", actor=staff_user)

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", broken)
    with pytest.raises(OSError):
        enrollment_welcome_task.apply(args=[enrollment.pk], throw=True, retries=5)
    enrollment.refresh_from_db()
    assert (enrollment.welcome_claimed_at, enrollment.welcome_sent_at) == (None, None)
