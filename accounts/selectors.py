"""Reads about accounts, scoped to the person asking."""

from django.shortcuts import get_object_or_404

from .models import ApiToken


def api_token_list_for(user):
    """The user's own API tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for(user, pk):
    """One of the user's own tokens; anyone else's, like a missing one, is 404."""
    return get_object_or_404(ApiToken, pk=pk, user=user)
