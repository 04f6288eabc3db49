import re
import subprocess
import sys
from pathlib import Path

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


def test_passwords_are_hashed_with_argon2(production_hashers):
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


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(client, settings):
    factories.UserFactory(email="staff@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "staff@example.org", "wrong-password", REMOTE_ADDR="203.0.113.9")

    assert login(client, "staff@example.org", REMOTE_ADDR="203.0.113.9").status_code == 429
    # The account's owner, somewhere else, still signs in.
    assert login(client, "staff@example.org", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_an_address_alone_is_locked_only_at_its_own_higher_limit(client, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    factories.UserFactory(email="victim@example.org")
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        login(client, f"guess{n}@example.org", "wrong-password", **attacker)
    # Past the per-account limit, but each account was tried once: the address still works.
    assert login(client, "victim@example.org", **attacker).status_code == 302
    client.logout()

    login(client, "one-more@example.org", "wrong-password", **attacker)

    assert login(client, "victim@example.org", **attacker).status_code == 429
    assert login(client, "victim@example.org", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_lockout_page_says_how_long_in_words(client, settings):
    factories.UserFactory(email="pat@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "pat@example.org", "wrong-password")

    page = login(client, "pat@example.org").content.decode().replace("\xa0", " ")

    assert "Try again in 15 minutes" in page
    assert "PT15M" not in page


def test_a_completed_password_reset_lifts_the_accounts_lock(client, settings):
    factories.UserFactory(email="pat@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "pat@example.org", "wrong-password")
    assert login(client, "pat@example.org").status_code == 429

    reset_password(client, "pat@example.org", "a-brand-new-password-7")

    assert login(client, "pat@example.org", "a-brand-new-password-7").status_code == 302


def reset_password(client, email, new_password):
    """Ask for a reset link, follow it from the e-mail and set ``new_password``."""
    response = client.post(reverse("accounts:password-reset"), {"email": email})
    assert response.url == reverse("accounts:password-reset-done")
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[-1].body)[1]
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": new_password, "new_password2": new_password,
    })
    assert response.url == reverse("accounts:password-reset-complete")
    return response


def test_password_reset_sends_a_working_link(client):
    user = factories.UserFactory(email="pat@example.org")
    reset_password(client, "pat@example.org", "a-brand-new-password-7")
    assert len(mail.outbox) == 1
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
        login(client, email, "wrong-password")
    assert login(client, "pat@example.org").status_code == 429


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
    assert login(client, "victim@example.org", **address).status_code == 429


def test_behind_a_proxy_the_lockout_uses_the_forwarded_address(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    factories.UserFactory(email="pat@example.org")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "pat@example.org", "wrong",
              HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1", **proxy)
    # Pat, behind the same proxy, is not locked out with the attacker.
    response = login(client, "pat@example.org",
                     HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.1", **proxy)
    assert response.status_code == 302


# --- production must say how many proxies stand in front -------------------------------------

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 30 + "-production-test-key-not-a-secret-1234567890",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
    "REDIS_URL": "redis://redis.example.org:6379/0",
}


def production_check(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print('PROXY_COUNT', settings.PROXY_COUNT)"],
        cwd=ROOT, env={**PRODUCTION, **env}, capture_output=True, text=True, timeout=60,
        check=False,
    )


def test_production_refuses_to_guess_the_number_of_proxies():
    result = production_check()
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_ENV=production needs PROXY_COUNT" in result.stderr


@pytest.mark.parametrize("count", ["0", "1"])
def test_production_takes_any_explicit_number_of_proxies(count):
    result = production_check(PROXY_COUNT=count)
    assert result.returncode == 0, result.stderr
    assert f"PROXY_COUNT {count}" in result.stdout


# --- password-reset requests are limited per address ----------------------------------------


def ask_for_reset(client, email, address):
    return client.post(reverse("accounts:password-reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_limited_per_address(client, settings):
    settings.PASSWORD_RESET_RATE = "5/day"  # a day's window: no edge crossed mid-test
    factories.UserFactory(email="pat@example.org")
    for _ in range(5):
        assert ask_for_reset(client, "pat@example.org", "203.0.113.9").status_code == 302

    response = ask_for_reset(client, "pat@example.org", "203.0.113.9")

    assert response.status_code == 429
    assert "Too many password-reset requests" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 86400
    assert len(mail.outbox) == 5
    # Another address is not held back by this one.
    assert ask_for_reset(client, "pat@example.org", "198.51.100.7").status_code == 302


def test_the_reset_limit_reveals_nothing_about_which_addresses_have_accounts(client, settings):
    settings.PASSWORD_RESET_RATE = "2/day"
    factories.UserFactory(email="pat@example.org")
    known = [ask_for_reset(client, "pat@example.org", "203.0.113.1") for _ in range(3)]
    unknown = [ask_for_reset(client, "nobody@example.org", "203.0.113.2") for _ in range(3)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302, 302, 429]
    assert known[0].url == unknown[0].url
    for response in (known[-1], unknown[-1]):
        assert "Too many password-reset requests" in response.content.decode()
