"""The user admin: program staff manage ordinary users and themselves; only a superuser
manages staff and superusers (change form, password, delete, bulk actions)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from accounts.roles import PROGRAM_STAFF
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-takeover-password-81"


@pytest.fixture
def superuser(db):
    return factories.UserFactory(
        email="root@example.org", is_staff=True, is_superuser=True
    )


@pytest.fixture
def other_staff(db):
    user = factories.UserFactory(email="colleague@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    return user


@pytest.fixture
def role_holder(db):
    """Program staff by role alone (no admin access): still not an ordinary user."""
    user = factories.UserFactory(email="role@example.org")
    user.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    return user


def snapshot(user):
    user = User.objects.get(pk=user.pk)
    return (user.email, user.password, user.is_active, user.full_name)


def change_form(user, **changes):
    data = {
        "email": user.email, "full_name": user.full_name, "is_active": "on",
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def password_form():
    return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}


@pytest.fixture(params=["superuser", "other_staff", "role_holder"])
def privileged(request):
    return request.getfixturevalue(request.param)


def test_staff_cannot_change_a_privileged_account_in_the_admin(staff_client, privileged):
    before = snapshot(privileged)
    url = reverse("admin:accounts_user_change", args=[privileged.pk])

    response = staff_client.post(url, change_form(
        privileged, email="attacker@example.org", is_active=None,
    ))

    assert response.status_code == 403
    assert snapshot(privileged) == before


def test_staff_cannot_set_the_password_of_a_privileged_account(staff_client, privileged):
    before = snapshot(privileged)
    url = f"/admin/accounts/user/{privileged.pk}/password/"

    assert staff_client.get(url).status_code == 403
    response = staff_client.post(url, password_form())

    assert response.status_code == 403
    assert snapshot(privileged) == before
    assert not User.objects.get(pk=privileged.pk).check_password(NEW_PASSWORD)


def test_staff_cannot_disable_the_password_of_a_privileged_account(staff_client, privileged):
    before = snapshot(privileged)
    url = f"/admin/accounts/user/{privileged.pk}/password/"

    response = staff_client.post(url, {"usable_password": "false", "unset-password": "1"})

    assert response.status_code == 403
    assert snapshot(privileged) == before


def test_staff_see_a_privileged_account_read_only(staff_client, superuser):
    response = staff_client.get(reverse("admin:accounts_user_change", args=[superuser.pk]))

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert 'name="_save"' not in response.content.decode()


def test_staff_granted_deletion_still_cannot_delete_a_privileged_account(
    staff_client, staff_user, privileged
):
    staff_user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    delete = reverse("admin:accounts_user_delete", args=[privileged.pk])
    changelist = reverse("admin:accounts_user_changelist")

    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    response = staff_client.post(changelist, {
        "action": "delete_selected", "_selected_action": [privileged.pk], "post": "yes",
    })

    assert response.status_code == 403
    assert User.objects.filter(pk=privileged.pk).exists()


def test_staff_have_no_bulk_action_on_accounts(staff_client, superuser):
    before = snapshot(superuser)
    changelist = reverse("admin:accounts_user_changelist")

    response = staff_client.post(changelist, {
        "action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes",
    })

    assert response.context["action_form"] is None  # no action is offered to run
    assert snapshot(superuser) == before


def test_staff_still_manage_an_ordinary_coalition_user(staff_client, member_user):
    change = reverse("admin:accounts_user_change", args=[member_user.pk])
    password = f"/admin/accounts/user/{member_user.pk}/password/"

    response = staff_client.post(change, change_form(member_user, email="new@example.org"))
    assert response.status_code == 302
    response = staff_client.post(password, password_form())
    assert response.status_code == 302

    member_user.refresh_from_db()
    assert member_user.email == "new@example.org"
    assert member_user.check_password(NEW_PASSWORD)


def test_staff_manage_their_own_account(staff_client, staff_user):
    change = reverse("admin:accounts_user_change", args=[staff_user.pk])
    password = f"/admin/accounts/user/{staff_user.pk}/password/"

    response = staff_client.post(change, change_form(staff_user, full_name="Pat Example"))
    assert response.status_code == 302
    assert staff_client.post(password, password_form()).status_code == 302

    staff_user.refresh_from_db()
    assert staff_user.full_name == "Pat Example"
    assert staff_user.check_password(NEW_PASSWORD)
    assert staff_user.is_staff  # the power fields stay out of their reach


def test_a_superuser_manages_staff(client, superuser, other_staff):
    client.force_login(superuser)
    change = reverse("admin:accounts_user_change", args=[other_staff.pk])
    group = Group.objects.get(name=PROGRAM_STAFF)

    response = client.post(change, change_form(
        other_staff, is_active=None, is_staff="on", groups=[group.pk],
    ))

    assert response.status_code == 302
    other_staff.refresh_from_db()
    assert not other_staff.is_active
