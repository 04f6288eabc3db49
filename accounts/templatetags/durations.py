from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def duration(value):
    """A length of time in words: ``timedelta(minutes=15)`` -> "15 minutes",
    ``timedelta(minutes=90)`` -> "1 hour, 30 minutes"."""
    if not isinstance(value, timedelta):
        return ""
    start = timezone.now()
    return timesince(start, start + value)
