"""API tokens: made by a command that prints them once, stored only as a hash, sent as
``Authorization: Bearer``, revoked by a command or in the admin."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

PRIVATE = "/api/v1/adoptions/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


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
