"""Events and registrations show in the admin and change only through their pages: a seat
taken in the admin would pass the event's lock and its rules."""

import pytest
from django.urls import reverse

from tests import factories
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_an_event_and_its_registrations_show_in_the_admin_and_change_nowhere(
    client, event, enrolled, register
):
    registration = register(event, "ana@example.org", name="Ana Lopez")
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:workshops_registration_changelist"))
    assert "Ana Lopez" in listing.content.decode()
    change = reverse("admin:workshops_event_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert event.title in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # shown, not editable

    client.post(change, {"title": "Renamed in the admin", "capacity": 1000})
    client.post(reverse("admin:workshops_registration_delete", args=[registration.pk]),
                {"post": "yes"})
    assert client.get(reverse("admin:workshops_event_add")).status_code == 403
    event.refresh_from_db()
    assert (event.title, event.capacity) != ("Renamed in the admin", 1000)
    assert Registration.objects.filter(pk=registration.pk, status="confirmed").exists()
    assert Event.objects.count() == 1
