"""Pages on a phone and at 400 % zoom, and under the Content-Security-Policy.

Every page a browser test visits is checked at 320 CSS pixels wide for sideways scrolling, and
the browser console for errors (a refused script or style, a missing file), by the shared
``assert_accessible`` (conftest.py). Here are the pages whose tables used to push them
sideways, filled as a working coalition fills them; the catalog's filters folding away on a
phone; a long choice list picked by typing; and the admin and the API documentation under
the policy."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import MeasureAdoption
from tests import factories

from .conftest import REFLOW_WIDTH, assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.browser

LONG_EMAIL = "patricia.quality-improvement@chesapeake-regional-purchasers-coalition.example.org"


@pytest.fixture
def busy(coalition, other_coalition):
    """A coalition with what its pages list: contacts, enrolments, programs, adoptions."""
    program = factories.ProgramFactory(
        code="qbp-2026", name="Purchaser-Provider Synergies technical assistance"
    )
    factories.EnrollmentFactory(program=program, coalition=coalition)
    factories.EnrollmentFactory(program=program, coalition=other_coalition)
    factories.ContactFactory(
        coalition=coalition, name="Patricia Quality-Improvement", email=LONG_EMAIL,
        title="Director of Quality Measurement and Public Reporting",
    )
    factories.ContactFactory(coalition=coalition, name="Robin Data")
    measure_set = factories.MeasureSetFactory(code="PQI", name="Prevention Quality Indicators")
    measures = [
        factories.MeasureFactory(
            measure_set=measure_set, code=f"PQI {n:02d}",
            title=f"Ambulatory Care Sensitive Condition Admission Rate number {n}",
        )
        for n in range(1, 4)
    ]
    incentive = factories.IncentiveProgramFactory(
        coalition=coalition, name="Hospital Quality and Efficiency Incentive Program"
    )
    incentive.measures.set(measures)
    for measure in measures:
        factories.MeasureAdoptionFactory(
            coalition=coalition, measure=measure, incentive_program=incentive,
            use=MeasureAdoption.Use.PAY_FOR_PERFORMANCE,
        )
    return SimpleNamespace(program=program, coalition=coalition, measure=measures[0])


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert_accessible(page)  # axe, no sideways scroll at 320 px, a quiet console


def test_staff_pages_with_tables_reflow_on_a_phone(page, login_as, staff_user, busy):
    login_as(staff_user)
    coalition = busy.coalition
    for path in (
        reverse("coalitions:program-list"),
        busy.program.get_absolute_url(),
        reverse("coalitions:coalition-list"),
        coalition.get_absolute_url(),
        reverse("measures:coalition-measures", args=[coalition.pk]),
        reverse("measures:adoption-list"),
        busy.measure.get_absolute_url(),
        reverse("measures:measure-compare") + "?m=pqi-01&m=pqi-02&m=pqi-03",
        reverse("measures:incentive-program-create", args=[coalition.pk]),
        reverse("coalitions:coalition-create"),
    ):
        visit(page, path)


def test_a_leads_pages_reflow_on_a_phone(page, login_as, lead_user, busy):
    login_as(lead_user)  # lands on the lead's home, checked there
    for path in (
        reverse("measures:coalition-measures", args=[busy.coalition.pk]),
        reverse("measures:adoption-create", args=[busy.coalition.pk]),
    ):
        visit(page, path)


def test_a_stacked_table_labels_each_value_on_a_phone(page, login_as, lead_user, busy):
    login_as(lead_user)
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    contacts = page.get_by_role("table", name=f"Contacts at {busy.coalition.name}")
    email = contacts.locator("td[data-label='E-mail']").filter(has_text=LONG_EMAIL)
    # Stacked: the cell spans the table's width, under its label, and the address wraps.
    table_box, cell_box = contacts.bounding_box(), email.bounding_box()
    assert cell_box["width"] == pytest.approx(table_box["width"], abs=1)
    assert email.evaluate("(td) => getComputedStyle(td, '::before').content") == '"E-mail"'


# --- the catalog's filters --------------------------------------------------------------------


@pytest.fixture
def catalog(transactional_db):
    sets = [factories.MeasureSetFactory(code=code, name=name) for code, name in (
        ("PQI", "Prevention Quality Indicators"), ("IQI", "Inpatient Quality Indicators"),
    )]
    for n in range(30):
        factories.MeasureFactory(measure_set=sets[n % 2], code=f"{sets[n % 2].code} {n:02d}")


def test_the_catalogs_filters_fold_away_on_a_phone(page, catalog):
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    visit(page, reverse("measures:measure-list"))
    filters = page.locator("details.portal-filters")
    facet = page.locator("label[for='facet-set-pqi']")
    expect(filters).not_to_have_attribute("open", re.compile(".*"))
    expect(facet).to_be_hidden()
    # The first result follows the search box, not every facet.
    first = page.locator("#measure-results tbody tr").first
    search = page.get_by_label("Search measures")
    assert first.bounding_box()["y"] - search.bounding_box()["y"] < 400

    # Opened, they work as on a wide screen.
    page.get_by_text("Filters", exact=True).click()
    facet.click()
    page.wait_for_url(re.compile(r"set=PQI"))
    expect(page.get_by_test_id("result-count")).to_have_text(re.compile(r"^15 measures"))
    assert_accessible(page)


def test_the_catalogs_filters_are_open_on_a_wide_screen(page, catalog):
    visit(page, reverse("measures:measure-list"))
    expect(page.locator("details.portal-filters")).to_have_attribute("open", "")
    expect(page.locator("label[for='facet-set-pqi']")).to_be_visible()


# --- long choice lists ------------------------------------------------------------------------


def test_a_lead_picks_a_measure_from_a_long_list_by_typing(page, login_as, lead_user, coalition):
    factories.MeasureFactory.create_batch(20)
    psi_90 = factories.MeasureFactory(
        code="PSI 90", title="Patient Safety and Adverse Events Composite"
    )
    login_as(lead_user)
    visit(page, reverse("measures:adoption-create", args=[coalition.pk]))

    measure = page.get_by_role("combobox", name="Measure")
    measure.fill("adverse")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(1)
    options.first.click()
    expect(measure).to_have_value("PSI 90: Patient Safety and Adverse Events Composite")

    # A mistake elsewhere keeps the choice, and a mistake in the box is announced on it.
    page.locator("#id_stage").select_option(label="Planned")
    page.get_by_role("main").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator("#id_use")).to_have_attribute("aria-invalid", "true")
    expect(measure).to_have_value("PSI 90: Patient Safety and Adverse Events Composite")
    assert_accessible(page)

    page.get_by_role("button", name="Clear the select contents").click()
    page.get_by_label("Used for").select_option(label="Pay for performance")
    page.get_by_role("main").get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(measure).to_have_attribute("aria-invalid", "true")
    assert "id_measure_error" in measure.get_attribute("aria-describedby").split()
    assert_accessible(page)

    measure.fill("PSI 9")
    page.get_by_role("option", name=re.compile("^PSI 90")).click()
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Save").click()
    assert_accessible(page)
    assert MeasureAdoption.objects.filter(coalition=coalition, measure=psi_90).exists()


# --- the policy, the footer -------------------------------------------------------------------


def test_the_footer_leads_to_the_api_documentation_which_works_under_the_policy(page):
    visit(page, reverse("core:home"))
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="FHIR R4 endpoint")).to_have_attribute(
        "href", reverse("fhir:metadata")
    )
    footer.get_by_role("link", name="API documentation").click()
    page.wait_for_url(f"**{reverse('api-docs')}")
    # Swagger UI built the page from its script file and the schema: the policy let it run.
    expect(page.get_by_text("Synergies portal API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert_no_console_errors(page)


def test_the_admin_works_under_the_policy(page, login_as, staff_user, busy):
    # The admin is Django's own and is checked for a quiet console only (no refused script
    # or style, no missing file); axe and reflow are for the portal's pages.
    login_as(staff_user)
    for path in (
        reverse("admin:index"),
        reverse("admin:coalitions_coalition_changelist"),
        reverse("admin:coalitions_coalition_change", args=[busy.coalition.pk]),
        reverse("admin:coalitions_program_change", args=[busy.program.pk]),
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_no_console_errors(page)
