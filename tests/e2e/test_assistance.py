"""The technical-assistance log, dashboard, timeline and learning networks in a real browser:
every new page as each role (axe-core, reflow at 320 px, a clean console), and the staff path
from logging a site visit to seeing it on the timeline and the dashboard, and to an export
that opens in a spreadsheet."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from coalitions.models import Membership, TechnicalAssistance
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def engagement(coalition, other_coalition, staff_user):
    today = timezone.localdate()
    program = factories.ProgramFactory(
        code="pps", name="Purchaser-Provider Synergies",
        start_date=today - timedelta(days=120), end_date=today + timedelta(days=600),
    )
    factories.EnrollmentFactory(program=program, coalition=coalition, tier="intensive",
                                enrolled_on=program.start_date)
    factories.EnrollmentFactory(program=program, coalition=other_coalition,
                                enrolled_on=program.start_date)
    entry = factories.TechnicalAssistanceFactory(
        program=program, staff_member=staff_user, coalitions=[coalition, other_coalition],
        date=today - timedelta(days=10), kind="workshop", topics="public reporting",
        summary="Workshop on public reporting for both coalitions.",
    )
    factories.FollowUpFactory(entry=entry, owner=staff_user, due_date=today - timedelta(days=2),
                              description="Send the workshop slides")
    network = factories.LearningNetworkFactory(program=program, name="Public reporting",
                                               facilitator=staff_user)
    factories.NetworkMembershipFactory(network=network, coalition=coalition,
                                       joined_on=program.start_date)
    membership = factories.NetworkMembershipFactory(
        network=network, coalition=other_coalition, joined_on=program.start_date
    )
    factories.MembershipFactory(coalition=other_coalition, role=Membership.Role.LEAD,
                                user__email="other.lead@example.org")
    return SimpleNamespace(program=program, entry=entry, network=network,
                           membership=membership, coalition=coalition)


def urls(e):
    return {
        "dashboard": (reverse("coalitions:dashboard"), "Follow-ups"),
        "log": (reverse("coalitions:assistance-list"), "1 entry"),
        "log-filtered": (reverse("coalitions:assistance-list") + "?kind=site_visit&q=none",
                         "0 entries"),
        "entry": (e.entry.get_absolute_url(), "Send the workshop slides"),
        "entry-new": (reverse("coalitions:assistance-create"), "Follow-up 1"),
        "entry-edit": (reverse("coalitions:assistance-update", args=[e.entry.pk]),
                       "Follow-up 1"),
        "catalog-links": (reverse("measures:assistance-catalog-links", args=[e.entry.pk]),
                          "Measures"),
        "follow-ups": (reverse("coalitions:follow-up-list") + "?overdue=yes",
                       "Send the workshop slides"),
        "no-contact": (reverse("coalitions:no-contact-list"), "No contact"),
        "timeline": (reverse("coalitions:coalition-timeline", args=[e.coalition.pk]),
                     "Workshop"),
        "networks": (reverse("coalitions:network-list"), "Public reporting"),
        "network": (e.network.get_absolute_url(), "other.lead@example.org"),
        "network-new": (reverse("coalitions:network-create"), "New learning network"),
        "network-edit": (reverse("coalitions:network-update", args=[e.network.pk]), "Edit"),
        "network-add": (reverse("coalitions:network-member-add", args=[e.network.pk]),
                        "Add a coalition"),
        "network-leave": (reverse("coalitions:network-member-leave", args=[e.membership.pk]),
                          "leaves"),
        "my-coalition": (reverse("coalitions:my-coalition"), "What comes next"),
        "coalition": (e.coalition.get_absolute_url(), "What comes next"),
    }


READ = ["log", "log-filtered", "entry", "follow-ups", "timeline", "networks", "network"]
PAGES = {
    "staff_user": ["dashboard", "no-contact", "coalition", *READ, "entry-new", "entry-edit",
                   "catalog-links", "network-new", "network-edit", "network-add",
                   "network-leave"],
    "evaluator_user": ["dashboard", "no-contact", "coalition", *READ],
    "lead_user": ["my-coalition", *READ],
    "member_user": ["my-coalition", *READ],
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


def test_another_coalition_gets_404_and_anonymous_the_login(engagement, page, login_as,
                                                            other_coalition):
    page.goto(engagement.entry.get_absolute_url())
    assert "/accounts/login/" in page.url
    outsider = factories.MembershipFactory(
        coalition=factories.CoalitionFactory(name="Outsider Coalition"),
        role=Membership.Role.LEAD, user__email="outsider@example.org",
    ).user
    login_as(outsider)
    for path in (engagement.entry.get_absolute_url(), engagement.network.get_absolute_url(),
                 reverse("coalitions:coalition-timeline", args=[engagement.coalition.pk])):
        assert page.goto(path).status == 404
        assert_accessible(page)


def test_staff_log_a_site_visit_and_see_it_on_the_timeline_dashboard_and_export(
    engagement, page, login_as, staff_user
):
    coalition = engagement.coalition
    login_as(staff_user)
    assert page.url.endswith(reverse("coalitions:dashboard"))
    page.goto(coalition.get_absolute_url())
    page.get_by_role("link", name=f"Log assistance for {coalition.name}").click()
    page.wait_for_url("**/assistance/new/**")
    assert_accessible(page)
    page.get_by_label("Kind").select_option(label="Site visit")
    page.get_by_label("Duration (hours)").fill("0")
    page.get_by_label("Topics").fill("pay-for-performance design")
    page.get_by_label("Summary").fill("Site visit to plan the first performance incentive.")
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    for index, what in enumerate(["Send incentive design examples", "Draft contract terms"]):
        page.locator(f"#id_follow_ups-{index}-description").fill(what)
        page.locator(f"#id_follow_ups-{index}-owner").select_option(
            label=f"{staff_user.get_full_name()} (program staff)"
        )
        page.locator(f"#id_follow_ups-{index}-due_date").fill(due)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    # 0 hours: refused beside the field, announced, nothing saved.
    assert_accessible(page)
    assert page.locator("#id_hours").get_attribute("aria-invalid") == "true"
    assert "more than 0" in page.locator("#id_hours_error").inner_text()
    assert not TechnicalAssistance.objects.filter(kind="site_visit").exists()
    page.get_by_label("Duration (hours)").fill("6")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert_accessible(page)
    entry = TechnicalAssistance.objects.get(kind="site_visit")
    assert entry.follow_ups.count() == 2
    assert "Draft contract terms" in page.get_by_role("main").inner_text()

    page.goto(reverse("coalitions:coalition-timeline", args=[coalition.pk]))
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Site visit: pay-for-performance design" in timeline
    assert "Follow-up set: Send incentive design examples" in timeline

    page.goto(reverse("coalitions:dashboard"))
    assert_accessible(page)
    hours = page.get_by_test_id("panel-hours")
    assert "6" in hours.get_by_role("link", name="6 hours, site visit").inner_text()
    page.get_by_role("link", name="3 open follow-ups, mine").click()
    page.wait_for_url("**/follow-ups/**")
    assert "Draft contract terms" in page.get_by_role("main").inner_text()

    page.goto(reverse("coalitions:assistance-list") + "?kind=site_visit")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    with open(download_info.value.path(), "rb") as downloaded:
        sheet = load_workbook(downloaded).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Date" and len(rows) == 2
    assert rows[1][8] == "Site visit to plan the first performance incentive."
