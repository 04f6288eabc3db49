"""The log, its follow-ups, the dashboard, timelines and networks answer in the same number of
queries at 5 rows and at 50."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_program():
    today = timezone.localdate()
    return factories.ProgramFactory(
        start_date=today - timedelta(days=200), end_date=today + timedelta(days=500),
        support_capacity=500, intensive_capacity=500,
    )


def _grow_entries(program, staff_user, coalition=None):
    def grow(n):
        for index in range(n):
            served = [coalition or factories.CoalitionFactory(), factories.CoalitionFactory()]
            for each in served:
                if not each.enrollments.filter(program=program).exists():
                    factories.EnrollmentFactory(
                        program=program, coalition=each, enrolled_on=program.start_date,
                        tier="intensive" if index % 2 else "support",
                    )
            entry = factories.TechnicalAssistanceFactory(
                program=program, staff_member=staff_user, coalitions=served,
                date=timezone.localdate() - timedelta(days=index % 30),
                summary=f"Public reporting call {index}",
            )
            factories.FollowUpFactory(entry=entry, owner=staff_user,
                                      due_date=entry.date + timedelta(days=10))
    return grow


def test_the_log_is_constant(staff_client, running_program, staff_user):
    assert_constant(staff_client, reverse("coalitions:assistance-list"),
                    _grow_entries(running_program, staff_user))


def test_the_filtered_log_is_constant(staff_client, running_program, staff_user):
    url = reverse("coalitions:assistance-list") + (
        f"?q=reporting&tier=support&program={running_program.code}&kind=consultation"
    )
    assert_constant(staff_client, url, _grow_entries(running_program, staff_user))


def test_the_log_as_a_coalition_sees_it_is_constant(lead_client, coalition, running_program,
                                                   staff_user):
    assert_constant(lead_client, reverse("coalitions:assistance-list"),
                    _grow_entries(running_program, staff_user, coalition))


def test_the_follow_up_list_is_constant(staff_client, running_program, staff_user):
    url = reverse("coalitions:follow-up-list") + "?status=open&owner=me"
    assert_constant(staff_client, url, _grow_entries(running_program, staff_user))


def test_the_dashboard_is_constant(staff_client, running_program, staff_user):
    assert_constant(staff_client, reverse("coalitions:dashboard"),
                    _grow_entries(running_program, staff_user))


def test_the_no_contact_list_is_constant(staff_client, running_program):
    def grow(n):
        for coalition in factories.CoalitionFactory.create_batch(n):
            factories.EnrollmentFactory(program=running_program, coalition=coalition,
                                        enrolled_on=running_program.start_date)

    assert_constant(staff_client, reverse("coalitions:no-contact-list"), grow)


def test_the_timeline_is_constant(staff_client, coalition, running_program, staff_user):
    url = reverse("coalitions:coalition-timeline", args=[coalition.pk])
    assert_constant(staff_client, url, _grow_entries(running_program, staff_user, coalition))


def test_the_coalition_page_with_its_engagement_is_constant(staff_client, coalition,
                                                            running_program, staff_user):
    assert_constant(staff_client, coalition.get_absolute_url(),
                    _grow_entries(running_program, staff_user, coalition))


def test_the_lead_home_is_constant(lead_client, coalition, running_program, staff_user):
    assert_constant(lead_client, reverse("coalitions:my-coalition"),
                    _grow_entries(running_program, staff_user, coalition))


def test_the_network_list_is_constant(staff_client, running_program):
    def grow(n):
        for network in factories.LearningNetworkFactory.create_batch(n, program=running_program):
            factories.NetworkMembershipFactory(network=network)

    assert_constant(staff_client, reverse("coalitions:network-list"), grow)


def test_a_network_page_is_constant(lead_client, coalition, running_program, staff_user):
    network = factories.LearningNetworkFactory(program=running_program)
    factories.NetworkMembershipFactory(network=network, coalition=coalition)

    def grow(n):
        for member in factories.CoalitionFactory.create_batch(n):
            factories.NetworkMembershipFactory(network=network, coalition=member)
            factories.MembershipFactory(coalition=member)
            entry = factories.TechnicalAssistanceFactory(
                program=running_program, staff_member=staff_user, kind="peer_assist",
                network=network, coalitions=[coalition, member],
            )
            factories.FollowUpFactory(entry=entry)

    assert_constant(lead_client, network.get_absolute_url(), grow)
