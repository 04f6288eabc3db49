"""The baseline's one table (``python -m bench registrations``): a row per request, nothing
else. Created by ``migrate --run-syncdb`` in the benchmark's database only (``bench`` is an
installed app in ``bench.settings`` alone)."""

from django.db import models


class BareSignup(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.email
