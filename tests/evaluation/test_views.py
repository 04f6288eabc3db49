"""The evaluation's pages, as each role sees them: reports, their files, findings, indicators
and targets."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from coalitions import dashboard
from evaluation import compile, services
from evaluation.models import Finding, Report, Target
from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # WeasyPrint takes seconds a report; tests/evaluation/test_reports.py renders real PDFs.
    monkeypatch.setattr(compile, "pdf_render", lambda html: b"%PDF-1.7 (a stand-in)")


def signed_in(user):
    """A client of its own (the ``*_client`` fixtures share one)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def program(db):
    return factories.ProgramFactory(code="qbp", name="QBP program", start_date=date(2026, 1, 1),
                                    end_date=date(2027, 12, 31))


@pytest.fixture
def enrolled(program, coalition, other_coalition):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    factories.EnrollmentFactory(program=program, coalition=other_coalition)


def _request(program, actor, coalition=None, kind="process", end=date(2026, 3, 31),
             capture=None):
    report, _ = services.report_request(program=program, kind=kind,
                                        period_start=date(2026, 1, 1), period_end=end,
                                        coalition=coalition, actor=actor)
    report.refresh_from_db()
    return report


@pytest.fixture
def report(program, evaluator_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = _request(program, evaluator_user)
    report.refresh_from_db()
    assert report.status == Report.Status.SUCCEEDED, report.error
    return report


@pytest.fixture
def coalition_report(program, enrolled, coalition, evaluator_user,
                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = _request(program, evaluator_user, coalition=coalition)
    report.refresh_from_db()
    return report


# --- the list ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    for url in (reverse("evaluation:report-list"), report.get_absolute_url(),
                reverse("evaluation:report-file", args=[report.pk, "pdf"]),
                reverse("evaluation:indicator-list"), reverse("evaluation:target-list")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_staff_and_evaluators_see_every_report(client, staff_user, evaluator_user, report,
                                                coalition_report):
    for user in (staff_user, evaluator_user):
        client.force_login(user)
        page = client.get(reverse("evaluation:report-list")).content.decode()
        assert "2 reports" in page
        assert report.get_absolute_url() in page and coalition_report.get_absolute_url() in page


def test_the_list_filters_by_program_kind_and_status(evaluator_client, program, report,
                                                     evaluator_user):
    other = factories.ProgramFactory(code="other")
    Report.objects.create(program=other, kind="outcome", period_start=date(2026, 1, 1),
                          period_end=date(2026, 3, 31), status=Report.Status.FAILED)
    url = reverse("evaluation:report-list")
    assert "1 report<" in evaluator_client.get(url, {"program": "qbp"}).content.decode()
    assert "1 report<" in evaluator_client.get(url, {"status": "failed"}).content.decode()
    assert "0 reports" in evaluator_client.get(
        url, {"kind": "outcome", "program": "qbp"}).content.decode()
    bad = evaluator_client.get(url, {"program": "nope"}).content.decode()
    assert "Select a valid choice" in bad


def test_a_lead_sees_only_the_shared_reports_of_their_coalition(
        lead_client, staff_user, coalition_report, report, program, other_coalition,
        evaluator_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        foreign = _request(program, evaluator_user, coalition=other_coalition)
    services.report_share(report=foreign, shared=True, actor=staff_user)
    url = reverse("evaluation:report-list")
    assert "0 reports" in lead_client.get(url).content.decode()
    assert lead_client.get(coalition_report.get_absolute_url()).status_code == 404
    services.report_share(report=coalition_report, shared=True, actor=staff_user)
    page = lead_client.get(url).content.decode()
    assert "1 report<" in page and coalition_report.get_absolute_url() in page
    assert lead_client.get(coalition_report.get_absolute_url()).status_code == 200
    for other in (report, foreign):
        assert lead_client.get(other.get_absolute_url()).status_code == 404


def test_members_may_not_see_reports(member_client, coalition_report, staff_user):
    services.report_share(report=coalition_report, shared=True, actor=staff_user)
    assert member_client.get(reverse("evaluation:report-list")).status_code == 403
    assert member_client.get(coalition_report.get_absolute_url()).status_code == 403
    assert member_client.get(reverse("evaluation:indicator-list")).status_code == 403


def test_the_list_reads_in_constant_queries(evaluator_client, program, evaluator_user):
    def grow(n):
        for i in range(n):
            Report.objects.create(program=program, kind="process", requested_by=evaluator_user,
                                  period_start=date(2026, 1, 1),
                                  period_end=date(2026, 1, 1 + i % 28),
                                  coalition=factories.CoalitionFactory())

    assert_constant(evaluator_client, reverse("evaluation:report-list"), grow, small=3,
                    large=20)


# --- requesting -------------------------------------------------------------------------------


def test_an_evaluator_requests_a_report_and_lands_on_its_page(
        evaluator_client, program, django_capture_on_commit_callbacks):
    form = evaluator_client.get(reverse("evaluation:report-request")).content.decode()
    assert "Add an appendix with names" not in form  # staff only
    with django_capture_on_commit_callbacks(execute=True):
        response = evaluator_client.post(reverse("evaluation:report-request"), {
            "program": program.pk, "kind": "process", "period_start": "2026-01-01",
            "period_end": "2026-03-31"})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    page = evaluator_client.get(report.get_absolute_url())
    html = page.content.decode()
    assert "Succeeded" in html and "Attendance rate" in html
    assert "data:image/svg+xml;base64," in html
    assert "data:" in page["Content-Security-Policy"]
    assert "hx-trigger" not in html  # done: nothing polls


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"period_start": "2026-03-01", "period_end": "2026-02-01"}, "period_end",
     "cannot end before it starts"),
    ({"kind": "formal"}, "kind", "Staff can ask for it early"),
    ({"program": "999"}, "program", "Select a valid choice"),
    ({"coalition": "999"}, "coalition", "Select a valid choice"),
    ({"period_end": "not a date"}, "period_end", "Enter a valid date"),
])
def test_a_bad_request_is_refused_beside_the_field(evaluator_client, program, data, field,
                                                   message):
    values = {"program": program.pk, "kind": "process", "period_start": "2026-01-01",
              "period_end": "2026-03-31", **data}
    response = evaluator_client.post(reverse("evaluation:report-request"), values)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Report.objects.exists()


