"""Invitations and action plans in a real browser: every new page as each role (axe-core, reflow
at 320 px, a clean console), the plan editor with the keyboard alone, and the invited lead's
path from the e-mail to an item's history."""

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from coalitions import services
from coalitions.models import ActionPlanItem, Membership
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

NEW_PASSWORD = "plan-the-summit-2026"


@pytest.fixture
def engagement(coalition, other_coalition, staff_user, lead_user, member_user):
    program = factories.ProgramFactory(
        code="vbp", name="Value-based purchasing", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
    )
    plan = factories.ActionPlanFactory(coalition=coalition, program=program)
    owner = factories.ContactFactory(coalition=coalition, name="Dana Owner")
    item = services.action_item_create(
        plan=plan, actor=lead_user, category=ActionPlanItem.Category.HEALTH_SUMMIT,
        description="Hold a State health summit with key players", owner_contact=owner,
        due_date=date(2026, 3, 31),
    )
    services.action_item_create(
        plan=plan, actor=lead_user, category=ActionPlanItem.Category.HEALTH_GOALS,
        description="Identify the health goals for the State's citizens", owner_user=lead_user,
        due_date=date(2027, 9, 30),
    )
    services.invitation_create(
        coalition=coalition, email="waiting@example.org", role=Membership.Role.MEMBER,
        actor=staff_user,
    )
    return SimpleNamespace(program=program, plan=plan, item=item, coalition=coalition)


def urls(engagement):
    coalition, program, item = engagement.coalition, engagement.program, engagement.item
    plan_args = [coalition.pk, program.code]
    return {
        "coalition": (coalition.get_absolute_url(), "Who can sign in"),
        "my-coalition": (reverse("coalitions:my-coalition"), "Who can sign in"),
        "enrol": (reverse("coalitions:coalition-enroll", args=[coalition.pk]), "Enrol"),
        "invite": (reverse("coalitions:invitation-create", args=[coalition.pk]), "Invite"),
        "plan": (reverse("coalitions:action-plan", args=plan_args), "Hold a State health"),
        "goals": (reverse("coalitions:action-plan-goals", args=plan_args), "Goals"),
        "item-new": (reverse("coalitions:action-item-create", args=plan_args), "Add an action"),
        "item": (item.get_absolute_url(), "History"),
        "item-edit": (reverse("coalitions:action-item-update", args=[item.pk]), "Edit action"),
        "items": (reverse("coalitions:action-item-list"), "Overdue"),
        "items-filtered": (
            reverse("coalitions:action-item-list") + "?category=health_summit&overdue=on",
            "1 item",
        ),
    }


