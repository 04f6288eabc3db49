"""Reports: requested once, compiled once into a frozen snapshot and three files."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from evaluation import scheduling, services, tasks
from evaluation.models import Report
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return factories.ProgramFactory(start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))


def test_a_report_compiles_to_html_pdf_and_xlsx_from_one_snapshot(program, evaluator_user,
                                                                  settings, tmp_path,
                                                                  django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        report, created = services.report_request(
            program=program, kind="process", period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31), actor=evaluator_user)
    report.refresh_from_db()
    assert created and report.status == Report.Status.SUCCEEDED, report.error
    assert report.progress == 100
    assert report.pdf_file.read(4) == b"%PDF"
    html = report.html_file.read().decode()
    assert "Attendance rate" in html and "data:image/svg+xml;base64," in html
    sheet = load_workbook(report.xlsx_file.path)["Indicators"]
    keys = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert keys == [row["key"] for row in report.snapshot["indicators"]]


def test_a_redelivered_job_for_a_finished_report_does_nothing(program, evaluator_user,
                                                              settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report, _ = services.report_request(program=program, kind="outcome",
                                        period_start=date(2026, 1, 1),
                                        period_end=date(2026, 3, 31), actor=evaluator_user)
    tasks.report_compile_task(report.pk)  # the first delivery
    report.refresh_from_db()
    assert report.status == Report.Status.SUCCEEDED
    finished, names = report.finished_at, report.pdf_file.name
    tasks.report_compile_task(report.pk)
    report.refresh_from_db()
    assert (report.finished_at, report.pdf_file.name, report.attempts) == (finished, names, 1)


def test_asking_twice_while_running_returns_the_running_report(program, evaluator_user):
    report = Report.objects.create(program=program, kind="process",
                                   period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
                                   status=Report.Status.RUNNING)
    again, created = services.report_request(program=program, kind="process",
                                             period_start=date(2026, 1, 1),
                                             period_end=date(2026, 3, 31), actor=evaluator_user)
    assert (again, created) == (report, False)


@pytest.mark.parametrize(("fields", "field"), [
    ({"period_start": date(2026, 3, 1), "period_end": date(2026, 2, 1)}, "period_end"),
    ({"kind": "formal"}, "kind"),
    ({"kind": "monthly"}, "kind"),
])
def test_bad_requests_name_the_field(program, evaluator_user, fields, field):
    values = {"kind": "process", "period_start": date(2026, 1, 1),
              "period_end": date(2026, 3, 31), **fields}
    with pytest.raises(ValidationError) as caught:
        services.report_request(program=program, actor=evaluator_user, **values)
    assert field in caught.value.message_dict
    assert not Report.objects.exists()


def test_the_schedule_catches_up_once(program):
    program.end_date = date(2026, 8, 31)
    program.save()
    asked = scheduling.reports_due_request(today=date(2026, 10, 5))
    # Q1, Q2 and Q3 (clipped to August) process reports, and the formal analysis
    assert asked == 4
    assert scheduling.reports_due_request(today=date(2026, 10, 6)) == 0
    kinds = sorted(Report.objects.values_list("kind", "period_end"))
    assert kinds[0] == ("formal", date(2026, 8, 31))


@pytest.mark.parametrize("include_names", [False, True])
def test_names_appear_only_in_the_appendix_staff_ask_for(program, staff_user, settings,
                                                          tmp_path, include_names,
                                                          django_capture_on_commit_callbacks):
    from datetime import UTC, datetime

    from workshops.models import Event, Registration

    settings.MEDIA_ROOT = tmp_path
    start = datetime(2026, 2, 10, 15, tzinfo=UTC)
    event = Event.objects.create(program=program, kind="workshop", title="Using the PQIs",
                                 start=start, end=start.replace(hour=17), status="completed")
    coalition = factories.CoalitionFactory(name="Maryland Health Care Coalition")
    factories.EnrollmentFactory(program=program, coalition=coalition)
    for name, came in (("Zelda Quill", True), ("Yusuf Absent", False)):
        Registration.objects.create(event=event, coalition=coalition, name=name,
                                    email=f"{name.split()[0].lower()}@example.org",
                                    status="confirmed", queued_at=start,
                                    checked_in_at=start if came else None)
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = services.report_request(
            program=program, kind="process", period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31), actor=staff_user, include_names=include_names)
    report.refresh_from_db()
    assert report.status == Report.Status.SUCCEEDED, report.error
    html = report.html_file.read().decode()
    book = load_workbook(report.xlsx_file.path)
    if include_names:
        assert "Appendix: who attended" in html and "zelda@example.org" in html
        assert "1 person attended" in html
        rows = list(book["Appendix - names"].iter_rows(min_row=2, values_only=True))
        assert rows == [("Zelda Quill", "zelda@example.org", "Maryland Health Care Coalition",
                         1)]
    else:
        assert "this report names no person" in html
        assert "Appendix - names" not in book.sheetnames
        assert "Zelda" not in html and "Zelda" not in str(report.snapshot)
    assert "Yusuf" not in html  # who did not come is in no report


def test_asking_for_names_while_the_same_report_without_them_runs_makes_a_new_one(
    program, staff_user
):
    running = Report.objects.create(program=program, kind="process",
                                    period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
                                    status=Report.Status.RUNNING)
    named, created = services.report_request(program=program, kind="process",
                                             period_start=date(2026, 1, 1),
                                             period_end=date(2026, 3, 31), actor=staff_user,
                                             include_names=True)
    assert created and named != running and named.include_names


def test_the_appendix_lists_a_person_once_whatever_the_spelling_of_their_address(program):
    from datetime import UTC, datetime

    from evaluation import compile, indicators
    from workshops.models import Event, Registration

    coalitions = factories.CoalitionFactory.create_batch(2)
    for coalition in coalitions:
        factories.EnrollmentFactory(program=program, coalition=coalition)
    for day, email, coalition in ((10, "zelda@example.org", coalitions[0]),
                                  (11, "Zelda@Example.org", coalitions[1])):
        start = datetime(2026, 2, day, 15, tzinfo=UTC)
        event = Event.objects.create(program=program, kind="workshop", title=f"Day {day}",
                                     start=start, end=start.replace(hour=17),
                                     status="completed")
        Registration.objects.create(event=event, coalition=coalition, name="Zelda Quill",
                                    email=email, status="confirmed", queued_at=start,
                                    checked_in_at=start)
    scope = indicators.Scope(program, date(2026, 1, 1), date(2026, 3, 31))
    appendix = compile.appendix_build(scope)
    first = min(c.name for c in coalitions)
    assert appendix == {"total": 1, "attendees": [{
        "name": "Zelda Quill", "email": "zelda@example.org", "coalition": f"{first} and 1 more",
        "events": 2}]}
