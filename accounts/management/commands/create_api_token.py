from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "Create a REST API token for a user and print it once; the client sends it as "
        "'Authorization: Bearer <token>' and acts with that user's permissions."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The user's e-mail address.")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, email, name, **options):
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist as error:
            raise CommandError(f"No user with the e-mail address {email}.") from error
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated; a token would be refused.")
        token, raw = ApiToken.objects.issue(user=user, name=name)
        self.stderr.write(
            f"Token {token.prefix}… for {user.email}. Keep it secret: it is shown only "
            "this once. Revoke it with: manage.py revoke_api_token " + token.prefix
        )
        self.stdout.write(raw)