def test_a_coalition_not_enrolled_in_the_program_is_refused(evaluator_client, program,
                                                            coalition):
    response = evaluator_client.post(reverse("evaluation:report-request"), {
        "program": program.pk, "kind": "process", "period_start": "2026-01-01",
        "period_end": "2026-03-31", "coalition": coalition.pk})
    assert "is not enrolled" in " ".join(response.context["form"].errors["coalition"])
    assert not Report.objects.exists()


def test_staff_may_ask_for_the_formal_analysis_early(staff_client, program,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("evaluation:report-request"), {
            "program": program.pk, "kind": "formal", "period_start": "2026-01-01",
            "period_end": "2026-06-30", "allow_early_formal": "on"})
    assert Report.objects.get().kind == "formal"


def test_asking_again_while_it_runs_opens_the_running_report(evaluator_client, program):
    running = Report.objects.create(program=program, kind="process", status="running",
                                    period_start=date(2026, 1, 1),
                                    period_end=date(2026, 3, 31), progress=40,
                                    step="Computing attendance")
    response = evaluator_client.post(reverse("evaluation:report-request"), {
        "program": program.pk, "kind": "process", "period_start": "2026-01-01",
        "period_end": "2026-03-31"}, follow=True)
    assert response.redirect_chain[-1][0] == running.get_absolute_url()
    assert Report.objects.count() == 1
    html = response.content.decode()
    assert "already being compiled" in html
    assert "40 % done, computing attendance" in html
    assert 'hx-trigger="every 2s"' in html


def test_the_status_fragment_polls_until_the_report_is_done(evaluator_client, program):
    running = Report.objects.create(program=program, kind="process", status="running",
                                    period_start=date(2026, 1, 1),
                                    period_end=date(2026, 3, 31), progress=60)
    url = reverse("evaluation:report-status", args=[running.pk])
    fragment = evaluator_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "60 % done" in fragment
    assert "<html" not in fragment
    Report.objects.filter(pk=running.pk).update(status="failed", error="ValueError: boom")
    fragment = evaluator_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "ValueError: boom" in fragment
    assert "Retry" in fragment


def test_a_failed_report_can_be_retried(evaluator_client, program,
                                        django_capture_on_commit_callbacks):
    failed = Report.objects.create(program=program, kind="process", status="failed",
                                   error="OperationalError: gone", period_start=date(2026, 1, 1),
                                   period_end=date(2026, 3, 31))
    with django_capture_on_commit_callbacks(execute=True):
        response = evaluator_client.post(reverse("evaluation:report-retry", args=[failed.pk]))
    assert response["Location"] == failed.get_absolute_url()
    failed.refresh_from_db()
    assert failed.status == Report.Status.SUCCEEDED and failed.error == ""


# --- files ------------------------------------------------------------------------------------


