from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import services
from accounts.models import API_TOKEN_LIFETIME, User


class Command(BaseCommand):
    help = (
        "Create a REST API token for a user and print it once; the client sends it as "
        "'Authorization: Bearer <token>' and acts with that user's permissions."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The user's e-mail address.")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=API_TOKEN_LIFETIME.days,
            help=f"How many days the token works (1 to {API_TOKEN_LIFETIME.days}; "
            f"default {API_TOKEN_LIFETIME.days}).",
        )

    def handle(self, *args, email, name, days, **options):
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist as error:
            raise CommandError(f"No user with the e-mail address {email}.") from error
        try:
            token, raw = services.api_token_create(
                user=user, actor=None, name=name, lifetime=timedelta(days=days)
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stderr.write(
            f"Token {token.prefix}… for {user.email}, working until {expires}. Keep it "
            "secret: it is shown only this once. Revoke it with: manage.py revoke_api_token "
            + token.prefix
        )
        self.stdout.write(raw)
