"""A model form validates the model unless a service will: then the service does, once."""

import pytest

from coalitions.forms import ContactForm
from coalitions.models import Contact
from measures.forms import IncentiveProgramForm
from measures.models import IncentiveProgram
from tests import factories

pytestmark = pytest.mark.django_db

ACTIVE_WITHOUT_LAUNCH = {"name": "Hospital quality bonus", "kind": "p4p", "status": "active"}


def test_a_model_form_used_on_its_own_gets_the_models_clean_error_beside_the_field(coalition):
    form = IncentiveProgramForm(ACTIVE_WITHOUT_LAUNCH,
                                instance=IncentiveProgram(coalition=coalition))

    assert not form.is_valid()
    assert form.errors["launch_date"] == ["An active program needs its launch date."]


def test_a_model_form_used_on_its_own_refuses_a_duplicate_the_model_refuses(coalition):
    factories.ContactFactory(coalition=coalition, email="ana@example.org")
    data = {"name": "Ana", "email": "ANA@example.org", "title": "", "role": "primary"}

    form = ContactForm(data, instance=Contact(coalition=coalition))

    assert not form.is_valid()
    assert "already has a contact with that e-mail" in form.errors["email"][0]


def test_a_form_feeding_a_service_checks_shape_only_and_leaves_its_instance_alone(coalition):
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P")

    form = IncentiveProgramForm(ACTIVE_WITHOUT_LAUNCH, instance=program, for_service=True)

    assert form.is_valid(), "the service checks the model, and answers beside the field"
    assert (program.name, program.status) == ("P4P", "planned")
