"""Rules that must hold however a row goes: through a service, the admin or a cascade."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.models import ApiToken
from accounts.services import api_tokens_revoke_for_user

from .models import Membership


@receiver(post_delete, sender=Membership, dispatch_uid="coalitions.membership_ended")
def membership_ended_receiver(sender, instance, **kwargs):
    """A user whose last coalition membership ended loses their API tokens: a token acts
    through its user's membership, and must not wake up with a membership given later."""
    if not Membership.objects.filter(user_id=instance.user_id).exists():
        api_tokens_revoke_for_user(
            user_id=instance.user_id, because=ApiToken.Revocation.MEMBERSHIP
        )
