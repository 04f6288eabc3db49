"""Sign-in lockout (django-axes): how it names the account, and when it locks.

An account is locked for one client address after ``AXES_FAILURE_LIMIT`` failures from that
address (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``), so nobody can lock
another person out from somewhere else; an address alone is locked after the higher
``AXES_ADDRESS_FAILURE_LIMIT`` failures against any accounts, which stops one client from
trying a few passwords on every account. Both forget failures after ``AXES_COOLOFF_TIME``.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def lockout_username(request, credentials=None):
    """The e-mail address as the login matches it: trimmed and in lower case, so that
    ``PAT@example.org`` counts against the same account as ``pat@example.org``."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower() or None


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, higher limit per address alone (axes has
    one limit for every parameter; its maintainers suggest a handler for two)."""

    def get_failures(self, request, credentials=None):
        """The failures that count against this sign-in: the account's from this address,
        or the whole limit once the address alone has reached its own."""
        failures = super().get_failures(request, credentials)
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        from_address = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if from_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
