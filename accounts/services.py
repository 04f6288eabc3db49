"""Writes with a rule about accounts: API tokens, and what a new password ends."""

from datetime import timedelta

from axes.utils import reset as axes_reset
from django.utils import timezone

from core.errors import DomainError

from .lockout import lockout_username
from .models import API_TOKEN_LIFETIME, ApiToken

Revocation = ApiToken.Revocation


class AccountError(DomainError):
    pass


def api_token_create(*, user, actor, name="", lifetime=API_TOKEN_LIFETIME):
    """Make an API token that acts as ``user`` for ``lifetime`` (a year unless chosen, at
    most a year); returns ``(token, raw)``: the raw token, to be shown this once.

    A person makes tokens for themself; ``actor`` is None only for the operator's command.
    """
    if actor is not None and actor.pk != user.pk:
        raise AccountError("A token can be made only by the person it acts for.")
    if not user.is_active:
        raise AccountError(f"{user.email} is deactivated; a token would be refused.")
    if lifetime < timedelta(days=1):
        raise AccountError({"lifetime": "A token must work for at least a day."})
    if lifetime > API_TOKEN_LIFETIME:
        raise AccountError({"lifetime": "A token may work for a year at most."})
    return ApiToken.objects.issue(user=user, name=name, expires_at=timezone.now() + lifetime)


def api_token_revoke(*, token, actor):
    """Revoke one token: it is refused from now on. Revoking a revoked token changes
    nothing. The caller found ``token`` among those ``actor`` may revoke (their own, or any
    in the admin)."""
    because = Revocation.OWNER if actor.pk == token.user_id else Revocation.ADMIN
    token.revoke(by=actor, because=because)


def api_tokens_revoke(*, tokens, actor, because):
    """Revoke those of ``tokens`` (a queryset) not revoked yet; returns how many.

    ``actor`` is the person revoking, or None when a rule of the portal does it.
    """
    return tokens.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor, revoked_because=because
    )


def api_tokens_revoke_for_user(*, user_id, because):
    """Revoke every token of a user because what they were made under has ended: the
    password that made them changed, or the user's last coalition membership ended (the
    coalitions app calls this). Returns how many."""
    tokens = ApiToken.objects.filter(user_id=user_id)
    return api_tokens_revoke(tokens=tokens, actor=None, because=because)


def user_password_changed(*, user):
    """A new password ends what the old one allowed: the user's API tokens are revoked, and
    the sign-in lock on their account (from any address) is lifted, as the lockout page
    promises to whoever resets their password.

    Called by ``User.save`` after every real password change (pages, reset, admin, shell).
    """
    api_tokens_revoke_for_user(user_id=user.pk, because=Revocation.PASSWORD)
    # The lock's records live in the same database: lifted in the same transaction.
    axes_reset(username=lockout_username(None, {"username": user.email}))
