"""REST API authentication by bearer token: ``Authorization: Bearer <token>``.

Tokens are made on the API tokens page or with ``manage.py create_api_token`` and stored
hashed (``ApiToken``); a revoked or expired token, or one whose user is deactivated, is
refused with 401.
"""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, api_token_hash

KEYWORD = "Bearer"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # no token: anonymous, or another scheme (the session) decides
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>', with nothing else."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("That token is not valid.") from error
        try:
            token = (
                ApiToken.objects.select_related("user")
                .get(key_hash=api_token_hash(raw), user__is_active=True)
            )
        except ApiToken.DoesNotExist as error:
            raise exceptions.AuthenticationFailed("That token is not valid.") from error
        # Only the token's holder gets this far, so saying why it stopped working is safe.
        if token.revoked_at is not None:
            because = token.get_revoked_because_display()
            raise exceptions.AuthenticationFailed(
                f"That token was revoked{f' {because}' if because else ''}."
            )
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"That token expired on {token.expires_at:%Y-%m-%d}; make a new one."
            )
        token.touch(now)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 with a challenge, not 403, when a token is missing.
        return f'{KEYWORD} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token made on the portal's API tokens page (or with "
            "`manage.py create_api_token EMAIL`), sent as `Authorization: Bearer <token>`. "
            "It works for a year unless made shorter.",
        }