def test_files_download_through_the_permission_check(evaluator_client, report):
    pdf = evaluator_client.get(reverse("evaluation:report-file", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:4] == b"%PDF"
    assert "attachment" in pdf["Content-Disposition"]
    xlsx = evaluator_client.get(reverse("evaluation:report-file", args=[report.pk, "xlsx"]))
    book = load_workbook(__import__("io").BytesIO(b"".join(xlsx.streaming_content)))
    assert book["Indicators"]["A1"].value == "Key"
    html = evaluator_client.get(reverse("evaluation:report-file", args=[report.pk, "html"]))
    assert b"Attendance rate" in b"".join(html.streaming_content)
    page = evaluator_client.get(report.get_absolute_url()).content.decode()
    assert "/media/" not in page and report.pdf_file.name not in page
    assert evaluator_client.get(
        reverse("evaluation:report-file", args=[report.pk, "docx"])).status_code == 404


def test_a_lead_downloads_only_a_shared_report_about_their_coalition(
        lead_client, staff_user, coalition_report, report):
    url = reverse("evaluation:report-file", args=[coalition_report.pk, "pdf"])
    assert lead_client.get(url).status_code == 404
    services.report_share(report=coalition_report, shared=True, actor=staff_user)
    assert lead_client.get(url).status_code == 200
    assert lead_client.get(
        reverse("evaluation:report-file", args=[report.pk, "pdf"])).status_code == 404


def test_an_unfinished_report_has_no_files(evaluator_client, program):
    running = Report.objects.create(program=program, kind="process", status="running",
                                    period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    assert evaluator_client.get(
        reverse("evaluation:report-file", args=[running.pk, "pdf"])).status_code == 404


# --- sharing ----------------------------------------------------------------------------------


def test_staff_share_a_coalition_report_with_its_lead(staff_client, evaluator_user,
                                                      coalition_report, report):
    evaluator_client = signed_in(evaluator_user)
    page = staff_client.get(coalition_report.get_absolute_url()).content.decode()
    assert "Share with the leads of Home Coalition" in page
    assert "Share with" not in staff_client.get(report.get_absolute_url()).content.decode()
    staff_client.post(reverse("evaluation:report-share", args=[coalition_report.pk]),
                      {"shared": "1"})
    coalition_report.refresh_from_db()
    assert coalition_report.shared_with_coalition
    assert evaluator_client.post(
        reverse("evaluation:report-share", args=[coalition_report.pk]),
        {"shared": "0"}).status_code == 403


# --- findings ---------------------------------------------------------------------------------


def test_an_evaluator_records_a_correction_that_shows_on_the_dashboard(
        evaluator_client, report, staff_user):
    staff_client = signed_in(staff_user)
    url = reverse("evaluation:finding-create", args=[report.pk])
    response = evaluator_client.post(url, {
        "finding": "Few coalitions came back to the network.", "decision": "Call each lead.",
        "owner": staff_user.pk, "due_date": "2026-05-01", "status": "open"})
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.recorded_by.email == "evaluator@example.org"
    dashboard_page = staff_client.get(reverse("coalitions:dashboard")).content.decode()
    assert "Open course corrections" in dashboard_page and "Call each lead." in dashboard_page
    edit = reverse("evaluation:finding-update", args=[report.pk, finding.pk])
    form = evaluator_client.get(edit).content.decode()
    assert "Call each lead." in form  # opens with the record's values
    evaluator_client.post(edit, {"finding": finding.finding, "decision": finding.decision,
                                 "owner": staff_user.pk, "due_date": "2026-05-01",
                                 "status": "done"})
    finding.refresh_from_db()
    assert finding.status == "done"
    assert "Call each lead." not in staff_client.get(
        reverse("coalitions:dashboard")).content.decode()


def test_an_unchanged_save_changes_nothing(evaluator_client, report, staff_user):
    finding = services.finding_create(report=report, actor=staff_user, finding="F",
                                      decision="D", owner=staff_user,
                                      due_date=date(2026, 5, 1))
    before = finding.updated_at
    evaluator_client.post(reverse("evaluation:finding-update", args=[report.pk, finding.pk]),
                          {"finding": "F", "decision": "D", "owner": staff_user.pk,
                           "due_date": "2026-05-01", "status": "open"})
    finding.refresh_from_db()
    assert finding.updated_at == before


def test_a_finding_needs_its_fields_and_a_staff_or_evaluator_owner(evaluator_client, report,
                                                                   member_user):
    response = evaluator_client.post(reverse("evaluation:finding-create", args=[report.pk]), {
        "finding": "", "decision": "Call", "owner": member_user.pk, "due_date": ""})
    errors = response.context["form"].errors
    assert {"finding", "owner", "due_date"} <= set(errors)
    assert not Finding.objects.exists()


def test_the_next_report_of_the_program_lists_open_corrections(
        program, report, staff_user, evaluator_user, django_capture_on_commit_callbacks):
    services.finding_create(report=report, actor=evaluator_user, finding="Low attendance",
                            decision="Move the sessions to mornings", owner=staff_user,
                            due_date=date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        later = _request(program, evaluator_user, end=date(2026, 6, 30))
    later.refresh_from_db()
    decisions = [c["decision"] for c in later.snapshot["open_corrections"]]
    assert decisions == ["Move the sessions to mornings"]


def test_the_dashboard_panel_reads_in_constant_queries(staff_client, report, staff_user):
    def grow(n):
        for i in range(n):
            services.finding_create(report=report, actor=staff_user, finding=f"F{i}",
                                    decision=f"D{i}", owner=factories.StaffUserFactory(),
                                    due_date=date(2026, 5, 1 + i % 28))

    assert_constant(staff_client, reverse("coalitions:dashboard"), grow, small=2, large=15)


def test_the_panel_is_not_shown_to_others(lead_user):
    assert all(p.name != "course-corrections"
               for p in dashboard.panels_for(lead_user, date(2026, 5, 1)))


# --- indicators and targets -----------------------------------------------------------------


def test_the_indicators_page_lists_every_indicator_with_values(evaluator_client, program,
                                                                enrolled):
    from evaluation.indicators import REGISTRY

    response = evaluator_client.get(reverse("evaluation:indicator-list"),
                                    {"program": "qbp", "start": "2026-01-01",
                                     "end": "2026-03-31"})
    html = response.content.decode()
    for indicator in REGISTRY.values():
        assert indicator.name in html and f'data-testid="indicator-{indicator.key}"' in html
    assert "No data" in html  # an empty denominator


def test_the_indicators_page_refuses_a_backward_period(evaluator_client, program):
    response = evaluator_client.get(reverse("evaluation:indicator-list"),
                                    {"program": "qbp", "start": "2026-03-01",
                                     "end": "2026-01-01"})
    assert "cannot end before it starts" in " ".join(response.context["form"].errors["end"])


def test_the_drill_down_shows_each_coalition_and_quarter(evaluator_client, program, enrolled,
                                                         coalition):
    response = evaluator_client.get(
        reverse("evaluation:indicator-detail", args=["share_reached"]),
        {"program": "qbp", "start": "2026-01-01", "end": "2026-06-30"})
    html = response.content.decode()
    assert f'data-testid="coalition-{coalition.pk}"' in html
    assert len(response.context["by_quarter"]) == 2
    assert evaluator_client.get(
        reverse("evaluation:indicator-detail", args=["nothing"])).status_code == 404


def test_the_drill_down_reads_in_bounded_queries(evaluator_client, program):
    url = reverse("evaluation:indicator-detail", args=["coalitions_reached"]) + \
        "?program=qbp&start=2026-01-01&end=2026-03-31"

    def grow(n):
        for _ in range(n):
            factories.EnrollmentFactory(program=program)

    # a page holds 25 coalitions: past it, more coalitions cost nothing more
    evaluator_client.get(url)
    grow(30)
    from tests.queries import count_queries

    few, _ = count_queries(evaluator_client, url)
    grow(20)
    many, _ = count_queries(evaluator_client, url)
    assert few == many


def test_staff_set_a_target_and_it_shows_beside_the_value(staff_client, evaluator_user,
                                                          program):
    evaluator_client = signed_in(evaluator_user)
    url = reverse("evaluation:target-list")
    response = staff_client.post(url, {"program": program.pk, "indicator": "attendance_rate",
                                       "period_start": "2026-01-01", "period_end": "2026-03-31",
                                       "value": "80"})
    assert response.status_code == 302
    assert Target.objects.get().value == 80
    html = evaluator_client.get(reverse("evaluation:indicator-list"), {
        "program": "qbp", "start": "2026-01-01", "end": "2026-03-31"}).content.decode()
    assert "80.0" in html
    assert "Set the target" not in evaluator_client.get(url).content.decode()
    assert evaluator_client.post(url, {"program": program.pk}).status_code == 404


def test_a_bad_target_is_refused_beside_the_field(staff_client, program):
    response = staff_client.post(reverse("evaluation:target-list"), {
        "program": program.pk, "indicator": "attendance_rate", "period_start": "2026-03-01",
        "period_end": "2026-01-01", "value": "abc"})
    errors = response.context["form"].errors
    assert "value" in errors
    response = staff_client.post(reverse("evaluation:target-list"), {
        "program": program.pk, "indicator": "attendance_rate", "period_start": "2026-03-01",
        "period_end": "2026-01-01", "value": "5"})
    assert "cannot end before" in " ".join(response.context["form"].errors["period_end"])
    assert not Target.objects.exists()


def test_nav_shows_reports_and_indicators_to_staff_and_evaluators(evaluator_client, client,
                                                                  lead_user, member_user):
    html = evaluator_client.get(reverse("evaluation:report-list")).content.decode()
    assert ">Indicators<" in html and ">Reports<" in html
    client.force_login(member_user)
    html = client.get(reverse("coalitions:my-coalition")).content.decode()
    assert ">Reports<" not in html
    client.force_login(lead_user)
    html = client.get(reverse("coalitions:my-coalition")).content.decode()
    assert ">Reports<" in html and ">Indicators<" not in html
