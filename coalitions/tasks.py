import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from . import services
from .models import Enrollment

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def enrollment_welcome_task(self, enrollment_id):
    """E-mail a coalition's contacts and leads that it is enrolled.

    Sent once however often the task is delivered: a claim keeps two workers from sending
    together, and the e-mail is marked sent only after it went out, so a worker lost in
    between leaves it for the next delivery once the claim's lease runs out.
    """
    enrollment = (
        Enrollment.objects.select_related("program", "coalition")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None or not services.enrollment_claim_welcome(enrollment_id):
        return
    coalition = enrollment.coalition
    recipients = sorted(
        {c.email for c in coalition.contacts.all()}
        | {m.user.email for m in coalition.memberships.select_related("user")}
    )
    if not recipients:
        services.enrollment_welcome_sent(enrollment_id)  # nobody to tell; nothing to retry
        return
    context = {"enrollment": enrollment, "program": enrollment.program, "coalition": coalition}
    try:
        send_mail(
            subject=f"{coalition.name} is enrolled in {enrollment.program.name}",
            message=render_to_string("coalitions/email/enrollment_welcome.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    except Exception as error:
        services.enrollment_release_welcome(enrollment_id)
        logger.warning("Welcome e-mail for enrolment %s failed: %s", enrollment_id, error)
        raise self.retry(exc=error) from error
    services.enrollment_welcome_sent(enrollment_id)
