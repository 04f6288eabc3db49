"""Exact versions of cached data: ``version_bump(name)`` in the transaction of every change,
``version_read(name)`` before answering from a cache keyed by it.

A counter, not a hash of timestamps: a change committed out of order, by a host with
another clock, or by a bulk ``update()`` moves it all the same, and a rolled-back change
does not. The UPDATE holds the counter's row lock until the transaction ends, so writers of
one body of data take turns.
"""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import DataVersion


def version_bump(name):
    """Move the version ``name``, in the caller's transaction."""
    stamp = secrets.token_hex(8)
    if DataVersion.objects.filter(name=name).update(value=F("value") + 1, stamp=stamp):
        return
    try:  # the first change ever
        with transaction.atomic():
            DataVersion.objects.create(name=name, value=1, stamp=stamp)
    except IntegrityError:  # another transaction made it first
        DataVersion.objects.filter(name=name).update(value=F("value") + 1, stamp=stamp)


def version_read(name):
    """The version ``name`` as a short string (one query); "0" before any change."""
    row = DataVersion.objects.filter(name=name).values_list("value", "stamp")[:1]
    for value, stamp in row:
        return f"{value}.{stamp}"
    return "0"
