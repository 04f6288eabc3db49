"""Every list page answers in the same number of queries at 5 rows and at 50."""

import pytest
from django.urls import reverse

from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db




def test_coalition_list_is_constant(staff_client, program):
    def grow(n):
        for coalition in factories.CoalitionFactory.create_batch(n):
            factories.EnrollmentFactory(program=program, coalition=coalition)

    assert_constant(staff_client, reverse("coalitions:coalition-list") + "?page=1", grow)


def test_coalition_list_with_filters_is_constant(staff_client, program):
    def grow(n):
        for coalition in factories.CoalitionFactory.create_batch(n, states="MD, VA"):
            factories.EnrollmentFactory(program=program, coalition=coalition)

    url = reverse("coalitions:coalition-list") + f"?state=VA&program={program.code}&q=Coal"
    assert_constant(staff_client, url, grow)


def test_program_list_is_constant(staff_client):
    def grow(n):
        for program in factories.ProgramFactory.create_batch(n):
            factories.EnrollmentFactory(program=program)

    assert_constant(staff_client, reverse("coalitions:program-list"), grow)


def test_program_overview_is_constant(staff_client):
    program = factories.ProgramFactory(support_capacity=100, intensive_capacity=100)

    def grow(n):
        for _ in range(n):
            factories.EnrollmentFactory(program=program)
            factories.ProgramPartnerFactory(program=program)

    assert_constant(staff_client, program.get_absolute_url(), grow)


def test_coalition_detail_is_constant(staff_client, coalition):
    def grow(n):
        factories.ContactFactory.create_batch(n, coalition=coalition)
        for program in factories.ProgramFactory.create_batch(n):
            factories.EnrollmentFactory(program=program, coalition=coalition)

    assert_constant(staff_client, coalition.get_absolute_url(), grow)


def test_my_coalition_is_constant(lead_client, coalition):
    def grow(n):
        factories.ContactFactory.create_batch(n, coalition=coalition)
        for program in factories.ProgramFactory.create_batch(n):
            factories.EnrollmentFactory(program=program, coalition=coalition)

    assert_constant(lead_client, reverse("coalitions:my-coalition"), grow)
