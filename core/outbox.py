"""Side effects that survive a broker outage: an e-mail (or any job) that a saved row owes.

The pattern every app follows when saving a row means sending something (the enrolment
welcome today; registration confirmations, reminders and report e-mails next):

1. The row says what it owes, with three fields named after the side effect; for
   ``welcome``::

       welcome_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
       welcome_claim = models.UUIDField(null=True, blank=True, editable=False)
       welcome_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

   and the app declares it once: ``WELCOME = Outbox(Enrollment, "welcome")``.
2. The service saves the row and calls ``enqueue_on_commit(task, row.pk)``. The task is sent
   once the transaction commits; when the broker is down that is logged, and the request
   still answers with what it saved (the row is the record of what is owed, not the queue).
3. The task calls ``WELCOME.deliver(pk, send)``: it claims the row, calls ``send(row)`` and
   marks the row sent only if it still holds the claim. A failed send gives the claim back
   and raises, so the task may retry.
4. A Celery beat task calls ``WELCOME.sweep(send)`` every minute (``CELERY_BEAT_SCHEDULE``):
   every row still unsent a grace period after it became due, and not claimed by a live
   holder, is delivered the same way. What the broker lost goes out within a minute or two
   of the scheduler running again, and a worker lost mid-send is covered once its lease runs out.

A claim is a conditional UPDATE (one winner, whatever the concurrency) that holds for a
lease. Lease times are read from the database's clock, so workers on hosts whose clocks
disagree still agree on when a lease ran out. Sending is at least once, never twice while a
claim is held: only a holder that outlived its lease (ten minutes, against an e-mail that
gives up after ``EMAIL_TIMEOUT``) and whose claim was taken over could have sent it too,
and that holder cannot mark it sent.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import models, transaction
from django.db.models.functions import Now
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue ``task`` once the current transaction commits; a broker outage is logged, not
    raised, so the request that saved the row answers as saved. Pair it with an ``Outbox``
    sweep, which sends what the broker never got."""

    def send():
        try:
            task.apply_async(args, kwargs)
        except OperationalError as error:
            logger.warning("Broker unavailable, %s%r not queued (%s); the sweep will send it.",
                           task.name, args, error)

    # robust: any other failure of the callback (an eager task in development) is logged too.
    transaction.on_commit(send, robust=True)


def _ago(delta):
    return models.ExpressionWrapper(Now() - delta, output_field=models.DateTimeField())


@dataclass(frozen=True)
class Outbox:
    """One side effect owed by the rows of ``model``, kept in the ``<name>_claimed_at``,
    ``<name>_claim`` and ``<name>_sent_at`` fields (see the module's docstring)."""

    model: type[models.Model]
    name: str
    # A holder that neither marked nor released its claim (a lost worker) is taken over
    # after this long.
    lease: timedelta = timedelta(minutes=10)
    # How long the sweep leaves a new row to the task queued on commit.
    grace: timedelta = timedelta(minutes=1)
    # The field from which a row is due (the sweep waits ``grace`` after it).
    due_field: str = "created_at"

    def _unsent(self):
        return self.model._default_manager.filter(**{f"{self.name}_sent_at__isnull": True})

    def _free(self):
        claimed_at = f"{self.name}_claimed_at"
        return models.Q(**{f"{claimed_at}__isnull": True}) | models.Q(
            **{f"{claimed_at}__lt": _ago(self.lease)}
        )

    def claim(self, pk):
        """Claim the row's side effect: a token, or None when it was sent or a live claim is
        held by someone else. A claim older than the lease is taken over."""
        token = uuid.uuid4()
        won = (
            self._unsent()
            .filter(self._free(), pk=pk)
            .update(**{f"{self.name}_claimed_at": Now(), f"{self.name}_claim": token})
        )
        return token if won else None

    def mark_sent(self, pk, token):
        """Mark it sent if ``token`` still holds the claim; False when it was taken over."""
        return bool(
            self._unsent()
            .filter(pk=pk, **{f"{self.name}_claim": token})
            .update(**{f"{self.name}_sent_at": Now()})
        )

    def release(self, pk, token):
        """Give back a claim still held by ``token``, so that a retry may take it at once."""
        self._unsent().filter(pk=pk, **{f"{self.name}_claim": token}).update(
            **{f"{self.name}_claimed_at": None, f"{self.name}_claim": None}
        )

    def deliver(self, pk, send, *, release_on_failure=True):
        """Claim, ``send(row)`` and mark sent: True when this call sent it.

        A failed send gives the claim back (unless told not to) and raises.
        """
        token = self.claim(pk)
        if token is None:
            return False
        row = self.model._default_manager.filter(pk=pk).first()
        if row is None:
            return False
        try:
            send(row)
        except Exception:
            if release_on_failure:
                self.release(pk, token)
            raise
        if not self.mark_sent(pk, token):
            logger.warning("The %s of %s %s was sent by a holder whose claim had been taken "
                           "over: it may have gone out twice.", self.name,
                           self.model.__name__, pk)
        return True

    def due(self):
        """Rows owing the side effect for longer than the grace period, free to claim."""
        return self._unsent().filter(self._free(), **{f"{self.due_field}__lt": _ago(self.grace)})

    def sweep(self, send, *, limit=100):
        """Deliver up to ``limit`` due rows, oldest first; the number sent.

        A row whose send fails keeps its claim until the lease runs out, so a failing
        address is tried again every lease rather than on every sweep.
        """
        sent = 0
        for pk in self.due().order_by(self.due_field).values_list("pk", flat=True)[:limit]:
            try:
                sent += self.deliver(pk, send, release_on_failure=False)
            except Exception:
                logger.exception("%s of %s %s failed; tried again after %s.",
                                 self.name, self.model.__name__, pk, self.lease)
        return sent
