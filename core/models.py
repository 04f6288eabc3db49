from django.db import models


class TimeStampedModel(models.Model):
    """Base for the project's models: when a row was made and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class DataVersion(models.Model):
    """The version of a body of data that clients cache (the measure catalog...): a number
    that every committed change moves, in the same transaction as the change, with a random
    stamp so that a number given back by a rollback is never mistaken for one already seen.

    ``core.versions`` reads and bumps it; an app names its own (``measures.catalog``).
    """

    name = models.CharField(max_length=60, unique=True)
    value = models.PositiveBigIntegerField(default=0)
    stamp = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} v{self.value}"
