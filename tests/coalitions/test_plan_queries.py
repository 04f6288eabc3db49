"""Action-plan and invitation pages answer in the same number of queries at 5 rows and at 50."""

import itertools
from datetime import date

import pytest
from django.urls import reverse

from coalitions import services
from coalitions.models import ActionPlanItem, Membership
from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db

_numbers = itertools.count()


def _items(plan, n, **extra):
    for index in range(n):
        owner = (
            {"owner_user": factories.MembershipFactory(
                coalition=plan.coalition, user__password="!"
            ).user,
             "owner_contact": None}
            if index % 2 else {}
        )
        factories.ActionPlanItemFactory(plan=plan, **owner, **extra)


def test_plan_page_is_constant(lead_client, coalition, program):
    plan = factories.ActionPlanFactory(coalition=coalition, program=program)
    url = reverse("coalitions:action-plan", args=[coalition.pk, program.code])
    assert_constant(lead_client, url, lambda n: _items(plan, n, due_date=date(2026, 2, 1)))


def test_cross_plan_list_is_constant(staff_client):
    program = factories.ProgramFactory(code="vbp")

    def grow(n):
        for _ in range(n):
            plan = factories.ActionPlanFactory(program=program)
            _items(plan, 1, due_date=date(2026, 2, 1))

    assert_constant(staff_client, reverse("coalitions:action-item-list") + "?page=1", grow)
    assert_constant(
        staff_client,
        reverse("coalitions:action-item-list") + "?program=vbp&category=legislator_outreach"
        "&status=not_started&overdue=on",
        grow,
    )


def test_item_history_is_constant(member_client, coalition, program, lead_user):
    plan = factories.ActionPlanFactory(coalition=coalition, program=program)
    item = factories.ActionPlanItemFactory(plan=plan)
    statuses = [ActionPlanItem.Status.IN_PROGRESS, ActionPlanItem.Status.NOT_STARTED]

    def grow(n):
        for index in range(n):
            owner = factories.ContactFactory(coalition=coalition)
            services.action_item_update(
                item=item, actor=lead_user, status=statuses[index % 2], owner_contact=owner
            )

    assert_constant(member_client, item.get_absolute_url(), grow)


def test_coalition_page_with_people_invitations_and_plans_is_constant(
    staff_client, staff_user, coalition
):
    def grow(n):
        for _ in range(n):
            factories.ActionPlanFactory(coalition=coalition)
            factories.MembershipFactory(
                coalition=coalition, role=Membership.Role.MEMBER, user__password="!"
            )
            services.invitation_create(
                coalition=coalition, email=f"invitee{next(_numbers)}@example.org",
                role=Membership.Role.MEMBER, actor=staff_user,
            )

    assert_constant(staff_client, coalition.get_absolute_url(), grow)


def test_lead_home_with_people_and_plans_is_constant(lead_client, lead_user, coalition):
    def grow(n):
        for _ in range(n):
            factories.ActionPlanFactory(coalition=coalition)
            factories.MembershipFactory(
                coalition=coalition, role=Membership.Role.MEMBER, user__password="!"
            )
            services.invitation_create(
                coalition=coalition, email=f"invitee{next(_numbers)}@example.org",
                role=Membership.Role.MEMBER, actor=lead_user,
            )

    assert_constant(lead_client, reverse("coalitions:my-coalition"), grow)
