"""A coalition lead records an incentive program and its measures; staff see it."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import PROGRAM_STAFF
from coalitions.models import Membership
from measures import services
from measures.models import MeasureAdoption
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def visit(page, path, status=200):
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}"
    assert_accessible(page)


def submit(page, button_name):
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name=button_name).click()
    assert_accessible(page)


def test_a_lead_marks_two_measures_implemented_in_a_new_p4p_program(page, login_as):
    coalition = factories.CoalitionFactory(name="Ozark All-Payer Quality Collaborative")
    lead = factories.MembershipFactory(coalition=coalition, role=Membership.Role.LEAD).user
    staff = factories.UserFactory(email="staff@example.org", is_staff=True)
    staff.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    psi = factories.MeasureFactory(code="PSI 90", title="Patient Safety and Adverse Events "
                                   "Composite")
    factories.MeasureFactory(code="IQI 91", title="Mortality for Selected Conditions")
    factories.MeasureFactory(code="PQI 01")

    login_as(lead)
    visit(page, reverse("measures:coalition-measures", args=[coalition.pk]))
    assert "No incentive program recorded yet" in page.get_by_role("main").inner_text()
    page.get_by_role("link", name="Add an incentive program").click()
    assert_accessible(page)

    # A first try without the launch date of an active program is refused beside the field.
    page.locator("#id_name").fill("Hospital quality bonus")
    page.get_by_label("Kind").select_option(label="Pay for performance")
    page.get_by_label("Status").select_option(label="Active")
    measures = page.get_by_role("group", name="Measures")
    for code in ("PSI 90", "IQI 91"):  # checkboxes, not a Ctrl-click list
        measures.get_by_text(code).click()
    page.get_by_label("Record these measures as adopted").select_option(label="Implemented")
    submit(page, "Save")
    assert page.locator("#id_launch_date").get_attribute("aria-invalid") == "true"
    assert "An active program needs its launch date" in page.get_by_role("main").inner_text()

    page.get_by_label("Launch date").fill("2026-07-01")
    submit(page, "Save")
    main = page.get_by_role("main").inner_text()
    assert "Hospital quality bonus saved; 2 measures recorded as implemented." in main
    assert MeasureAdoption.objects.filter(coalition=coalition, stage="implemented",
                                          use="p4p").count() == 2

    page.get_by_role("button", name="Sign out").click()
    login_as(staff)
    visit(page, reverse("measures:adoption-list") + "?stage=implemented")
    listing = page.get_by_role("main").inner_text()
    assert "2 records" in listing and "PSI 90" in listing and "IQI 91" in listing
    visit(page, psi.get_absolute_url())
    assert "Ozark All-Payer Quality Collaborative" in page.get_by_role("main").inner_text()


def test_a_lead_changes_a_stage_from_the_keyboard_friendly_form(page, login_as):
    coalition = factories.CoalitionFactory()
    lead = factories.MembershipFactory(coalition=coalition, role=Membership.Role.LEAD).user
    measure = factories.MeasureFactory(code="PQI 92")
    factories.MeasureAdoptionFactory(coalition=coalition, measure=measure, stage="planned")
    adoption = MeasureAdoption.objects.get()
    adoption.stage_changes.create(stage="planned", changed_on=adoption.stage_since)

    login_as(lead)
    visit(page, reverse("measures:adoption-update", args=[adoption.pk]))
    page.locator("#id_stage").select_option(label="Piloting")
    page.get_by_label("Date of this stage").fill("2026-05-02")
    submit(page, "Save")
    assert "PQI 92 saved." in page.get_by_role("main").inner_text()
    visit(page, reverse("measures:adoption-update", args=[adoption.pk]))
    assert "Piloting on May 2, 2026" in page.get_by_role("main").inner_text()


def test_a_lead_opens_a_planned_adoption_and_saves_it_untouched_nothing_changes(page, login_as):
    coalition = factories.CoalitionFactory()
    lead = factories.MembershipFactory(coalition=coalition, role=Membership.Role.LEAD).user
    program = factories.IncentiveProgramFactory(coalition=coalition, name="Hospital bonus")
    factories.IncentiveProgramFactory(coalition=coalition, name="Report card 2026")
    measure = factories.MeasureFactory(code="PQI 93")
    notes = "Waiting for the hospital association.\nPilot in two counties first."
    adoption = services.adoption_create(
        coalition=coalition, measure=measure, use="p4p", stage="planned",
        stage_since=date(2026, 2, 2), incentive_program=program, notes=notes, actor=lead,
    )
    before = MeasureAdoption.objects.get(pk=adoption.pk)

    login_as(lead)
    visit(page, reverse("measures:adoption-update", args=[adoption.pk]))
    form = page.get_by_role("main")
    expect(form.locator("select[name=stage]")).to_have_value("planned")
    expect(form.locator("select[name=incentive_program]")).to_have_value(str(program.pk))
    expect(form.locator("textarea[name=notes]")).to_have_value(notes)
    submit(page, "Save")

    assert "PQI 93 saved." in page.get_by_role("main").inner_text()
    after = MeasureAdoption.objects.get(pk=adoption.pk)
    assert (after.stage, after.stage_since, after.incentive_program, after.notes) == (
        "planned", date(2026, 2, 2), program, notes)
    assert after.updated_at == before.updated_at
    assert list(after.stage_changes.values_list("stage", "changed_on")) == [
        ("planned", date(2026, 2, 2))]
