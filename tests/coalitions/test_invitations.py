"""Inviting coalition leads and members by e-mail, and what the link does."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalitions import services
from coalitions.models import Enrollment, Invitation, Membership
from coalitions.tasks import invitation_send_task, invitation_sweep_task
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plan-the-summit-2026"


def invite(client, coalition, capture, email="new.lead@example.org", role="lead"):
    with capture(execute=True):
        response = client.post(
            reverse("coalitions:invitation-create", args=[coalition.pk]),
            {"email": email, "role": role},
        )
    return response


def link_in(message):
    """The path of the invitation link in an e-mail (the portal's address stripped)."""
    match = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def create(coalition, actor, email="someone@example.org", role=Membership.Role.MEMBER, *,
           capture=None):
    if capture is None:
        return services.invitation_create(coalition=coalition, email=email, role=role, actor=actor)
    with capture(execute=True):
        return services.invitation_create(coalition=coalition, email=email, role=role, actor=actor)


# --- the whole path ---------------------------------------------------------------------------


def test_staff_invite_a_new_lead_who_sets_a_password_and_lands_on_their_home(
    client, staff_client, coalition, django_capture_on_commit_callbacks
):
    response = invite(staff_client, coalition, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == coalition.get_absolute_url()
    [message] = mail.outbox
    assert message.to == ["new.lead@example.org"]
    assert coalition.name in message.subject
    assert "coalition lead of Home Coalition" in message.body
    path = link_in(message)

    # Only the token's hash is kept.
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "Join Home Coalition" in page.content.decode()
    response = client.post(path, {
        "full_name": "Nora Lead", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert response.url == reverse("coalitions:my-coalition")
    home = client.get(response.url)
    assert home.context["user"].email == "new.lead@example.org"
    assert "Welcome! You now sign in for Home Coalition." in home.content.decode()
    membership = Membership.objects.get(user__email="new.lead@example.org")
    assert membership.coalition == coalition and membership.role == Membership.Role.LEAD
    assert membership.user.check_password(NEW_PASSWORD)
    assert membership.user.full_name == "Nora Lead"
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.accepted_by == membership.user

    # The link works once.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "It was used already" in again.content.decode()


def test_an_existing_account_is_simply_given_the_membership(
    client, staff_user, coalition, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email="existing@example.org")
    create(coalition, staff_user, email="Existing@Example.org",
           capture=django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    page = client.get(path)
    assert "You already have an account" in page.content.decode()
    assert page.context["form"] is None
    response = client.post(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url
    person.refresh_from_db()
    assert person.membership.coalition == coalition
    assert person.check_password(factories.PASSWORD)  # their password is untouched


def test_a_bad_password_is_refused_beside_the_field_and_nothing_is_created(
    client, staff_user, coalition, django_capture_on_commit_callbacks
):
    create(coalition, staff_user, email="weak@example.org",
           capture=django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    response = client.post(path, {"full_name": "Weak", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "too short" in " ".join(response.context["form"].errors["password2"])
    response = client.post(path, {
        "full_name": "Weak", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x",
    })
    assert "didn’t match" in " ".join(response.context["form"].errors["password2"])
    assert not Membership.objects.filter(user__email="weak@example.org").exists()
    assert Invitation.objects.get().accepted_at is None
    assert client.get(path).status_code == 200  # still usable


# --- links that no longer work ----------------------------------------------------------------


def test_an_expired_link_shows_a_clear_page(client, staff_user, coalition,
                                            django_capture_on_commit_callbacks):
    invitation = create(coalition, staff_user, capture=django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(path)
    assert response.status_code == 410
    assert "It expired on" in response.content.decode()
    response = client.post(path, {
        "full_name": "Late", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 410
    assert not Membership.objects.exists()


def test_a_revoked_link_shows_a_clear_page(client, staff_client, staff_user, coalition,
                                           django_capture_on_commit_callbacks):
    invitation = create(coalition, staff_user, capture=django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    response = staff_client.post(reverse("coalitions:invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "The invitation was withdrawn" in response.content.decode()


def test_resending_sends_a_new_link_and_kills_the_old_one(
    client, staff_client, staff_user, coalition, django_capture_on_commit_callbacks
):
    invitation = create(coalition, staff_user, capture=django_capture_on_commit_callbacks)
    old_path = link_in(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("coalitions:invitation-resend", args=[invitation.pk])
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_path = link_in(mail.outbox[1])
    assert new_path != old_path
    client.logout()
    unknown = client.get(old_path)
    assert unknown.status_code == 404
    assert "replaced by a newer one" in unknown.content.decode()
    assert client.get(new_path).status_code == 200


def test_an_unknown_token_is_a_clear_page_not_an_error(client):
    response = client.get(reverse("coalitions:invitation-accept", args=["no-such-token"]))
    assert response.status_code == 404
    assert "This invitation link no longer works" in response.content.decode()


def test_the_email_goes_once_however_often_the_task_runs(
    staff_user, coalition, django_capture_on_commit_callbacks
):
    invitation = create(coalition, staff_user, capture=django_capture_on_commit_callbacks)
    invitation_send_task.delay(invitation.pk)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Invitation.objects.filter(pk=invitation.pk).update(updated_at=an_hour_ago)
    assert invitation_sweep_task() == 0
    assert len(mail.outbox) == 1


def test_the_sweep_sends_what_the_broker_lost(staff_user, coalition):
    invitation = create(coalition, staff_user)  # on_commit never ran: the broker "lost" it
    assert mail.outbox == []
    Invitation.objects.filter(pk=invitation.pk).update(
        updated_at=timezone.now() - timedelta(minutes=5)
    )
    assert invitation_sweep_task() == 1
    assert mail.outbox[0].to == [invitation.email]


def test_no_email_is_sent_when_the_invitation_is_not_saved(
    staff_client, lead_user, coalition, django_capture_on_commit_callbacks
):
    response = invite(staff_client, coalition, django_capture_on_commit_callbacks,
                      email=lead_user.email)
    assert response.status_code == 200
    assert mail.outbox == []


# --- refusals beside the field ----------------------------------------------------------------


def test_an_address_already_a_member_is_refused_beside_the_field(
    staff_client, member_user, coalition, django_capture_on_commit_callbacks
):
    response = invite(staff_client, coalition, django_capture_on_commit_callbacks,
                      email="MEMBER@example.org", role="member")
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "member@example.org is already a member of Home Coalition."
    ]
    assert not Invitation.objects.exists()


def test_an_address_of_another_coalition_is_refused(staff_client, other_coalition, coalition,
                                                    django_capture_on_commit_callbacks):
    factories.MembershipFactory(coalition=other_coalition, user__email="elsewhere@example.org")
    response = invite(staff_client, coalition, django_capture_on_commit_callbacks,
                      email="elsewhere@example.org")
    assert "already signs in for another coalition" in response.context["form"].errors["email"][0]
    assert "Other Coalition" not in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_is_refused_but_an_expired_one_gives_way(
    staff_user, coalition
):
    first = create(coalition, staff_user, email="twice@example.org")
    with pytest.raises(services.RegistryError) as refused:
        create(coalition, staff_user, email="Twice@example.org")
    assert "already pending" in refused.value.message_dict["email"][0]
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    second = create(coalition, staff_user, email="twice@example.org")
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None


def test_a_lead_invites_members_but_not_leads(lead_client, coalition,
                                              django_capture_on_commit_callbacks):
    page = lead_client.get(reverse("coalitions:invitation-create", args=[coalition.pk]))
    assert [value for value, _ in page.context["form"].fields["role"].choices] == ["member"]
    response = invite(lead_client, coalition, django_capture_on_commit_callbacks, role="lead")
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not Invitation.objects.exists()
    response = invite(lead_client, coalition, django_capture_on_commit_callbacks,
                      email="colleague@example.org", role="member")
    assert response.status_code == 302
    assert response.url == reverse("coalitions:my-coalition")
    assert Invitation.objects.get().role == Membership.Role.MEMBER


def test_the_service_refuses_a_lead_invitation_from_a_lead(lead_user, coalition):
    with pytest.raises(services.RegistryError) as refused:
        create(coalition, lead_user, role=Membership.Role.LEAD)
    assert refused.value.message_dict == {
        "role": ["Only program staff can invite a coalition lead."]
    }


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    ("staff", 200), ("evaluator", 403), ("lead", 200), ("member", 403),
    ("other_lead", 404), ("anonymous", 302),
])
def test_who_may_open_the_invitation_form(role, status, client, request, coalition,
                                          other_coalition):
    users = {
        "staff": "staff_user", "evaluator": "evaluator_user", "lead": "lead_user",
        "member": "member_user",
    }
    if role in users:
        client.force_login(request.getfixturevalue(users[role]))
    elif role == "other_lead":
        client.force_login(factories.MembershipFactory(coalition=other_coalition).user)
    response = client.get(reverse("coalitions:invitation-create", args=[coalition.pk]))
    assert response.status_code == status
    if role == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


def test_resend_and_revoke_are_refused_to_others(client, staff_user, coalition, other_coalition,
                                                 member_user, lead_user):
    lead_invitation = create(coalition, staff_user, email="lead2@example.org",
                             role=Membership.Role.LEAD)
    member_invitation = create(coalition, staff_user, email="m2@example.org")
    other_lead = factories.MembershipFactory(coalition=other_coalition).user
    for name in ("coalitions:invitation-resend", "coalitions:invitation-revoke"):
        client.force_login(other_lead)
        assert client.post(reverse(name, args=[member_invitation.pk])).status_code == 404
        client.force_login(member_user)
        assert client.post(reverse(name, args=[member_invitation.pk])).status_code == 403
        client.force_login(lead_user)
        assert client.post(reverse(name, args=[lead_invitation.pk])).status_code == 403
        client.logout()
        assert client.post(reverse(name, args=[member_invitation.pk])).status_code == 302
    assert not Invitation.objects.filter(revoked_at__isnull=False).exists()
    client.force_login(lead_user)
    response = client.post(reverse("coalitions:invitation-revoke", args=[member_invitation.pk]))
    assert response.status_code == 302
    member_invitation.refresh_from_db()
    assert member_invitation.revoked_at is not None


def test_revoking_twice_says_so(staff_client, staff_user, coalition):
    invitation = create(coalition, staff_user)
    url = reverse("coalitions:invitation-revoke", args=[invitation.pk])
    staff_client.post(url)
    response = staff_client.post(url, follow=True)
    assert "This invitation was revoked." in response.content.decode()


# --- the coalition's page ---------------------------------------------------------------------


def test_the_coalition_page_shows_who_can_sign_in_and_pending_invitations(
    client, staff_client, staff_user, coalition, lead_user, member_user
):
    lead_user.last_login = timezone.make_aware(timezone.datetime(2026, 11, 3, 9, 30))
    lead_user.save(update_fields=["last_login"])
    create(coalition, staff_user, email="waiting@example.org")
    accepted = create(coalition, staff_user, email="done@example.org")
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
    page = staff_client.get(coalition.get_absolute_url()).content.decode()
    assert "Who can sign in" in page
    assert lead_user.email in page and member_user.email in page
    assert "Coalition lead" in page and "Coalition member" in page
    assert "Nov 3, 2026" in page and "Never" in page
    assert "waiting@example.org" in page and "done@example.org" not in page
    assert "Resend" in page and "Revoke" in page

    client.force_login(member_user)
    page = client.get(reverse("coalitions:my-coalition")).content.decode()
    assert lead_user.email in page
    assert "waiting@example.org" not in page  # members do not see invitations


# --- enrolling from the coalition's page ------------------------------------------------------


def test_the_enrol_form_offers_only_programs_the_coalition_is_not_in(staff_client, coalition):
    enrolled = factories.ProgramFactory(name="Already in")
    factories.EnrollmentFactory(program=enrolled, coalition=coalition)
    open_program = factories.ProgramFactory(name="Not yet in")
    page = staff_client.get(reverse("coalitions:coalition-enroll", args=[coalition.pk]))
    assert list(page.context["form"].fields["program"].queryset) == [open_program]
    response = staff_client.post(
        reverse("coalitions:coalition-enroll", args=[coalition.pk]),
        {"program": enrolled.pk, "tier": "support"},
    )
    assert "already enrolled" in response.context["form"].errors["program"][0]


def test_enrolling_before_the_program_starts_dates_it_from_the_start(staff_client, coalition):
    future = factories.ProgramFactory(start_date=date(2027, 7, 1), end_date=date(2029, 6, 30))
    response = staff_client.post(
        reverse("coalitions:coalition-enroll", args=[coalition.pk]),
        {"program": future.pk, "tier": "support", "enrolled_on": ""},
    )
    assert response.status_code == 302
    assert response.url == coalition.get_absolute_url()
    assert Enrollment.objects.get().enrolled_on == date(2027, 7, 1)
    # The program's own enrol form opens with that date.
    other = factories.CoalitionFactory()
    page = staff_client.get(reverse("coalitions:enrollment-create", args=[future.code]))
    assert page.context["form"].initial["enrolled_on"] == date(2027, 7, 1)
    assert coalition not in page.context["form"].fields["coalition"].queryset
    assert other in page.context["form"].fields["coalition"].queryset


def test_an_enrolment_date_outside_the_program_is_refused_beside_the_field(
    staff_client, coalition
):
    program = factories.ProgramFactory(start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    for day in ("2025-12-31", "2028-01-01"):
        response = staff_client.post(
            reverse("coalitions:coalition-enroll", args=[coalition.pk]),
            {"program": program.pk, "tier": "support", "enrolled_on": day},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["enrolled_on"] == [
            "The enrolment date must fall within the program's period, January 1, 2026 to "
            "December 31, 2027."
        ]
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    ("staff_user", 200), ("evaluator_user", 403), ("lead_user", 403), ("member_user", 403),
])
def test_only_staff_enrol_from_the_coalition_page(role, status, client, request, coalition):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("coalitions:coalition-enroll", args=[coalition.pk]))
    assert response.status_code == status
