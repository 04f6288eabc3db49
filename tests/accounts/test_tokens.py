"""API tokens: made by a command (or on a page) that shows them once, stored only as a hash,
sent as ``Authorization: Bearer``, expiring, revoked by a command, in the admin, and when
what they were made under ends (the password, the last coalition membership)."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken, User
from tests import factories

pytestmark = pytest.mark.django_db

PRIVATE = "/api/v1/adoptions/"


def create_token(email, *args):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", email, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_api_token_prints_a_token_that_opens_the_api_as_its_user(client, lead_user):
    raw, note = create_token("LEAD@example.org", "--name", "evaluation pipeline")

    response = client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.user == lead_user
    assert token.name == "evaluation pipeline"
    assert token.prefix == raw[:8]
    assert token.prefix in note and "only" in note


def test_only_the_hash_of_a_token_is_stored(lead_user):
    raw, _ = create_token(lead_user.email)
    token = ApiToken.objects.get()

    assert len(raw) >= 40
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(raw in value for value in stored)


def test_create_api_token_refuses_an_unknown_or_deactivated_user(lead_user):
    with pytest.raises(CommandError, match="No user"):
        create_token("nobody@example.org")
    lead_user.is_active = False
    lead_user.save()
    with pytest.raises(CommandError, match="deactivated"):
        create_token(lead_user.email)


def test_a_revoked_token_is_refused_with_401(client, lead_user):
    raw, _ = create_token(lead_user.email)
    token = ApiToken.objects.get()

    call_command("revoke_api_token", token.prefix, stdout=StringIO())
    response = client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoke_api_token_by_user_revokes_all_their_tokens_and_no_one_elses(
    client, lead_user, member_user
):
    lead_tokens = [create_token(lead_user.email)[0] for _ in range(2)]
    member_token, _ = create_token(member_user.email)

    call_command("revoke_api_token", "--user", lead_user.email, stdout=StringIO())

    for raw in lead_tokens:
        assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {member_token}").status_code == 200


def test_revoke_api_token_says_when_it_finds_nothing(lead_user):
    with pytest.raises(CommandError, match="No active token"):
        call_command("revoke_api_token", "zzzzzzzz", stdout=StringIO())
    with pytest.raises(CommandError, match="no active token"):
        call_command("revoke_api_token", "--user", lead_user.email, stdout=StringIO())


def test_a_deactivated_users_token_is_refused(client, lead_user):
    raw, _ = create_token(lead_user.email)
    lead_user.is_active = False
    lead_user.save()

    assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_token_acts_with_its_users_permissions(client, member_user, other_coalition):
    raw, _ = create_token(member_user.email)
    foreign = factories.MeasureAdoptionFactory(coalition=other_coalition)

    response = client.get(f"{PRIVATE}{foreign.pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 404


def test_last_use_is_written_at_most_once_a_minute(client, lead_user):
    raw, _ = create_token(lead_user.email)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    client.get(PRIVATE, **headers)
    first = ApiToken.objects.get().last_used_at
    client.get(PRIVATE, **headers)
    assert ApiToken.objects.get().last_used_at == first

    ApiToken.objects.update(last_used_at=first - timedelta(seconds=61))
    client.get(PRIVATE, **headers)
    assert ApiToken.objects.get().last_used_at > first - timedelta(seconds=1)
    assert first is not None and first <= timezone.now()


def test_staff_revoke_tokens_in_the_admin_but_cannot_add_one_there(client, lead_user):
    admin = factories.UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    raw, _ = create_token(lead_user.email)
    token = ApiToken.objects.get()
    client.force_login(admin)

    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403

    response = client.post("/admin/accounts/apitoken/", {
        "action": "revoke", "_selected_action": [token.pk],
    }, follow=True)

    assert "Revoked 1 token" in response.content.decode()
    client.logout()
    assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_no_token_starts_with_a_dash_so_its_prefix_can_be_typed_to_revoke_it(lead_user):
    prefixes = {ApiToken.objects.issue(user=lead_user)[0].prefix for _ in range(300)}

    assert not any(prefix.startswith("-") for prefix in prefixes)


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_works_for_a_year_unless_made_shorter(lead_user):
    before = timezone.now()
    _, note = create_token(lead_user.email)
    create_token(lead_user.email, "--days", "30")

    year, month = (token.expires_at - before for token in ApiToken.objects.order_by("pk"))

    assert timedelta(days=365) <= year < timedelta(days=365, minutes=1)
    assert timedelta(days=30) <= month < timedelta(days=30, minutes=1)
    expires = ApiToken.objects.order_by("pk").first().expires_at
    assert f"working until {timezone.localtime(expires):%Y-%m-%d %H:%M} " in note


@pytest.mark.parametrize("days", ["0", "366"])
def test_create_api_token_refuses_a_lifetime_past_a_year_or_under_a_day(lead_user, days):
    with pytest.raises(CommandError, match=r"at least a day|a year at most"):
        create_token(lead_user.email, "--days", days)
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused_with_401(client, lead_user):
    raw, _ = create_token(lead_user.email)
    assert client.get(PRIVATE, **bearer(raw)).status_code == 200

    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(PRIVATE, **bearer(raw))

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_new_password_revokes_the_users_tokens_whatever_the_way(client, lead_user):
    """The password page, a reset and the admin all go through set_password and save."""
    superuser = factories.UserFactory(email="root@example.org", is_staff=True,
                                      is_superuser=True)
    other, _ = create_token(factories.UserFactory(email="other@example.org").email)
    ways = {
        "password page": lambda: client.post("/accounts/password/change/", {
            "old_password": factories.PASSWORD, "new_password1": "changed-password-one",
            "new_password2": "changed-password-one",
        }),
        "admin": lambda: client.post(f"/admin/accounts/user/{lead_user.pk}/password/", {
            "password1": "changed-password-two", "password2": "changed-password-two",
            "usable_password": "true",
        }),
        "shell": lambda: lead_user.set_password("changed-password-three") or lead_user.save(),
    }
    for way, change in ways.items():
        raw, _ = create_token(lead_user.email)
        client.force_login(superuser if way == "admin" else User.objects.get(pk=lead_user.pk))
        assert client.get(PRIVATE, **bearer(raw)).status_code == 200, way

        response = change()

        assert response is None or response.status_code == 302, way
        client.logout()
        refused = client.get(PRIVATE, **bearer(raw))
        assert refused.status_code == 401, way
        assert "because the password changed" in refused.json()["detail"], way
    assert client.get(PRIVATE, **bearer(other)).status_code == 200


def test_a_password_reset_revokes_the_users_tokens(client, lead_user):
    from tests.accounts.test_auth import reset_password

    raw, _ = create_token(lead_user.email)

    reset_password(client, lead_user.email, "a-brand-new-password-7")

    assert client.get(PRIVATE, **bearer(raw)).status_code == 401


def test_signing_in_keeps_tokens_even_when_the_stored_hash_is_upgraded(
    client, lead_user, production_hashers
):
    # A hash from the older hasher is silently re-hashed with Argon2 at sign-in: the
    # password is the same, so the tokens stay.
    from django.contrib.auth.hashers import make_password

    User.objects.filter(pk=lead_user.pk).update(
        password=make_password(factories.PASSWORD, hasher="pbkdf2_sha256")
    )
    raw, _ = create_token(lead_user.email)

    response = client.post("/accounts/login/", {"username": lead_user.email,
                                                "password": factories.PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(pk=lead_user.pk).password.startswith("argon2")
    client.logout()
    assert client.get(PRIVATE, **bearer(raw)).status_code == 200


def test_the_end_of_the_last_membership_revokes_the_users_tokens(client, lead_user, member_user):
    lead_token, _ = create_token(lead_user.email)
    member_token, _ = create_token(member_user.email)

    lead_user.membership.delete()

    response = client.get(PRIVATE, **bearer(lead_token))
    assert response.status_code == 401
    assert "membership ended" in response.json()["detail"]
    assert client.get(PRIVATE, **bearer(member_token)).status_code == 200


def test_memberships_ended_with_their_coalition_revoke_the_tokens_too(
    client, lead_user, coalition
):
    raw, _ = create_token(lead_user.email)

    coalition.delete()

    assert client.get(PRIVATE, **bearer(raw)).status_code == 401


def test_a_superuser_ending_a_membership_in_the_admin_revokes_the_tokens(client, lead_user):
    superuser = factories.UserFactory(email="root@example.org", is_staff=True,
                                      is_superuser=True)
    raw, _ = create_token(lead_user.email)
    client.force_login(superuser)

    response = client.post(
        f"/admin/coalitions/membership/{lead_user.membership.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    client.logout()
    assert client.get(PRIVATE, **bearer(raw)).status_code == 401
