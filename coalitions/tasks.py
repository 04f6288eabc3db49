import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .services import ENROLLMENT_WELCOME, INVITATION_EMAIL, invitation_issue_token

logger = logging.getLogger(__name__)


def _send_welcome(enrollment):
    """E-mail a coalition's contacts and leads that it is enrolled (nobody to tell: done)."""
    coalition = enrollment.coalition
    recipients = sorted(
        {c.email for c in coalition.contacts.all()}
        | {m.user.email for m in coalition.memberships.select_related("user")}
    )
    if not recipients:
        return
    context = {"enrollment": enrollment, "program": enrollment.program, "coalition": coalition}
    send_mail(
        subject=f"{coalition.name} is enrolled in {enrollment.program.name}",
        message=render_to_string("coalitions/email/enrollment_welcome.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def enrollment_welcome_task(self, enrollment_id):
    """Send an enrolment's welcome e-mail, once however often the task is delivered.

    Queued when the enrolment commits; a failed send gives its claim back and is retried
    here, and whatever this task never ran for is sent by the sweep below (core.outbox).
    """
    try:
        ENROLLMENT_WELCOME.deliver(enrollment_id, _send_welcome)
    except Exception as error:
        logger.warning("Welcome e-mail for enrolment %s failed: %s", enrollment_id, error)
        raise self.retry(exc=error) from error


@shared_task
def enrollment_welcome_sweep_task():
    """Run by the scheduler every minute: send the welcome e-mails still owed (the broker
    was down when the enrolment was saved, or a worker was lost while sending)."""
    return ENROLLMENT_WELCOME.sweep(_send_welcome)


def _send_invitation(invitation):
    """E-mail the invitation with a new single-use link (a closed invitation: nothing)."""
    token = invitation_issue_token(invitation)
    if token is None:
        return
    invitation.refresh_from_db(fields=["expires_at"])
    link = settings.PORTAL_URL.rstrip("/") + reverse("coalitions:invitation-accept", args=[token])
    context = {"invitation": invitation, "coalition": invitation.coalition, "link": link,
               "invited_by": invitation.invited_by}
    send_mail(
        subject=f"You are invited to sign in for {invitation.coalition.name}",
        message=render_to_string("coalitions/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def invitation_send_task(self, invitation_id):
    """Send an invitation's e-mail once, however often the task is delivered (core.outbox)."""
    try:
        INVITATION_EMAIL.deliver(invitation_id, _send_invitation)
    except Exception as error:
        logger.warning("Invitation e-mail %s failed: %s", invitation_id, error)
        raise self.retry(exc=error) from error


@shared_task
def invitation_sweep_task():
    """Run by the scheduler every minute: send the invitation e-mails still owed."""
    return INVITATION_EMAIL.sweep(_send_invitation)
