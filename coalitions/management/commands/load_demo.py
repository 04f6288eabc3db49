from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coalitions.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo program, coalitions and users (idempotent; refused in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded with DJANGO_ENV=production.")
        logins = demo_load()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  program staff  {logins['staff']}")
        self.stdout.write(f"  evaluator      {logins['evaluator']}")
        for email, coalition in logins["leads"]:
            self.stdout.write(f"  coalition lead {email:<40} {coalition}")
