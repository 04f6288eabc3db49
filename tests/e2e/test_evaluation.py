"""The evaluation in a real browser: every new page as each role (axe-core, reflow at 320 px,
a clean console), a report with its charts included, and the evaluator's path from
requesting a process report to a course correction on the staff dashboard."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from coalitions.models import Membership
from evaluation import compile, services
from evaluation.models import Report
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

# A report compiles in the request that asks for it (Celery is eager in tests), WeasyPrint's
# PDF included: the navigation after "Request the report" may take some seconds.
COMPILE_MS = 90_000


@pytest.fixture
def data(coalition, other_coalition, staff_user):
    today = timezone.localdate()
    program = factories.ProgramFactory(
        code="pps", name="Purchaser-Provider Synergies",
        start_date=date(today.year, 1, 1), end_date=date(today.year + 1, 12, 31),
    )
    for member, tier in ((coalition, "intensive"), (other_coalition, "support")):
        factories.EnrollmentFactory(program=program, coalition=member, tier=tier,
                                    enrolled_on=program.start_date)
    for kind, hours in (("workshop", 6), ("site_visit", 4), ("consultation", 1.5)):
        factories.TechnicalAssistanceFactory(
            program=program, staff_member=staff_user, coalitions=[coalition], kind=kind,
            hours=hours, date=today - timedelta(days=1), summary=f"{kind} for the coalition")
    return SimpleNamespace(program=program, coalition=coalition, today=today)


def _report(program, actor, coalition=None, shared=False):
    report = Report.objects.create(program=program, kind="process", coalition=coalition,
                                   requested_by=actor, period_start=program.start_date,
                                   period_end=timezone.localdate())
    from evaluation import tasks

    tasks.report_compile_task(report.pk)
    report.refresh_from_db()
    if shared:
        services.report_share(report=report, shared=True, actor=actor)
    return report


def test_every_page_as_staff_evaluator_and_lead(data, page, login_as, staff_user,
                                                evaluator_user, lead_user, settings, tmp_path,
                                                monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # The PDF is not read here (the walk below downloads a real one); WeasyPrint is slow.
    monkeypatch.setattr(compile, "pdf_render", lambda html: b"%PDF-1.7 (a stand-in)")
    shared = _report(data.program, staff_user, data.coalition, shared=True)
    unshared = _report(data.program, staff_user, data.coalition)
    query = f"?program=pps&start={data.program.start_date}&end={data.today}"
    pages = {
        "reports": (reverse("evaluation:report-list"), "Reports"),
        "request": (reverse("evaluation:report-request"), "Request a report"),
        "report": (shared.get_absolute_url(), "Technical-assistance hours"),
        "indicators": (reverse("evaluation:indicator-list") + query, "Attendance rate"),
        "indicator": (reverse("evaluation:indicator-detail", args=["ta_hours"]) + query,
                      "By coalition"),
        "targets": (reverse("evaluation:target-list"), "Targets"),
        "dashboard": (reverse("coalitions:dashboard"), "Open course corrections"),
    }
    for user, names in ((staff_user, list(pages)),
                        (evaluator_user, ["reports", "indicators", "targets"]),
                        (lead_user, ["reports", "report"])):
        page.context.clear_cookies()
        login_as(user)
        for name in names:
            path, text = pages[name]
            response = page.goto(path)
            assert response.status == 200, f"{user}: {path} answered {response.status}"
            assert text in page.get_by_role("main").inner_text(), (user, name)
            assert_accessible(page)
    # the lead: nothing unshared, no indicators
    for path in (unshared.get_absolute_url(), reverse("evaluation:indicator-list")):
        assert page.goto(path).status in (403, 404)
    assert page.goto(unshared.get_absolute_url()).status == 404
    assert_accessible(page)


def test_a_bad_request_shows_its_error_beside_the_field(data, page, login_as,
                                                        evaluator_user):
    login_as(evaluator_user)
    page.goto(reverse("evaluation:report-request"))
    page.get_by_label("Period starts").fill("2026-03-01")
    page.get_by_label("Period ends").fill("2026-02-01")
    page.get_by_role("button", name="Request the report").click()
    page.wait_for_load_state()
    assert "cannot end before it starts" in page.locator("#id_period_end_error").inner_text()
    assert_accessible(page)
    assert not Report.objects.exists()


def test_an_evaluator_requests_reads_downloads_and_records_a_course_correction(
        data, page, login_as, evaluator_user, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login_as(evaluator_user)
    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.wait_for_url("**/reports/")
    assert_accessible(page)
    page.get_by_role("link", name="Request a report").click()
    page.wait_for_url("**/reports/new/")
    assert_accessible(page)
    page.get_by_label("Program").select_option(label="Purchaser-Provider Synergies")
    page.get_by_label("Kind of report").select_option(label="Quarterly process report")
    page.get_by_label("Period starts").fill(data.program.start_date.isoformat())
    page.get_by_label("Period ends").fill(data.today.isoformat())
    with page.expect_navigation(timeout=COMPILE_MS):
        page.get_by_role("button", name="Request the report").click(timeout=COMPILE_MS)
    report = Report.objects.get()
    assert page.url.endswith(report.get_absolute_url())
    # Eager in tests, so usually done already; else the status fragment polls until it is.
    status = page.get_by_test_id("report-status")
    status.get_by_text("Succeeded").wait_for(timeout=COMPILE_MS)
    assert_accessible(page)  # the report, its charts and tables

    hours = page.locator("#indicator-ta_hours")
    assert hours.get_by_role("img").get_attribute("alt").startswith("Bar chart of")
    table = hours.get_by_role("table", name="Technical-assistance hours: the numbers behind "
                                            "the chart")
    assert "Site visit" in table.inner_text()
    assert page.get_by_test_id("value-ta_hours").inner_text() == "11.5"

    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    with open(pdf.value.path(), "rb") as downloaded:
        assert downloaded.read(4) == b"%PDF"
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Excel workbook (XLSX)", exact=False).click()
    with open(xlsx.value.path(), "rb") as downloaded:
        rows = list(load_workbook(downloaded)["Indicators"].iter_rows(values_only=True))
    assert rows[0][0] == "Key" and any(row[0] == "ta_hours" for row in rows)

    page.get_by_role("link", name="Record a finding").click()
    page.wait_for_url("**/findings/new/")
    assert_accessible(page)
    page.get_by_label("Finding").fill("Only one coalition received assistance this quarter.")
    page.get_by_label("Course correction").fill("Schedule a site visit with the other "
                                                "coalition.")
    page.get_by_label("Owner").select_option(label=staff_user.get_full_name())
    page.get_by_label("Due date").fill((data.today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{report.get_absolute_url()}#findings")
    assert "Schedule a site visit" in page.locator("#findings").inner_text()
    assert_accessible(page)

    page.context.clear_cookies()
    login_as(staff_user)
    page.goto(reverse("coalitions:dashboard"))
    panel = page.get_by_test_id("panel-course-corrections")
    assert "Schedule a site visit with the other coalition." in panel.inner_text()
    assert_accessible(page)


def test_another_coalitions_lead_gets_404(data, page, login_as, staff_user, other_coalition,
                                          settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(compile, "pdf_render", lambda html: b"%PDF-1.7 (a stand-in)")
    shared = _report(data.program, staff_user, data.coalition, shared=True)
    outsider = factories.MembershipFactory(coalition=other_coalition,
                                           role=Membership.Role.LEAD,
                                           user__email="outsider@example.org").user
    login_as(outsider)
    for path in (shared.get_absolute_url(),
                 reverse("evaluation:report-file", args=[shared.pk, "pdf"])):
        assert page.goto(path).status == 404
    page.goto(shared.get_absolute_url())
    assert_accessible(page)
