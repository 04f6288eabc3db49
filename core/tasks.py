from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired_task():
    """Housekeeping run by the scheduler: drop expired login sessions."""
    call_command("clearsessions")
