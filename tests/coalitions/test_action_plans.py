"""Action plans: a coalition's leads work their plan, members read it, staff and evaluators
see every plan; every change to an item is kept and shown as its history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coalitions import selectors, services, timeline
from coalitions.models import ActionPlan, ActionPlanItem, Membership
from tests import factories

pytestmark = pytest.mark.django_db

Status = ActionPlanItem.Status
Category = ActionPlanItem.Category


@pytest.fixture
def plan(coalition, program):
    return factories.ActionPlanFactory(coalition=coalition, program=program)


@pytest.fixture
def owner(coalition):
    return factories.ContactFactory(coalition=coalition, name="Dana Owner")


@pytest.fixture
def item(plan, owner, lead_user):
    return services.action_item_create(
        plan=plan, actor=lead_user, category=Category.HEALTH_SUMMIT,
        description="Hold a State health summit with key players", owner_contact=owner,
        due_date=date(2026, 9, 30),
    )


def plan_url(plan):
    return reverse("coalitions:action-plan", args=[plan.coalition_id, plan.program.code])


def item_data(owner_value, **overrides):
    return {
        "category": Category.HEALTH_GOALS, "description": "Identify the State's health goals",
        "owner": owner_value, "due_date": "2026-10-15", "status": Status.NOT_STARTED,
        "notes": "", **overrides,
    }


# --- services ---------------------------------------------------------------------------------


def test_an_owner_from_another_coalition_is_refused(plan, lead_user, other_coalition):
    stranger = factories.ContactFactory(coalition=other_coalition)
    with pytest.raises(services.RegistryError) as refused:
        services.action_item_create(
            plan=plan, actor=lead_user, category=Category.OTHER, description="x",
            owner_contact=stranger, due_date=date(2026, 5, 1),
        )
    assert refused.value.message_dict == {
        "owner": ["The owner must be a contact or member of Home Coalition."]
    }
    foreign_user = factories.MembershipFactory(coalition=other_coalition).user
    with pytest.raises(services.RegistryError) as refused:
        services.action_item_create(
            plan=plan, actor=lead_user, category=Category.OTHER, description="x",
            owner_user=foreign_user, due_date=date(2026, 5, 1),
        )
    assert "owner" in refused.value.message_dict
    assert not ActionPlanItem.objects.exists()


def test_a_member_who_signs_in_may_own_an_item(plan, lead_user):
    item = services.action_item_create(
        plan=plan, actor=lead_user, category=Category.OTHER, description="x",
        owner_user=lead_user, due_date=date(2026, 5, 1),
    )
    assert item.owner == lead_user


def test_a_due_date_before_the_program_starts_is_refused(plan, lead_user, owner):
    with pytest.raises(services.RegistryError) as refused:
        services.action_item_create(
            plan=plan, actor=lead_user, category=Category.OTHER, description="x",
            owner_contact=owner, due_date=date(2025, 12, 31),
        )
    assert refused.value.message_dict == {
        "due_date": ["The due date cannot be before the program starts (January 1, 2026)."]
    }


def test_an_item_needs_an_owner(plan, lead_user):
    with pytest.raises(services.RegistryError) as refused:
        services.action_item_create(
            plan=plan, actor=lead_user, category=Category.OTHER, description="x",
            due_date=date(2026, 5, 1),
        )
    assert refused.value.message_dict == {"owner": ["Choose who owns this item."]}


def test_a_plan_is_for_an_enrolled_coalition_once_per_program(coalition, program, staff_user):
    with pytest.raises(services.RegistryError, match="not enrolled"):
        services.action_plan_create(coalition=coalition, program=program, actor=staff_user)
    factories.EnrollmentFactory(coalition=coalition, program=program)
    services.action_plan_create(coalition=coalition, program=program, actor=staff_user)
    with pytest.raises(services.RegistryError, match="already has an action plan"):
        services.action_plan_create(coalition=coalition, program=program, actor=staff_user)
    assert ActionPlan.objects.count() == 1


def test_every_change_is_kept_with_who_and_when(item, lead_user, staff_user):
    services.action_item_update(item=item, actor=staff_user, status=Status.IN_PROGRESS)
    services.action_item_update(item=item, actor=lead_user, status=Status.DONE,
                                notes="Summit held with the Governor's office.")
    services.action_item_update(item=item, actor=lead_user, status=Status.DONE)  # no change
    assert item.history.count() == 3
    entries = selectors.action_item_history(item)
    assert [entry["kind"] for entry in entries] == ["Changed", "Changed", "Created"]
    assert entries[0]["who"] == lead_user and entries[1]["who"] == staff_user
    assert {"field": "status", "old": "In progress", "new": "Done"} in entries[0]["changes"]
    assert entries[1]["changes"] == [
        {"field": "status", "old": "Not started", "new": "In progress"}
    ]
    created = {change["field"]: change["new"] for change in entries[2]["changes"]}
    assert created["owner"] == "Dana Owner" and created["category"] == "Health summit"


# --- who may see and do what ------------------------------------------------------------------


ROLES = {
    "staff": "staff_user", "evaluator": "evaluator_user", "lead": "lead_user",
    "member": "member_user",
}


def sign_in(client, request, role, other_coalition):
    if role in ROLES:
        client.force_login(request.getfixturevalue(ROLES[role]))
    elif role == "other_lead":
        client.force_login(factories.MembershipFactory(
            coalition=other_coalition, role=Membership.Role.LEAD
        ).user)


READ_STATUS = {"staff": 200, "evaluator": 200, "lead": 200, "member": 200, "other_lead": 404,
               "anonymous": 302}
EDIT_STATUS = {"staff": 403, "evaluator": 403, "lead": 200, "member": 403, "other_lead": 404,
               "anonymous": 302}
LIST_STATUS = {"staff": 200, "evaluator": 200, "lead": 403, "member": 403, "other_lead": 403,
               "anonymous": 302}


@pytest.mark.parametrize("role", list(READ_STATUS))
def test_each_role_on_each_plan_page(role, client, request, item, other_coalition):
    sign_in(client, request, role, other_coalition)
    plan = item.plan
    pages = {
        plan_url(plan): READ_STATUS,
        item.get_absolute_url(): READ_STATUS,
        reverse("coalitions:action-plan-goals", args=[plan.coalition_id, plan.program.code]):
            EDIT_STATUS,
        reverse("coalitions:action-item-create", args=[plan.coalition_id, plan.program.code]):
            EDIT_STATUS,
        reverse("coalitions:action-item-update", args=[item.pk]): EDIT_STATUS,
        reverse("coalitions:action-item-list"): LIST_STATUS,
    }
    for url, statuses in pages.items():
        response = client.get(url)
        assert response.status_code == statuses[role], url
        if role == "anonymous":
            assert response.url.startswith(reverse("accounts:login"))
    status_url = reverse("coalitions:action-item-status", args=[item.pk])
    response = client.post(status_url, {f"item-{item.pk}-status": Status.DONE})
    assert response.status_code == {**EDIT_STATUS, "lead": 302}[role]
    item.refresh_from_db()
    assert (item.status == Status.DONE) == (role == "lead")


def test_members_read_the_plan_without_editing_controls(member_client, item):
    page = member_client.get(plan_url(item.plan)).content.decode()
    assert "Hold a State health summit" in page
    assert "Add an item" not in page and "Update" not in page and "Edit goals" not in page


def test_a_program_the_coalition_is_not_in_has_no_plan_page(lead_client, coalition):
    other_program = factories.ProgramFactory()
    response = lead_client.get(
        reverse("coalitions:action-plan", args=[coalition.pk, other_program.code])
    )
    assert response.status_code == 404


# --- the lead's editor ------------------------------------------------------------------------


def test_a_lead_starts_the_plan_and_adds_an_item(lead_client, coalition, program, owner):
    factories.EnrollmentFactory(coalition=coalition, program=program)
    goals_url = reverse("coalitions:action-plan-goals", args=[coalition.pk, program.code])
    response = lead_client.post(goals_url, {"goals": "Sell the strategy back home."})
    assert response.status_code == 302
    plan = ActionPlan.objects.get()
    assert plan.goals == "Sell the strategy back home."
    page = lead_client.get(goals_url)
    assert page.context["form"]["goals"].value() == "Sell the strategy back home."

    create_url = reverse("coalitions:action-item-create", args=[coalition.pk, program.code])
    response = lead_client.post(create_url, item_data(f"contact-{owner.pk}"))
    assert response.status_code == 302
    item = plan.items.get()
    assert item.owner_contact == owner and item.history.get().history_user.email == (
        "lead@example.org"
    )


def test_the_first_item_starts_the_plan(lead_client, lead_user, coalition, program):
    factories.EnrollmentFactory(coalition=coalition, program=program)
    create_url = reverse("coalitions:action-item-create", args=[coalition.pk, program.code])
    response = lead_client.post(create_url, item_data(f"user-{lead_user.pk}"))
    assert response.status_code == 302
    assert ActionPlan.objects.get().items.get().owner_user == lead_user


def test_bad_item_input_is_refused_beside_the_field_and_nothing_is_saved(
    lead_client, plan, other_coalition
):
    stranger = factories.ContactFactory(coalition=other_coalition)
    url = reverse("coalitions:action-item-create", args=[plan.coalition_id, plan.program.code])
    response = lead_client.post(url, item_data(f"contact-{stranger.pk}"))
    assert response.status_code == 200
    assert response.context["form"].errors["owner"] == [
        "The owner must be a contact or member of Home Coalition."
    ]
    response = lead_client.post(url, item_data("", due_date="2025-06-01"))
    errors = response.context["form"].errors
    assert errors["owner"] == ["Choose who owns this item."]
    response = lead_client.post(url, item_data("contact-999999"))
    assert response.context["form"].errors["owner"] == ["Choose an owner from the list."]
    owner = factories.ContactFactory(coalition=plan.coalition)
    response = lead_client.post(url, item_data(f"contact-{owner.pk}", due_date="2025-06-01"))
    assert response.context["form"].errors["due_date"] == [
        "The due date cannot be before the program starts (January 1, 2026)."
    ]
    assert not ActionPlanItem.objects.exists()


def test_the_edit_form_opens_with_the_item_and_a_save_without_change_changes_nothing(
    lead_client, item, owner
):
    url = reverse("coalitions:action-item-update", args=[item.pk])
    form = lead_client.get(url).context["form"]
    assert form["owner"].value() == f"contact-{owner.pk}"
    assert form["description"].value() == item.description
    before = item.updated_at
    response = lead_client.post(url, {
        "category": item.category, "description": item.description,
        "owner": f"contact-{owner.pk}", "due_date": "2026-09-30", "status": item.status,
        "notes": "",
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.updated_at == before and item.history.count() == 1


def test_marking_an_item_done_in_place_with_htmx(lead_client, item):
    response = lead_client.post(
        reverse("coalitions:action-item-status", args=[item.pk]),
        {f"item-{item.pk}-status": Status.DONE},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="item-{item.pk}"')
    assert "set to Done" in html and 'hx-swap-oob="true"' in html
    item.refresh_from_db()
    assert item.status == Status.DONE


def test_a_bad_status_is_refused_and_shown_in_the_row(lead_client, item):
    response = lead_client.post(
        reverse("coalitions:action-item-status", args=[item.pk]),
        {f"item-{item.pk}-status": "finished"}, HTTP_HX_REQUEST="true",
    )
    assert "Select a valid choice" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED


def test_the_item_page_shows_its_history(member_client, item, lead_user):
    services.action_item_update(item=item, actor=lead_user, status=Status.DONE)
    page = member_client.get(item.get_absolute_url()).content.decode()
    assert "History" in page
    assert "Status: Not started → Done" in page
    assert f"by {lead_user.get_full_name()}" in page


def test_overdue_items_are_marked_on_the_plan(member_client, plan, owner, lead_user):
    today = timezone.localdate()
    late = services.action_item_create(
        plan=plan, actor=lead_user, category=Category.OTHER, description="Late one",
        owner_contact=owner, due_date=today - timedelta(days=1),
    )
    services.action_item_create(
        plan=plan, actor=lead_user, category=Category.OTHER, description="Done late",
        owner_contact=owner, due_date=today - timedelta(days=1), status=Status.DONE,
    )
    page = member_client.get(plan_url(plan)).content.decode()
    assert page.count("portal-overdue") == 1
    assert f'<tr id="item-{late.pk}" class="portal-overdue">' in page


# --- the cross-plan list ----------------------------------------------------------------------


def test_staff_filter_every_plans_items(staff_client, lead_user):
    today = timezone.localdate()
    program = factories.ProgramFactory(code="vbp")
    other_program = factories.ProgramFactory(code="pps")
    a = factories.ActionPlanItemFactory(
        plan__program=program, category=Category.LEGISLATOR_OUTREACH,
        due_date=today - timedelta(days=3), description="Brief legislators",
    )
    factories.ActionPlanItemFactory(
        plan__program=program, category=Category.HEALTH_SUMMIT, status=Status.DONE,
        due_date=today - timedelta(days=3), description="Summit held",
    )
    factories.ActionPlanItemFactory(
        plan__program=other_program, category=Category.LEGISLATOR_OUTREACH,
        due_date=today + timedelta(days=30), description="Invite committee chairs",
    )
    url = reverse("coalitions:action-item-list")

    def shown(query):
        response = staff_client.get(url + query)
        assert response.status_code == 200
        return sorted(item.description for item in response.context["items"])

    assert shown("") == ["Brief legislators", "Invite committee chairs", "Summit held"]
    assert shown("?program=vbp") == ["Brief legislators", "Summit held"]
    assert shown("?category=legislator_outreach") == ["Brief legislators",
                                                       "Invite committee chairs"]
    assert shown("?status=done") == ["Summit held"]
    assert shown("?overdue=on") == ["Brief legislators"]
    assert shown("?program=pps&overdue=on") == []
    page = staff_client.get(url).content.decode()
    assert page.count('class="portal-overdue"') == 1 and a.description in page
    response = staff_client.get(url + "?status=finished")
    assert "Select a valid choice" in response.content.decode()


def test_the_list_answers_htmx_with_its_results_only(evaluator_client):
    factories.ActionPlanItemFactory(description="Only the rows")
    response = evaluator_client.get(reverse("coalitions:action-item-list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Only the rows" in html and "<html" not in html


# --- the coalition's pages and timeline -------------------------------------------------------


def test_the_coalition_page_lists_its_plans(staff_client, item, coalition):
    page = staff_client.get(coalition.get_absolute_url()).content.decode()
    assert "Action plans" in page
    assert plan_url(item.plan) in page and "1 item, 0 done" in page


def test_plan_changes_reach_the_coalition_timeline(item, lead_user, staff_user, coalition):
    services.action_item_update(item=item, actor=lead_user, status=Status.DONE)
    entries = selectors.action_plan_changes(coalition, staff_user, 10)
    assert [entry.title for entry in entries] == [
        "Action item changed: Hold a State health summit with key players",
        "Action item added: Hold a State health summit with key players",
    ]
    assert entries[0].detail.startswith("Done")
    assert entries[0].url == item.get_absolute_url()
    assert "action-plan" in timeline.sources()
