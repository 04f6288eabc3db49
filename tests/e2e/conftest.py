"""Browser fixtures: one headless Chromium per session, a fresh context per test, axe on every page.

The pages are served by pytest-django's ``live_server`` (a real HTTP server in a thread, on
the transactional test database), and driven through Playwright's sync API.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import sync_playwright

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

_axe = Axe()


def assert_accessible(page):
    """Run axe-core on the page as it is now; any violation fails the test with axe's report."""
    results = _axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


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
    yield tab
    context.close()


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