PAGES = {
    "staff_user": ["coalition", "enrol", "invite", "plan", "item", "items", "items-filtered"],
    "evaluator_user": ["coalition", "plan", "item", "items", "items-filtered"],
    "lead_user": ["my-coalition", "invite", "plan", "goals", "item-new", "item", "item-edit"],
    "member_user": ["my-coalition", "plan", "item"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_every_new_page_as_each_role(role, request, engagement, page, login_as):
    login_as(request.getfixturevalue(role))
    pages = urls(engagement)
    for name in PAGES[role]:
        path, text = pages[name]
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert_accessible(page)
        assert text in page.get_by_role("main").inner_text(), name


def test_link_pages_for_someone_not_signed_in(engagement, page, staff_user, settings,
                                              live_server, django_capture_on_commit_callbacks):
    settings.PORTAL_URL = live_server.url
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            coalition=engagement.coalition, email="fresh@example.org",
            role=Membership.Role.MEMBER, actor=staff_user,
        )
    link = re.search(r"http\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page)
    assert "Join Home Coalition" in page.get_by_role("main").inner_text()
    # Wrong confirmation: the error is announced beside the field.
    page.get_by_label("Your name").fill("Fresh Member")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill("something-else-entirely")
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and sign in").click()
    assert_accessible(page)
    assert page.locator("#id_password2").get_attribute("aria-invalid") == "true"

    services.invitation_revoke(invitation=invitation, actor=staff_user)
    response = page.goto(link)
    assert response.status == 410
    assert_accessible(page)
    assert "withdrawn" in page.get_by_role("main").inner_text()


def test_the_plan_editor_with_the_keyboard_alone(engagement, page, login_as, lead_user):
    login_as(lead_user)
    item = engagement.item
    page.goto(reverse("coalitions:action-plan", args=[engagement.coalition.pk, "vbp"]))
    assert_accessible(page)
    row = page.locator(f"#item-{item.pk}")
    assert row.locator(".portal-tag--overdue").count() == 1

    # Status in place: Tab to the item's status, arrow to "Done", Tab to Update, Enter.
    select = f"#id_item-{item.pk}-status"
    for _ in range(60):
        if page.evaluate("(s) => document.activeElement.matches(s)", select):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached the status control")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator(select).input_value() == ActionPlanItem.Status.DONE
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"item-{item.pk}-save"
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="set to Done").wait_for(state="attached")
    assert page.locator(f"#item-{item.pk} .portal-tag--overdue").count() == 0
    assert page.evaluate("() => document.activeElement.id") == f"item-{item.pk}-save"
    assert_accessible(page)
    item.refresh_from_db()
    assert item.status == ActionPlanItem.Status.DONE

    # A new item through the full form, keyboard only.
    for _ in range(60):
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Add an item":
            break
        page.keyboard.press("Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    page.locator("#id_category").focus()
    page.keyboard.press("ArrowDown")  # the first category: legislator outreach
    page.keyboard.press("Tab")
    page.keyboard.type("Invite legislators on key committees to a briefing")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first owner on the list
    page.keyboard.press("Tab")
    page.keyboard.type("06152026")
    for _ in range(10):
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    assert "Action item added." in page.get_by_role("main").inner_text()
    added = ActionPlanItem.objects.get(description__startswith="Invite legislators")
    assert added.due_date == date(2026, 6, 15)
    assert added.category == ActionPlanItem.Category.LEGISLATOR_OUTREACH


def test_staff_invite_a_new_lead_who_marks_an_item_done(
    engagement, page, login_as, staff_user, settings, live_server
):
    settings.PORTAL_URL = live_server.url
    login_as(staff_user)
    page.goto(engagement.coalition.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url("**/invitations/new/")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("nora.lead@example.org")
    page.get_by_label("Role").select_option(label="Coalition lead")
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert_accessible(page)
    main = page.get_by_role("main")
    assert "Invitation sent to nora.lead@example.org" in main.inner_text()
    pending = page.get_by_role("table", name="Invitations to Home Coalition not yet accepted")
    assert "nora.lead@example.org" in pending.inner_text()

    [message] = [m for m in mail.outbox if m.to == ["nora.lead@example.org"]]
    link = re.search(r"http\S+/invitation/\S+/", message.body).group(0)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    page.goto(link)
    assert_accessible(page)
    page.get_by_label("Your name").fill("Nora Lead")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and sign in").click()
    assert page.url.endswith(reverse("coalitions:my-coalition"))
    assert_accessible(page)
    assert page.get_by_test_id("signed-in-as").inner_text() == "nora.lead@example.org"
    assert "Coalition lead" in page.get_by_role("main").inner_text()

    # Signs out, and in again with the password chosen.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    lead = Membership.objects.get(user__email="nora.lead@example.org").user
    login_as(lead, password=NEW_PASSWORD)
    page.goto(reverse("coalitions:my-coalition"))
    page.get_by_role("link", name="Value-based purchasing").click()
    page.wait_for_url("**/plans/vbp/")
    assert_accessible(page)
    item = engagement.item
    page.get_by_label(f"Status of “{item.description}”").select_option(label="Done")
    page.get_by_role("button", name=f"Update the status of “{item.description}”").click()
    page.get_by_role("status").filter(has_text="set to Done").wait_for(state="attached")
    page.get_by_role("link", name=item.description).click()
    page.wait_for_url(f"**{item.get_absolute_url()}")
    assert_accessible(page)
    history = page.get_by_test_id("item-history").inner_text()
    assert "Status: Not started → Done" in history
    assert "by Nora Lead" in history
