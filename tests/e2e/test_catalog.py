"""The public catalog in a real browser, with the catalog the project ships: search, a facet,
a measure, a comparison of three and the tools, as the public and as a coalition lead; axe
finds no violation on any page, and the pages work with JavaScript off too."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Measure, MeasureAdoption
from tests import factories

from .conftest import TIMEOUT_MS, assert_accessible

pytestmark = pytest.mark.browser

LIST = reverse("measures:measure-list")
ALL_MEASURES = "158 measures"


@pytest.fixture
def catalog(transactional_db):
    call_command("load_catalog", stdout=StringIO())
    return Measure.objects.get(code="PQI 01")


@pytest.fixture
def adoption(catalog, coalition):
    return factories.MeasureAdoptionFactory(
        coalition=coalition, measure=catalog, use=MeasureAdoption.Use.PUBLIC_REPORTING,
        incentive_program=factories.IncentiveProgramFactory(
            coalition=coalition, name="Community Report Card"
        ),
    )


def nav_to(page, name, url_glob):
    page.get_by_role("navigation", name="Primary").get_by_role("link", name=name).click()
    page.wait_for_url(url_glob)
    assert_accessible(page)


def result_count(page):
    return page.get_by_test_id("result-count")


def tick(page, input_id):
    # USWDS hides the native box and draws the label's; a person clicks the label.
    page.locator(f"label[for='{input_id}']").click()


def walk_the_catalog(page, *, sees_adopters):
    nav_to(page, "Measures", f"**{LIST}")
    expect(result_count(page)).to_have_text(re.compile(f"^{ALL_MEASURES}"))

    # Search: htmx swaps the results in place and the address follows.
    page.get_by_label("Search measures").fill("diabetes")
    page.get_by_label("Search measures").press("Enter")
    page.wait_for_url(re.compile(r"q=diabetes"))
    expect(result_count(page)).not_to_have_text(re.compile(f"^{ALL_MEASURES}"))
    results = page.locator("#measure-results")
    # PQI 01 and PDI 15 share their title; the row's code tells them apart.
    pqi_01 = results.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="PQI 01", exact=True)
    ).get_by_role("link", name="Diabetes Short-Term Complications Admission Rate")
    expect(pqi_01).to_be_visible()
    assert_accessible(page)

    # A facet narrows the search; the counts beside the other facets follow.
    tick(page, "facet-level-area")
    page.wait_for_url(re.compile(r"level=area"))
    expect(page.locator("#catalog-status")).to_have_text(re.compile(r"^\d+ measures? found$"))
    levels = results.locator("td[data-label=Level]").all_inner_texts()
    assert levels and set(levels) == {"Area"}, levels
    expect(page.locator("#facet-level-area")).to_be_checked()
    assert_accessible(page)

    # A measure, its source and the composites it belongs to.
    pqi_01.click()
    page.wait_for_url("**/measures/pqi-01/")
    assert_accessible(page)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(
        "PQI 01: Diabetes Short-Term Complications Admission Rate"
    )
    # the readable specification first, the software that computes it second
    expect(main.get_by_role("link", name="PQI 01 at p4qm.org")).to_be_visible()
    expect(main.get_by_role("link", name=re.compile(r"program that computes PQI 01"))) \
        .to_be_visible()
    adopters = main.get_by_role("heading", name="Coalitions using this measure")
    if sees_adopters:
        expect(adopters).to_be_visible()
        adopters_table = main.get_by_role("table", name=re.compile("Coalitions of the program"))
        expect(adopters_table).to_contain_text("Community Report Card")
    else:
        expect(adopters).to_have_count(0)
    main.get_by_role("link", name="PQI 90: Prevention Quality Overall Composite").click()
    page.wait_for_url("**/measures/pqi-90/")
    assert_accessible(page)
    expect(page.get_by_role("heading", name="Components of this composite")).to_be_visible()

    # Compare three: tick them in the list, press Compare.
    page.get_by_role("link", name="Measure catalog").first.click()
    page.wait_for_url(f"**{LIST}")
    tick(page, "facet-set-pqi")
    page.wait_for_url(re.compile(r"set=PQI"))
    expect(result_count(page)).to_have_text(re.compile(r"^16 measures"))
    for slug in ("pqi-01", "pqi-03", "pqi-90"):
        tick(page, f"compare-{slug}")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare", exact=True).click()
    assert page.url.endswith("/measures/compare/?m=pqi-01&m=pqi-03&m=pqi-90"), page.url
    assert_accessible(page)
    table = page.get_by_role("table", name="PQI 01, PQI 03, PQI 90 side by side")
    expect(table.get_by_role("columnheader")).to_have_count(3)
    expect(table.get_by_role("row", name=re.compile("^Level"))).to_contain_text("Area")

    nav_to(page, "Tools", "**/tools/")
    expect(page.get_by_test_id("result-count")).to_have_text("14 tools and guides")
    expect(
        page.get_by_role("link", name="Pay for Performance: A Decision Guide for Purchasers")
    ).to_be_visible()


def test_the_public_walks_the_catalog(page, catalog, adoption):
    page.goto(reverse("core:home"))
    assert_accessible(page)
    walk_the_catalog(page, sees_adopters=False)


def test_a_coalition_lead_walks_the_catalog_and_sees_who_uses_a_measure(
    page, login_as, lead_user, catalog, adoption
):
    login_as(lead_user)
    walk_the_catalog(page, sees_adopters=True)


def test_a_facet_ticked_with_the_keyboard_keeps_the_focus(page, catalog):
    page.goto(LIST)
    page.locator("#facet-level-hospital").focus()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"level=hospital"))
    expect(page.locator("#catalog-status")).to_have_text("58 measures found")
    assert page.evaluate("() => document.activeElement.id") == "facet-level-hospital"
    # Back restores the unfiltered list.
    page.go_back()
    expect(result_count(page)).to_have_text(re.compile(f"^{ALL_MEASURES}"))


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        (LIST + "?q=no-such-words-anywhere", 200, "No measure matches"),
        (LIST + "?set=NOPE&level=plan", 200, "so this filter was left out"),
        (LIST + "?page=3", 200, "page 3 of 7"),
        (reverse("measures:measure-compare") + "?m=pqi-01", 200, "Choose at least one more"),
        (reverse("measures:measure-compare") + "?m=pqi-01&m=nope", 200, "no measure “nope”"),
        (reverse("measures:measure-detail", args=["nope"]), 404, "Page not found"),
    ],
)
def test_catalog_messages_are_accessible(page, catalog, path, status, text):
    response = page.goto(path)
    assert response.status == status
    expect(page.get_by_role("main")).to_contain_text(text)
    assert_accessible(page)


def test_the_catalog_works_without_javascript(browser, live_server, catalog):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(LIST)
        page.get_by_label("Search measures").fill("admission")
        tick(page, "facet-set-pqi")
        tick(page, "facet-status-current")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert "q=admission" in page.url and "set=PQI" in page.url, page.url
        expect(page.locator("#facet-set-pqi")).to_be_checked()
        codes = page.locator("#measure-results th[scope=row]").all_inner_texts()
        assert codes and all(code.startswith("PQI") for code in codes), codes
        for slug in ("pqi-01", "pqi-03"):
            tick(page, f"compare-{slug}")
        with page.expect_navigation():
            page.get_by_role("button", name="Compare", exact=True).click()
        expect(page.get_by_role("table", name="PQI 01, PQI 03 side by side")).to_be_visible()
        # The pickers change the comparison without JavaScript too.
        page.get_by_label("Third measure (optional)").select_option("pqi-90")
        with page.expect_navigation():
            page.get_by_role("button", name="Compare", exact=True).click()
        three = page.get_by_role("table", name="PQI 01, PQI 03, PQI 90 side by side")
        expect(three).to_be_visible()
    finally:
        context.close()
