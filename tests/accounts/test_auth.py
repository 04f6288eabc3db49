import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import EVALUATOR, PROGRAM_STAFF
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def login(client, email, password=factories.PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def test_users_sign_in_with_their_email_in_any_case(client):
    factories.UserFactory(email="pat@example.org")
    response = login(client, "PAT@Example.org")
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_a_wrong_password_says_so_without_signing_in(client):
    factories.UserFactory(email="pat@example.org")
    response = login(client, "pat@example.org", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2():
    user = factories.UserFactory()
    assert user.password.startswith("argon2$")


def test_emails_are_unique_whatever_their_case():
    User.objects.create_user("dup@example.org", "x-password-123")
    with pytest.raises(Exception, match="already exists"):
        User.objects.create_user("DUP@example.org", "x-password-123")


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    factories.UserFactory(email="pat@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "pat@example.org", "wrong-password")
    response = login(client, "pat@example.org")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_from_one_address_lock_that_address(client, settings):
    factories.UserFactory(email="victim@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess{n}@example.org", "wrong-password", REMOTE_ADDR="203.0.113.9")
    response = login(client, "victim@example.org", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    # Another address can still sign in to that account.
    assert login(client, "victim@example.org", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_password_reset_sends_a_working_link(client):
    user = factories.UserFactory(email="pat@example.org")
    response = client.post(reverse("accounts:password-reset"), {"email": "pat@example.org"})
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a-brand-new-password-7", "new_password2": "a-brand-new-password-7",
    })
    assert response.url == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-7")


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client):
    user = factories.UserFactory()
    client.force_login(user)
    url = reverse("accounts:password-change")
    response = client.post(url, {"old_password": "wrong", "new_password1": "new-secret-pass-9",
                                 "new_password2": "new-secret-pass-9"})
    assert "old_password" in response.context["form"].errors
    response = client.post(url, {"old_password": factories.PASSWORD,
                                 "new_password1": "new-secret-pass-9",
                                 "new_password2": "new-secret-pass-9"})
    assert response.url == reverse("accounts:password-change-done")


def test_sign_out_is_a_post(client):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_role_groups_carry_their_permissions():
    staff = Group.objects.get(name=PROGRAM_STAFF).permissions.values_list("codename", flat=True)
    evaluator = Group.objects.get(name=EVALUATOR).permissions.values_list("codename", flat=True)
    assert {"add_coalition", "change_enrollment", "view_program"} <= set(staff)
    assert set(evaluator) >= {"view_coalition", "view_enrollment"}
    assert not [c for c in evaluator if not c.startswith("view_")]


def test_the_lockout_counts_an_address_in_any_case(client, settings):
    factories.UserFactory(email="pat@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        email = "PAT@example.org" if n % 2 else "pat@Example.ORG"
        login(client, email, "wrong-password", REMOTE_ADDR=f"198.51.100.{n}")
    assert login(client, "pat@example.org", REMOTE_ADDR="203.0.113.50").status_code == 429


def test_signing_in_to_ones_own_account_does_not_clear_failures_against_another(
    client, settings
):
    factories.UserFactory(email="victim@example.org")
    factories.UserFactory(email="attacker@example.org")
    address = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "victim@example.org", "guess", **address)
        login(client, "attacker@example.org", **address)
        client.logout()
    assert login(client, "victim@example.org", REMOTE_ADDR="198.51.100.1").status_code == 429


def test_behind_a_proxy_the_lockout_uses_the_forwarded_address(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    factories.UserFactory(email="pat@example.org")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess{n}@example.org", "wrong",
              HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1", **proxy)
    # Another client behind the same proxy is not locked out with the attacker.
    response = login(client, "pat@example.org",
                     HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.1", **proxy)
    assert response.status_code == 302
