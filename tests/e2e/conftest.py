"""Browser fixtures: one headless Chromium per session, a fresh context per test, axe on every page.

The pages are served by pytest-django's ``live_server`` (a real HTTP server in a thread, on
the transactional test database), and driven through Playwright's sync API.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from accounts.roles import EVALUATOR, PROGRAM_STAFF, roles_sync
from tests import factories

# Playwright's sync API runs an asyncio event loop in the test thread, so Django sees an
# "async context" there and refuses ORM calls (SynchronousOnlyOperation), in factories and
# fixtures alike. Nothing here is async: the test thread touches the database only between
# browser steps, never while the loop works, so the guard is safe to lift. It is lifted for
# the whole run, not per test, because the session's browser keeps that loop running until
# the session ends, that is also during any test collected after this folder.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
# Assertions wait as long as actions do (their own default is 5 s): the browser tests run
# beside the other test process (make test), on a busy machine.
expect.set_options(timeout=TIMEOUT_MS)

_axe = Axe()

# WCAG 1.4.10 Reflow: at 320 CSS pixels wide (a phone, or 1280 px at 400 % zoom) no page may
# scroll sideways. A table too wide for that either stacks or scrolls in its own region.
REFLOW_WIDTH = 320

# The elements sticking out past the right edge, for the failure message: the deepest ones
# first (a table's cell rather than every box around it).
_OVERFLOW_SCRIPT = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
        const box = el.getBoundingClientRect();
        if (box.right <= width + 1 || box.width === 0) return false;
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            const overflow = getComputedStyle(up).overflowX;
            if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') return false;
        }
        return true;
    });
    return {
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: width,
        wide: wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)))
            .slice(0, 5).map((el) => el.outerHTML.slice(0, 160)),
    };
}"""


def assert_reflows(page):
    """At 320 CSS pixels wide the page does not scroll sideways (WCAG 1.4.10)."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        found = page.evaluate(_OVERFLOW_SCRIPT)
    finally:
        page.set_viewport_size(size)
    assert found["scrollWidth"] <= found["clientWidth"], (
        f"{page.url} scrolls sideways at {REFLOW_WIDTH} px: {found['scrollWidth']} px wide "
        f"in {found['clientWidth']} px; too wide: " + "\n".join(found["wide"])
    )


def assert_no_console_errors(page):
    """Nothing the page did so far logged an error: a refused script or style (the
    Content-Security-Policy), a missing file (404), an uncaught exception."""
    errors = page.console_errors[:]
    page.console_errors.clear()
    assert not errors, f"{page.url} logged errors in the browser console:\n" + "\n".join(errors)


def assert_accessible(page):
    """Every browser test's check of a page as it is now: axe-core finds no violation, the page
    reflows at 320 px without scrolling sideways, and the console shows no error."""
    results = _axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    assert_reflows(page)
    assert_no_console_errors(page)


_HTMX_ABORT_LOGS = {"htmx:afterRequest", "htmx:sendAbort"}


def _collect_console_errors(tab):
    """Keep the console's errors on ``tab.console_errors``.

    Left out: Chromium logging a page whose own answer is an error status (a 404 or 403 page
    a test visits on purpose) as a failed resource, since the test asserts that status itself;
    and htmx logging a request it aborted on purpose because a newer one replaced it
    (hx-sync "replace"), which it reports as "htmx:sendAbort" after "htmx:afterRequest" (a
    request that failed is still caught: htmx:sendError, htmx:responseError, htmx:timeout).
    Any other failed load, a CSP refusal or an uncaught exception is kept."""
    tab.console_errors = []

    def on_console(message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url == tab.url:
            return
        if message.text.split(",")[0] in _HTMX_ABORT_LOGS:
            return
        tab.console_errors.append(f"{message.text} ({url})")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: tab.console_errors.append(f"uncaught: {error}"))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    # post_migrate re-creates the role groups after each flush; make sure of it anyway.
    if Group.objects.filter(name__in=[PROGRAM_STAFF, EVALUATOR]).count() < 2:
        roles_sync()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    _collect_console_errors(tab)
    yield tab
    errors = tab.console_errors
    context.close()
    assert not errors, "the browser console logged errors:\n" + "\n".join(errors)


@pytest.fixture
def login_as(page):
    """Sign ``user`` in through the real login form and return the page they land on."""

    def login(user, password=factories.PASSWORD):
        page.goto(reverse("accounts:login"))
        assert_accessible(page)
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.get_by_test_id("signed-in-as").inner_text() == user.email, page.url
        assert_accessible(page)
        return page

    return login
