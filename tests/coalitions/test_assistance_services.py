"""The technical-assistance log's rules, through its services."""

from datetime import date
from decimal import Decimal

import pytest

from coalitions import services
from coalitions.models import FollowUp, Membership, TechnicalAssistance
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(program):
    coalition = factories.CoalitionFactory(name="Served Coalition")
    factories.EnrollmentFactory(program=program, coalition=coalition)
    return coalition


def _fields(program, staff_user, **overrides):
    fields = {
        "program": program,
        "kind": TechnicalAssistance.Kind.SITE_VISIT,
        "date": date(2026, 2, 10),
        "hours": Decimal("6"),
        "staff_member": staff_user,
        "topics": "public reporting",
        "summary": "Visited the site to plan its first public report.",
    }
    return {**fields, **overrides}


def _follow_up(owner, **overrides):
    return {"description": "Send the draft", "owner": owner, "due_date": date(2026, 3, 1),
            "status": "open", **overrides}


def test_create_logs_the_entry_its_coalitions_and_follow_ups(program, staff_user, served):
    entry = services.assistance_create(
        actor=staff_user, coalitions=[served],
        follow_ups=[_follow_up(staff_user), _follow_up(staff_user, description="Call back")],
        **_fields(program, staff_user),
    )
    assert list(entry.coalitions.all()) == [served]
    assert entry.follow_ups.count() == 2
    assert entry.history.first().history_user == staff_user


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1"), Decimal("24.25")])
def test_hours_of_zero_negative_or_over_24_are_refused(program, staff_user, served, hours):
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served], **_fields(program, staff_user, hours=hours)
        )
    assert "hours" in error.value.message_dict
    assert not TechnicalAssistance.objects.exists()


def test_an_entry_with_no_coalition_is_refused(program, staff_user):
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(actor=staff_user, coalitions=[], **_fields(program, staff_user))
    assert error.value.message_dict["coalitions"] == ["Name at least one coalition served."]


@pytest.mark.parametrize("missing", ["owner", "due_date"])
def test_a_follow_up_without_owner_or_due_date_is_refused_and_nothing_saved(
    program, staff_user, served, missing
):
    follow_up = {**_follow_up(staff_user), missing: None}
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served], follow_ups=[_follow_up(staff_user), follow_up],
            **_fields(program, staff_user),
        )
    assert f"follow_ups-1-{missing}" in error.value.message_dict
    assert not TechnicalAssistance.objects.exists()
    assert not FollowUp.objects.exists()


def test_a_due_date_before_the_program_starts_is_refused(program, staff_user, served):
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served],
            follow_ups=[_follow_up(staff_user, due_date=date(2025, 12, 31))],
            **_fields(program, staff_user),
        )
    assert "before" in error.value.message_dict["follow_ups-0-due_date"][0]


def test_an_owner_from_another_coalition_is_refused(program, staff_user, served):
    outsider = factories.MembershipFactory(role=Membership.Role.LEAD).user
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served], follow_ups=[_follow_up(outsider)],
            **_fields(program, staff_user),
        )
    assert "follow_ups-0-owner" in error.value.message_dict


def test_an_owner_of_a_coalition_served_is_accepted(program, staff_user, served):
    lead = factories.MembershipFactory(coalition=served, role=Membership.Role.LEAD).user
    entry = services.assistance_create(
        actor=staff_user, coalitions=[served], follow_ups=[_follow_up(lead)],
        **_fields(program, staff_user),
    )
    assert entry.follow_ups.get().owner == lead


def test_a_date_outside_the_program_is_refused(program, staff_user, served):
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served],
            **_fields(program, staff_user, date=date(2025, 6, 1)),
        )
    assert "date" in error.value.message_dict


def test_a_network_only_for_a_peer_assist_session(program, staff_user, served):
    network = factories.LearningNetworkFactory(program=program)
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served], **_fields(program, staff_user, network=network)
        )
    assert "network" in error.value.message_dict
    entry = services.assistance_create(
        actor=staff_user, coalitions=[served],
        **_fields(program, staff_user, network=network, kind="peer_assist"),
    )
    assert entry.network == network


def test_a_staff_member_who_is_not_staff_is_refused(program, staff_user, served, lead_user):
    with pytest.raises(services.RegistryError) as error:
        services.assistance_create(
            actor=staff_user, coalitions=[served], **_fields(program, staff_user,
                                                               staff_member=lead_user)
        )
    assert "staff_member" in error.value.message_dict


