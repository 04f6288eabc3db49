"""The API tokens page: a signed-in person makes (shown once), lists and revokes their own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api-tokens")
PRIVATE = "/api/v1/adoptions/"


def make(client, name="laptop", lifetime="365"):
    return client.post(PAGE, {"name": name, "lifetime": lifetime})


def test_the_page_asks_visitors_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_header_links_the_page_for_a_signed_in_person(lead_client):
    assert f'href="{PAGE}"' in lead_client.get("/", follow=True).content.decode()


def test_a_new_token_is_shown_once_and_opens_the_api(lead_client, lead_user, client):
    response = make(lead_client, "evaluation pipeline", "30")

    assert response.status_code == 200
    raw = response.context["raw"]
    page = response.content.decode()
    assert raw in page and "shown only this once" in page
    token = ApiToken.objects.get(user=lead_user)
    assert token.name == "evaluation pipeline"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert token.expires_at.strftime("%Y") in page
    # Listed from then on, but never shown again.
    again = lead_client.get(PAGE).content.decode()
    assert raw not in again and token.prefix in again
    assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_a_token_needs_a_name_and_a_lifetime_from_the_list(lead_client):
    response = make(lead_client, name="", lifetime="5000")

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "lifetime"}
    assert "raw" not in response.context
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_ones_own_tokens_with_their_state(lead_client, lead_user, member_user):
    active, _ = ApiToken.objects.issue(user=lead_user, name="active one")
    expired, _ = ApiToken.objects.issue(
        user=lead_user, name="old one", expires_at=timezone.now() - timedelta(days=1)
    )
    revoked, _ = ApiToken.objects.issue(user=lead_user, name="gone one")
    revoked.revoke(by=lead_user, because=ApiToken.Revocation.OWNER)
    foreign, _ = ApiToken.objects.issue(user=member_user, name="someone else's")

    page = lead_client.get(PAGE).content.decode()

    for token in (active, expired, revoked):
        assert token.name in page
    assert foreign.name not in page and foreign.prefix not in page
    assert "Expired" in page
    assert "by its owner" in page
    assert page.count(">Revoke<") == 1  # only the active token can be revoked


def test_a_person_revokes_their_own_token(lead_client, lead_user, client):
    token, raw = ApiToken.objects.issue(user=lead_user, name="laptop")
    url = reverse("accounts:api-token-revoke", args=[token.pk])

    assert lead_client.get(url).status_code == 405
    response = lead_client.post(url, follow=True)

    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == lead_user
    assert token.revoked_because == ApiToken.Revocation.OWNER
    assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_nobody_revokes_anyone_elses_token(lead_client, member_user, client):
    token, raw = ApiToken.objects.issue(user=member_user)

    response = lead_client.post(reverse("accounts:api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(PRIVATE, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_revoking_needs_the_pages_csrf_token(lead_user):
    from django.test import Client

    token, _ = ApiToken.objects.issue(user=lead_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead_user)

    response = client.post(reverse("accounts:api-token-revoke", args=[token.pk]))

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_list_costs_the_same_queries_at_any_length(lead_client, lead_user):
    def grow(n):
        for _ in range(n):
            ApiToken.objects.issue(user=lead_user, name="a token")

    assert_constant(lead_client, PAGE, grow)


def test_a_deactivated_persons_page_makes_no_token(client):
    user = factories.UserFactory(email="gone@example.org")
    client.force_login(user)
    user.is_active = False
    user.save()

    response = make(client)

    # Signed out by the deactivation: sent to sign in, and nothing is made.
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
