"""Every page, as every role, in a real browser: axe-core finds no violation, and the keyboard
alone is enough (skip link, visible focus, labelled fields, errors announced)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from coalitions.models import Coalition, Contact, Enrollment
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

ROLE_USERS = {
    "staff": "staff_user",
    "evaluator": "evaluator_user",
    "lead": "lead_user",
    "member": "member_user",
    "anonymous": None,
}

# The pages each role may see (and, where the role has one, a page it is refused: 403).
PAGES_FOR_ROLE = {
    "staff": [
        "home",
        "password-change",
        "password-change-done",
        "password-reset",
        "password-reset-done",
        "program-list",
        "program-detail",
        "program-create",
        "program-update",
        "enrollment-create",
        "enrollment-update",
        "coalition-list",
        "coalition-list-filtered",
        "coalition-list-empty",
        "coalition-detail",
        "coalition-create",
        "coalition-update",
        "contact-create",
        "contact-update",
        "contact-delete",
        "not-found",
    ],
    "evaluator": [
        "home",
        "password-change",
        "program-list",
        "program-detail",
        "coalition-list",
        "coalition-list-filtered",
        "coalition-list-empty",
        "coalition-detail",
        "not-found",
        "forbidden-program-create",
    ],
    "lead": [
        "home",
        "my-coalition",
        "coalition-detail",
        "contact-create",
        "contact-update",
        "not-found",
        "forbidden-coalition-update",
    ],
    "member": [
        "home",
        "my-coalition",
        "coalition-detail",
        "not-found",
        "forbidden-contact-create",
    ],
    "anonymous": [
        "home",
        "login",
        "password-reset",
        "password-reset-done",
        "password-reset-confirm",
        "not-found",
    ],
}


@pytest.fixture
def portal(coalition, other_coalition, staff_user):
    program = factories.ProgramFactory(code="qbp-2026", name="QBP technical assistance")
    enrollment = factories.EnrollmentFactory(program=program, coalition=coalition)
    factories.ProgramPartnerFactory(program=program)
    contact = factories.ContactFactory(coalition=coalition, name="Pat Quality")
    return SimpleNamespace(
        program=program,
        coalition=coalition,
        other_coalition=other_coalition,
        enrollment=enrollment,
        contact=contact,
        staff_user=staff_user,
    )


def page_urls(portal):
    """Page name -> (path, expected HTTP status once redirects are followed, text on it)."""
    program, coalition, contact = portal.program, portal.coalition, portal.contact
    filters = (
        f"?kind={Coalition.Kind.PURCHASER}&state=MD&status=active"
        f"&program={program.code}&tier={Enrollment.Tier.SUPPORT}"
    )
    user = portal.staff_user
    reset_confirm = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return {
        "home": (reverse("core:home"), 200, None),
        "login": (reverse("accounts:login"), 200, "Sign in"),
        "password-change": (reverse("accounts:password-change"), 200, "Change password"),
        "password-change-done": (reverse("accounts:password-change-done"), 200, None),
        "password-reset": (reverse("accounts:password-reset"), 200, "Reset your password"),
        "password-reset-done": (reverse("accounts:password-reset-done"), 200, "Check your"),
        "password-reset-confirm": (reset_confirm, 200, "Choose a new password"),
        "program-list": (reverse("coalitions:program-list"), 200, program.name),
        "program-detail": (program.get_absolute_url(), 200, coalition.name),
        "program-create": (reverse("coalitions:program-create"), 200, "New program"),
        "program-update": (reverse("coalitions:program-update", args=[program.code]), 200, "Edit"),
        "enrollment-create": (
            reverse("coalitions:enrollment-create", args=[program.code]),
            200,
            "Enrol",
        ),
        "enrollment-update": (
            reverse("coalitions:enrollment-update", args=[portal.enrollment.pk]),
            200,
            "Enrolment",
        ),
        "coalition-list": (reverse("coalitions:coalition-list"), 200, "2 coalitions"),
        "coalition-list-filtered": (
            reverse("coalitions:coalition-list") + filters,
            200,
            "1 coalition",
        ),
        "coalition-list-empty": (
            reverse("coalitions:coalition-list") + "?q=no-such-coalition",
            200,
            "No coalition matches these filters",
        ),
        "coalition-detail": (coalition.get_absolute_url(), 200, contact.name),
        "coalition-create": (reverse("coalitions:coalition-create"), 200, "New coalition"),
        "coalition-update": (
            reverse("coalitions:coalition-update", args=[coalition.pk]),
            200,
            "Edit",
        ),
        "contact-create": (
            reverse("coalitions:contact-create", args=[coalition.pk]),
            200,
            "Add a contact",
        ),
        "contact-update": (
            reverse("coalitions:contact-update", args=[contact.pk]),
            200,
            contact.name,
        ),
        "contact-delete": (reverse("coalitions:contact-delete", args=[contact.pk]), 200, "Remove"),
        "my-coalition": (reverse("coalitions:my-coalition"), 200, coalition.name),
        "not-found": ("/no-such-page/", 404, "Page not found"),
        "forbidden-program-create": (
            reverse("coalitions:program-create"),
            403,
            "You do not have access",
        ),
        "forbidden-coalition-update": (
            reverse("coalitions:coalition-update", args=[coalition.pk]),
            403,
            "You do not have access",
        ),
        "forbidden-contact-create": (
            reverse("coalitions:contact-create", args=[coalition.pk]),
            403,
            "You do not have access",
        ),
    }


def visit(page, path, status=200):
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}, not {status}"
    assert_accessible(page)
    return page


def submit(page, button_name):
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name=button_name).click()
    assert_accessible(page)


def focused(page, selector):
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def tab_to(page, selector, max_presses=40):
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(max_presses):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{max_presses} presses of Tab never reached {selector}")


def assert_focus_visible(page):
    style = page.evaluate(
        """() => {
            const el = document.activeElement, s = getComputedStyle(el);
            return {tag: el.outerHTML.slice(0, 120), outlineStyle: s.outlineStyle,
                    outlineWidth: parseFloat(s.outlineWidth), boxShadow: s.boxShadow};
        }"""
    )
    outline = style["outlineStyle"] != "none" and style["outlineWidth"] > 0
    assert outline or style["boxShadow"] != "none", f"no visible focus indicator: {style}"


# --- every page, every role -------------------------------------------------------------------


@pytest.mark.parametrize("role", list(PAGES_FOR_ROLE))
def test_every_page_the_role_sees_has_no_axe_violation(role, request, portal, page, login_as):
    fixture = ROLE_USERS[role]
    if fixture is not None:
        login_as(request.getfixturevalue(fixture))
    urls = page_urls(portal)
    for name in PAGES_FOR_ROLE[role]:
        path, status, text = urls[name]
        visit(page, path, status)
        if text:
            assert text in page.get_by_role("main").inner_text(), f"{name}: {path}"


def test_coalition_search_that_finds_nothing_shows_the_empty_state(
    portal, page, login_as, evaluator_user
):
    login_as(evaluator_user)
    visit(page, reverse("coalitions:coalition-list"))
    page.get_by_label("Search").fill("no-such-coalition")
    page.get_by_role("button", name="Apply filters").click()
    empty = page.get_by_text("No coalition matches these filters")
    empty.wait_for()
    assert page.get_by_test_id("result-count").inner_text() == "0 coalitions"
    assert_accessible(page)


# --- forms with errors ------------------------------------------------------------------------


def assert_errors_announced(page, field_id):
    summary = page.get_by_role("alert").filter(has_text="Please correct")
    assert summary.is_visible()
    assert summary.evaluate("(el) => el === document.activeElement"), "summary has not the focus"
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true"
    described_by = field.get_attribute("aria-describedby").split()
    assert f"{field_id}_error" in described_by
    assert page.locator(f"#{field_id}_error").is_visible()


def test_empty_coalition_form_announces_its_errors(portal, page, login_as, staff_user):
    login_as(staff_user)
    visit(page, reverse("coalitions:coalition-create"))
    submit(page, "Save")
    assert_errors_announced(page, "id_name")
    assert page.locator("#id_kind").get_attribute("aria-invalid") == "true"
    # The summary's link takes a keyboard user to the field.
    tab_to(page, "a[href='#id_name']")
    page.keyboard.press("Enter")
    assert focused(page, "#id_name")


def test_contact_form_with_a_bad_email_announces_the_error(portal, page, login_as, lead_user):
    login_as(lead_user)
    visit(page, reverse("coalitions:contact-create", args=[portal.coalition.pk]))
    page.get_by_label("Name").fill("Robin Data")
    page.get_by_label("E-mail address").fill("not-an-e-mail")
    submit(page, "Save")
    assert_errors_announced(page, "id_email")
    assert page.locator("#id_name").get_attribute("aria-invalid") is None


# --- keyboard ---------------------------------------------------------------------------------


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page):
    visit(page, reverse("core:home"))
    page.keyboard.press("Tab")
    skip = page.evaluate("() => document.activeElement.textContent.trim()")
    assert skip == "Skip to main content"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    # The next stop is the first control in the main content, and its focus shows.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    assert page.evaluate("() => document.activeElement.tagName") == "A"
    assert_focus_visible(page)


def test_buttons_and_links_show_their_focus(portal, page, login_as, staff_user):
    login_as(staff_user)
    visit(page, reverse("coalitions:coalition-list"))
    for selector in (
        "header form[action$='/logout/'] button",
        "a.usa-nav-link",
        "main button[type=submit]",
        "main form[role=search] a",
        "main table a",
    ):
        tab_to(page, selector)
        assert_focus_visible(page)


def test_login_with_the_keyboard_alone(page, staff_user):
    visit(page, reverse("accounts:login"))
    # A wrong password first: the error is announced and focused.
    tab_to(page, "#id_username")
    page.keyboard.type(staff_user.email)
    page.keyboard.press("Tab")
    assert focused(page, "#id_password")
    page.keyboard.type("not-the-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    alert = page.get_by_role("alert")
    assert "correct e-mail address and password" in alert.inner_text()
    assert alert.evaluate("(el) => el === document.activeElement")

    tab_to(page, "#id_username")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(staff_user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    tab_to(page, "main button[type=submit]")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    assert page.get_by_test_id("signed-in-as").inner_text() == staff_user.email


# --- user flows -------------------------------------------------------------------------------


def test_staff_creates_a_coalition_and_enrols_it(portal, page, login_as, staff_user):
    login_as(staff_user)

    page.get_by_role("navigation", name="Primary").get_by_role("link", name="Coalitions").click()
    page.wait_for_url("**/coalitions/")
    assert_accessible(page)
    page.get_by_role("link", name="New coalition").click()
    page.wait_for_url("**/coalitions/new/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Chesapeake Purchasers")
    page.get_by_label("Kind").select_option(label="Purchaser coalition")
    # Several states are ticked (checkboxes, not a Ctrl-click list).
    states = page.get_by_role("group", name="State(s)")
    for state in ("Maryland", "Virginia"):
        states.get_by_text(state, exact=True).click()
        expect(states.get_by_label(state, exact=True)).to_be_checked()
    page.get_by_label("Market").fill("Baltimore–Washington")
    submit(page, "Save")
    assert "Coalition “Chesapeake Purchasers” created." in page.get_by_role("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Chesapeake Purchasers"
    assert Coalition.objects.get(name="Chesapeake Purchasers").state_list == ["MD", "VA"]

    page.get_by_role("navigation", name="Primary").get_by_role("link", name="Programs").click()
    page.wait_for_url("**/programs/")
    assert_accessible(page)
    page.get_by_role("link", name=portal.program.name).click()
    page.wait_for_url(f"**{portal.program.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("link", name="Enrol a coalition").click()
    page.wait_for_url("**/enroll/")
    assert_accessible(page)
    page.get_by_label("Coalition").select_option(label="Chesapeake Purchasers")
    page.get_by_label("Tier").select_option(label="Intensive assistance")
    submit(page, "Enrol")

    assert page.url.endswith(portal.program.get_absolute_url())
    main = page.get_by_role("main")
    assert "Chesapeake Purchasers is enrolled in the intensive assistance tier." in (
        main.inner_text()
    )
    enrolled = page.get_by_role("table", name=f"Coalitions enrolled in {portal.program.name}")
    row = enrolled.get_by_role("row").filter(has_text="Chesapeake Purchasers")
    assert "Intensive assistance" in row.inner_text()
    assert Enrollment.objects.filter(
        program=portal.program, coalition__name="Chesapeake Purchasers"
    ).exists()


def test_lead_adds_a_contact_on_my_coalition(portal, page, login_as, lead_user):
    login_as(lead_user)
    assert page.url.endswith(reverse("coalitions:my-coalition"))

    page.get_by_role("link", name="Add a contact").click()
    page.wait_for_url("**/contacts/new/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Robin Data")
    page.get_by_label("E-mail address").fill("robin@example.org")
    page.get_by_label("Title").fill("Analyst")
    page.get_by_label("Role").select_option(label="Data and measurement lead")
    submit(page, "Save")

    assert page.url.endswith(reverse("coalitions:my-coalition"))
    assert "Contact Robin Data added." in page.get_by_role("main").inner_text()
    contacts = page.get_by_role("table", name=f"Contacts at {portal.coalition.name}")
    assert "robin@example.org" in contacts.get_by_role("row", name="Robin Data").inner_text()
    assert Contact.objects.filter(coalition=portal.coalition, email="robin@example.org").exists()