def test_an_update_that_changes_nothing_writes_nothing(program, staff_user, served):
    entry = services.assistance_create(
        actor=staff_user, coalitions=[served], follow_ups=[_follow_up(staff_user)],
        **_fields(program, staff_user),
    )
    follow_up = entry.follow_ups.get()
    before = (entry.history.count(), follow_up.history.count(), entry.updated_at)
    services.assistance_update(
        entry=entry, actor=staff_user, coalitions=[served],
        follow_ups=[{**_follow_up(staff_user), "id": follow_up.pk, "closed_on": None}],
        **_fields(program, staff_user),
    )
    entry.refresh_from_db()
    assert (entry.history.count(), follow_up.history.count(), entry.updated_at) == before


def test_closing_a_follow_up_records_the_day(program, staff_user, served):
    entry = services.assistance_create(
        actor=staff_user, coalitions=[served], follow_ups=[_follow_up(staff_user)],
        **_fields(program, staff_user),
    )
    follow_up = entry.follow_ups.get()
    services.assistance_update(
        entry=entry, actor=staff_user,
        follow_ups=[{**_follow_up(staff_user), "id": follow_up.pk, "status": "done",
                     "closed_on": date(2026, 2, 20)}],
    )
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.closed_on) == ("done", date(2026, 2, 20))
    services.follow_up_close(follow_up=follow_up, status="open", actor=staff_user)
    follow_up.refresh_from_db()
    assert follow_up.closed_on is None


def test_an_update_with_a_bad_follow_up_changes_nothing(program, staff_user, served):
    entry = services.assistance_create(
        actor=staff_user, coalitions=[served], **_fields(program, staff_user),
    )
    with pytest.raises(services.RegistryError):
        services.assistance_update(
            entry=entry, actor=staff_user, coalitions=[served], hours=Decimal("3"),
            follow_ups=[_follow_up(None)],
        )
    entry.refresh_from_db()
    assert entry.hours == Decimal("6")
    assert not entry.follow_ups.exists()


# --- learning networks ----------------------------------------------------------------------


def test_a_network_takes_enrolled_coalitions_once_and_keeps_who_left(program, staff_user, served):
    network = services.network_create(
        actor=staff_user, program=program, name="Public reporting", topic="Reports",
        facilitator=staff_user,
    )
    membership = services.network_member_add(
        network=network, coalition=served, joined_on=date(2026, 2, 1), actor=staff_user
    )
    with pytest.raises(services.RegistryError) as error:
        services.network_member_add(
            network=network, coalition=served, joined_on=date(2026, 2, 2), actor=staff_user
        )
    assert "already a member" in error.value.message_dict["coalition"][0]
    with pytest.raises(services.RegistryError):
        services.network_member_leave(
            membership=membership, left_on=date(2026, 1, 15), actor=staff_user
        )
    services.network_member_leave(membership=membership, left_on=date(2026, 5, 1),
                                  actor=staff_user)
    again = services.network_member_add(
        network=network, coalition=served, joined_on=date(2026, 6, 1), actor=staff_user
    )
    assert network.memberships.count() == 2 and again.is_current


def test_a_network_refuses_a_coalition_not_in_its_program(program, staff_user):
    network = factories.LearningNetworkFactory(program=program)
    stranger = factories.CoalitionFactory()
    with pytest.raises(services.RegistryError) as error:
        services.network_member_add(
            network=network, coalition=stranger, joined_on=date(2026, 2, 1), actor=staff_user
        )
    assert "not enrolled" in error.value.message_dict["coalition"][0]


def test_a_network_facilitator_must_be_staff(program, staff_user, lead_user):
    with pytest.raises(services.RegistryError) as error:
        services.network_create(
            actor=staff_user, program=program, name="X", topic="Y", facilitator=lead_user
        )
    assert "facilitator" in error.value.message_dict


def test_a_network_name_is_once_per_program(program, staff_user):
    factories.LearningNetworkFactory(program=program, name="Measure alignment")
    with pytest.raises(services.RegistryError) as error:
        services.network_create(
            actor=staff_user, program=program, name="measure alignment", topic="Y",
            facilitator=staff_user,
        )
    assert "name" in error.value.message_dict or "__all__" in error.value.message_dict
