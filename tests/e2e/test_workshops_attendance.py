"""Check-in, attendance import, the roster download, featured measures and tools and materials
in a real browser, as staff: every new page (axe-core, reflow at 320 px, a clean console),
tapping check-in twice without a reload, and a Zoom report taken from upload to the timeline."""

import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from workshops import services
from workshops.models import AttendanceImport, Event, Registration

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

ZOOM = """Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Ann Lee,ann@example.org,03/04/2027 09:58:10 AM,03/04/2027 10:40:00 AM,42,No
Ann Lee,ann@example.org,03/04/2027 10:45:00 AM,03/04/2027 11:30:00 AM,45,No
Walk In,walkin@example.org,03/04/2027 10:05:00 AM,03/04/2027 11:25:00 AM,80,Yes
"""


@pytest.fixture
def conference(staff_user, coalition):
    program = factories.ProgramFactory(code="pps", name="Purchaser-Provider Synergies")
    measure = factories.MeasureFactory(code="PQI 90", title="Prevention Quality Overall "
                                       "Composite")
    event = services.event_create(
        actor=staff_user, program=program, kind=Event.Kind.WEB_CONFERENCE,
        title="Measure alignment", start=datetime(2027, 3, 4, 10, tzinfo=CHICAGO),
        end=datetime(2027, 3, 4, 11, 30, tzinfo=CHICAGO), timezone="America/Chicago",
        capacity=None, join_url="https://meet.example.org/j/1", status=Event.Status.PUBLISHED,
        featured_measures=[measure],
    )
    for name, email in (("Ann Lee", "ann@example.org"), ("Bob Diaz", "bob@example.org"),
                        ("Cy Park", "cy@example.org")):
        services.registration_create(event=event, coalition=coalition, email=email,
                                     name=name, actor=staff_user)
    services.material_add(event=event, actor=staff_user, title="Recording",
                          url="https://example.org/recording")
    return event


def test_every_new_page_as_staff(conference, page, login_as, staff_user):
    login_as(staff_user)
    record = services.attendance_import_upload(event=conference, filename="zoom.csv",
                                               raw=ZOOM.encode(), actor=staff_user)
    pages = {
        reverse("workshops:check-in", args=[conference.pk]): "0 of 3 checked in",
        reverse("workshops:check-in", args=[conference.pk]) + "?q=zzz": "Nobody registered",
        reverse("workshops:attendance-import", args=[conference.pk]): "zoom.csv",
        reverse("workshops:attendance-preview", args=[conference.pk, record.pk]):
            "2 people found",
        reverse("workshops:attendance-unmatched", args=[conference.pk]): "None",
        reverse("workshops:materials", args=[conference.pk]): "Recording",
        reverse("workshops:event-roster", args=[conference.pk]): "Download XLSX",
        conference.get_absolute_url(): "PQI 90: Prevention Quality Overall Composite",
        reverse("workshops:event-update", args=[conference.pk]): "Featured tools and guides",
    }
    for path, text in pages.items():
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)
        assert text in page.get_by_role("main").inner_text(), path


def test_a_lead_is_refused_the_staff_pages(conference, page, login_as, lead_user):
    login_as(lead_user)
    for name in ("check-in", "attendance-import", "materials"):
        assert page.goto(reverse(f"workshops:{name}", args=[conference.pk])).status == 403
        assert_accessible(page)


def test_staff_check_people_in_on_a_phone_with_two_taps_and_no_reload(conference, page,
                                                                      login_as, staff_user):
    login_as(staff_user)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(reverse("workshops:check-in", args=[conference.pk]))
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Find a person by name").fill("ann")
    rows = page.get_by_test_id("check-in-row")
    rows.filter(has_text="Bob Diaz").wait_for(state="detached")
    assert rows.count() == 1
    button = page.get_by_role("button", name="Check in Ann Lee")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200  # a big target on a phone
    # two quick taps on the same spot: the second lands on the "checked in" notice
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_test_id("checked-in").wait_for()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.notReloaded") is True
    assert "1 of 3 checked in" in page.get_by_test_id("check-in-counts").inner_text()
    ann = Registration.objects.get(email="ann@example.org")
    assert ann.checked_in_at is not None
    assert ann.history.filter(checked_in_at__isnull=False).count() == 1  # written once
    assert_accessible(page)

    page.get_by_role("button", name="Undo check-in of Ann Lee").click()
    page.get_by_role("button", name="Check in Ann Lee").wait_for()
    assert "0 of 3 checked in" in page.get_by_test_id("check-in-counts").inner_text()
    assert page.evaluate("window.notReloaded") is True
    ann.refresh_from_db()
    assert ann.checked_in_at is None
    assert_accessible(page)


def test_staff_import_a_zoom_report_add_the_walk_in_and_download_the_roster(
        conference, page, login_as, staff_user, coalition, tmp_path):
    login_as(staff_user)
    report = tmp_path / "participants.csv"
    report.write_bytes(b"\xef\xbb\xbf" + ZOOM.encode())
    page.goto(conference.get_absolute_url())
    page.get_by_role("link", name="Attendance from the participant report").click()
    page.get_by_label("Participant report").set_input_files(str(report))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    assert_accessible(page)
    main = page.get_by_role("main").inner_text()
    assert "2 people found: 1 matched, 1 unmatched" in main
    assert "America/Chicago" in main
    with page.expect_navigation():
        page.get_by_role("button", name="Record this attendance").click()
    assert_accessible(page)
    ann = Registration.objects.get(email="ann@example.org")
    assert (ann.minutes_present, ann.attended) == (85, True)  # one reconnection, counted once

    # the same file again: refused beside the file field
    page.get_by_label("Participant report").set_input_files(str(report))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    assert "imported already; nothing changed" in page.locator("#id_file_error").inner_text()
    assert AttendanceImport.objects.count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Match them or add walk-ins").click()
    page.wait_for_url("**/attendance/unmatched/")
    page.get_by_role("link", name="Match or add as walk-in").click()
    assert_accessible(page)
    page.locator("#id_walk_in-coalition").select_option(label=coalition.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Add as walk-in").click()
    assert_accessible(page)
    assert "Walk In <walkin@example.org>" in page.get_by_role("main").inner_text()

    page.goto(reverse("workshops:event-roster", args=[conference.pk]))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    with open(download_info.value.path(), "rb") as downloaded:
        rows = list(load_workbook(downloaded).active.iter_rows(values_only=True))
    attended = {row[0]: row[7] for row in rows[1:]}
    assert attended == {"Ann Lee": "yes", "Bob Diaz": "no", "Cy Park": "no",
                        "Walk In": "yes"}

    page.goto(coalition.get_absolute_url())
    assert "Web conference: Measure alignment" in page.get_by_test_id("timeline").inner_text()
    assert_accessible(page)
