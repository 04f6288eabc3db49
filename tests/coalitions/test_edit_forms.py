"""Every edit form of the registry opens with the record's values, and saving it untouched
changes nothing: no field, no ``updated_at``, no history row."""

from datetime import date

import pytest
from django.urls import reverse

from coalitions.models import Coalition, Contact, Enrollment, Program
from tests import factories
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def _program():
    return factories.ProgramFactory(
        name="Purchaser-Provider Synergies", code="pps",
        description="Two years of technical assistance.\nFifteen coalitions, three sites.",
        support_capacity=15, intensive_capacity=3,
    )


def _coalition():
    return factories.CoalitionFactory(
        name="Chesapeake Purchasers", kind="community", states="VA, MD, DC",
        market="Baltimore–Washington", website="https://www.example.org/",
    )


def _enrollment():
    return factories.EnrollmentFactory(
        program=_program(), tier="intensive", status="withdrawn",
        enrolled_on=date(2026, 1, 1), ended_on=date(2026, 6, 30),
    )


def _contact(coalition):
    return factories.ContactFactory(
        coalition=coalition, name="Ana Ruiz", email="ana.ruiz@example.org",
        title="Executive director", role="executive",
    )


CASES = {
    "program": (_program, lambda p: reverse("coalitions:program-update", args=[p.code]),
                "name", ["name", "code", "description", "start_date", "end_date",
                         "support_capacity", "intensive_capacity"]),
    "coalition": (_coalition,
                  lambda c: reverse("coalitions:coalition-update", args=[c.pk]),
                  "name", ["name", "kind", "states", "market", "website", "status"]),
    "enrolment": (_enrollment,
                  lambda e: reverse("coalitions:enrollment-update", args=[e.pk]),
                  "tier", ["tier", "status", "ended_on"]),
}
MODELS = {"program": Program, "coalition": Coalition, "enrolment": Enrollment}


@pytest.mark.parametrize("form", CASES)
def test_saving_a_staff_edit_form_untouched_changes_nothing(staff_client, form):
    make, url_of, a_field, fields = CASES[form]
    record = make()
    before = MODELS[form].objects.get(pk=record.pk)
    versions = before.history.count()
    url = url_of(record)
    data = form_data(staff_client.get(url), having=a_field)

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    after = MODELS[form].objects.get(pk=record.pk)
    assert {name: getattr(after, name) for name in fields} == {
        name: getattr(before, name) for name in fields
    }
    assert after.updated_at == before.updated_at
    assert after.history.count() == versions


def test_saving_the_contact_form_untouched_changes_nothing(lead_client, coalition):
    contact = _contact(coalition)
    versions = contact.history.count()
    url = reverse("coalitions:contact-update", args=[contact.pk])
    data = form_data(lead_client.get(url), having="email")
    assert (data["name"], data["email"], data["role"]) == (
        "Ana Ruiz", "ana.ruiz@example.org", "executive"
    )

    assert lead_client.post(url, data).status_code == 302

    after = Contact.objects.get(pk=contact.pk)
    assert (after.name, after.email, after.title, after.role, after.updated_at) == (
        contact.name, contact.email, contact.title, contact.role, contact.updated_at
    )
    assert after.history.count() == versions
