"""The personal link in a registrant's e-mails: it opens their registration without a login
(accept an offer, leave the waiting list, cancel, give feedback, fetch a certificate).

The link carries the registration's id signed with the site's secret key, so it cannot be
guessed or altered, and nothing secret is stored.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "workshops.registration-link"


def registration_token(registration):
    return signing.dumps(registration.pk, salt=SALT)


def registration_from_token(token):
    """The registration id a token stands for, or None when it was altered."""
    try:
        return int(signing.loads(token, salt=SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def registration_url(registration, *, absolute=True):
    path = reverse("workshops:registration-manage", args=[registration_token(registration)])
    return settings.PORTAL_URL.rstrip("/") + path if absolute else path


def absolute(path):
    return settings.PORTAL_URL.rstrip("/") + path
