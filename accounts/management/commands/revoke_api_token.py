from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken


class Command(BaseCommand):
    help = "Revoke REST API tokens: one by its prefix (as the admin lists it), or a user's all."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("prefix", nargs="?", help="The token's first characters.")
        target.add_argument("--user", metavar="EMAIL", help="Revoke every token of this user.")

    def handle(self, *args, prefix, user, **options):
        tokens = ApiToken.objects.active().select_related("user")
        if user:
            tokens = list(tokens.filter(user__email__iexact=user))
            if not tokens:
                raise CommandError(f"{user} has no active token.")
        else:
            tokens = list(tokens.filter(prefix=prefix))
            if not tokens:
                raise CommandError(f"No active token starts with {prefix}.")
            if len(tokens) > 1:
                owners = ", ".join(token.user.email for token in tokens)
                raise CommandError(
                    f"{len(tokens)} active tokens start with {prefix} ({owners}); "
                    "revoke them in the admin, or with --user."
                )
        for token in tokens:
            token.revoke(by=None, because=ApiToken.Revocation.ADMIN)
            self.stdout.write(f"Revoked {token}.")
