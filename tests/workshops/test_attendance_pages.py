"""Staff pages at and after an event: check-in on a phone, attendance from a participant
report (preview, columns, confirm, unmatched rows), the roster download, featured measures and
tools, materials, and events attended on the coalition's timeline. Each role on each page."""

import csv
import io
import zoneinfo
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from coalitions.models import Membership
from tests import factories
from tests.queries import assert_constant
from workshops import attendance, services
from workshops.models import AttendanceImport, Material, Registration, UnmatchedAttendee

from .conftest import make_event
from .test_attendance import TEAMS, ZOOM

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def at(hour, minute=0):
    return datetime(2027, 3, 4, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def conference(program, staff_user):
    return make_event(program, staff_user, start=at(10), end=at(11, 30), capacity=None,
                      title="Measure alignment")


def url(name, event, *args):
    return reverse(f"workshops:{name}", args=[event.pk, *args])


def upload(client, event, content, name="participants.csv"):
    return client.post(url("attendance-import", event),
                       {"file": SimpleUploadedFile(name, content, "text/csv")})


# --- who may use each page ------------------------------------------------------------------


def staff_pages(event):
    return [url("check-in", event), url("attendance-import", event),
            url("attendance-unmatched", event), url("materials", event)]


def test_staff_pages_send_the_anonymous_to_sign_in_and_refuse_everyone_else(
        client, conference, lead_user, member_user, evaluator_user):
    for page in staff_pages(conference):
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response["Location"], page
    for user in (lead_user, member_user, evaluator_user):
        client.force_login(user)
        for page in staff_pages(conference):
            assert client.get(page).status_code == 403, (user, page)
        registration = services.registration_create(
            event=conference, coalition=factories.CoalitionFactory(), name="X",
            email=f"x{user.pk}@example.org", actor=conference.history.first().history_user)
        response = client.post(url("check-in-action", conference, registration.pk),
                               {"action": "check_in"})
        assert response.status_code == 403
        registration.refresh_from_db()
        assert registration.checked_in_at is None


def test_the_roster_download_is_for_staff_and_evaluators(client, conference, lead_user,
                                                         evaluator_user, staff_user):
    csv_url = url("roster-csv", conference)
    assert client.get(csv_url).status_code == 302
    client.force_login(lead_user)
    assert client.get(csv_url).status_code == 403
    assert client.get(url("roster-xlsx", conference)).status_code == 403
    client.force_login(evaluator_user)
    assert client.get(csv_url).status_code == 200
    client.force_login(staff_user)
    assert client.get(csv_url).status_code == 200


def test_staff_pages_of_an_unknown_event_are_404(staff_client):
    assert staff_client.get(reverse("workshops:check-in", args=[999999])).status_code == 404


# --- check-in -------------------------------------------------------------------------------


def test_staff_find_a_person_by_name_and_check_them_in_with_one_tap(staff_client, conference,
                                                                   register):
    ann = register(conference, "ann@example.org", name="Ann Lee")
    register(conference, "bob@example.org", name="Bob Diaz")
    page = staff_client.get(url("check-in", conference), {"q": "lee"})
    body = page.content.decode()
    assert "Ann Lee" in body and "Bob Diaz" not in body
    assert "0</strong> of 2 checked in" in body

    response = staff_client.post(url("check-in-action", conference, ann.pk),
                                 {"action": "check_in", "q": "lee"}, HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert response.status_code == 200
    assert "Checked in" in row and 'hx-swap-oob="true"' in row
    assert "1</strong> of 2 checked in" in row  # the counts follow, out of band
    assert "Ann Lee is checked in." in row
    ann.refresh_from_db()
    first = ann.checked_in_at
    assert first is not None


def test_a_repeated_tap_changes_nothing(staff_client, conference, register):
    ann = register(conference, "ann@example.org")
    action = url("check-in-action", conference, ann.pk)
    staff_client.post(action, {"action": "check_in"}, HTTP_HX_REQUEST="true")
    ann.refresh_from_db()
    first, versions = ann.checked_in_at, ann.history.count()
    response = staff_client.post(action, {"action": "check_in"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    ann.refresh_from_db()
    assert (ann.checked_in_at, ann.history.count()) == (first, versions)


def test_undo_and_the_page_without_javascript(staff_client, conference, register):
    ann = register(conference, "ann@example.org", name="Ann Lee")
    action = url("check-in-action", conference, ann.pk)
    response = staff_client.post(action, {"action": "check_in", "q": "ann"})
    assert response.status_code == 302 and response["Location"].endswith("?q=ann")
    assert "Ann Lee is checked in." in staff_client.get(response["Location"]).content.decode()
    staff_client.post(action, {"action": "undo"})
    ann.refresh_from_db()
    assert ann.checked_in_at is None


def test_htmx_search_answers_with_the_results_only(staff_client, conference, register):
    register(conference, "ann@example.org", name="Ann Lee")
    response = staff_client.get(url("check-in", conference), {"q": "zzz"},
                                HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Nobody registered is named like “zzz”." in body and "<html" not in body


def test_a_cancelled_registration_is_not_on_the_list_and_cannot_be_checked_in(
        staff_client, conference, register, staff_user):
    ann = register(conference, "ann@example.org", name="Ann Lee")
    services.registration_cancel(registration=ann, actor=staff_user)
    assert "Ann Lee" not in staff_client.get(url("check-in", conference)).content.decode()
    response = staff_client.post(url("check-in-action", conference, ann.pk),
                                 {"action": "check_in"})
    assert response.status_code == 404


def test_a_registration_of_another_event_is_404(staff_client, conference, program, staff_user,
                                                register):
    other = make_event(program, staff_user, title="Another")
    stranger = register(other, "ann@example.org")
    response = staff_client.post(url("check-in-action", conference, stranger.pk),
                                 {"action": "check_in"})
    assert response.status_code == 404


def test_nobody_is_checked_in_at_a_cancelled_event(staff_client, conference, register,
                                                   staff_user):
    ann = register(conference, "ann@example.org")
    # cancelling the event cancels nobody's registration by itself; the rule is the event's
    services.event_cancel(event=conference, actor=staff_user)
    response = staff_client.post(url("check-in-action", conference, ann.pk),
                                 {"action": "check_in"}, HTTP_HX_REQUEST="true")
    assert "was cancelled" in response.content.decode()
    ann.refresh_from_db()
    assert ann.checked_in_at is None


def test_the_check_in_list_answers_in_constant_queries(staff_client, conference, coalition,
                                                       staff_user):
    def grow(n):
        start = conference.registrations.count()
        for i in range(start, start + n):
            services.registration_create(event=conference, coalition=coalition,
                                         email=f"p{i}@example.org", name=f"Person {i}",
                                         actor=staff_user)

    assert_constant(staff_client, url("check-in", conference), grow)


# --- roster download ------------------------------------------------------------------------


def test_the_roster_downloads_as_csv_with_local_times_and_inert_formulas(
        staff_client, conference, register, staff_user):
    ann = register(conference, "ann@example.org", name="=HYPERLINK(\"http://x\")")
    services.registration_check_in(registration=ann, actor=staff_user)
    register(conference, "bob@example.org", name="Bob Diaz")
    response = staff_client.get(url("roster-csv", conference))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content)
                                       .decode("utf-8-sig"))))
    assert rows[0][4] == "Registered (America/Chicago)"
    names = {row[0]: row for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in names
    assert names["'=HYPERLINK(\"http://x\")"][7] == "yes"
    assert names["Bob Diaz"][7] == "no"
    ann.refresh_from_db()
    local = ann.checked_in_at.astimezone(CHICAGO).replace(tzinfo=None, microsecond=0)
    assert names["'=HYPERLINK(\"http://x\")"][5] == str(local)


def test_the_roster_downloads_as_xlsx_and_follows_the_status_filter(staff_client, conference,
                                                                    register, staff_user):
    register(conference, "ann@example.org", name="Ann Lee")
    bob = register(conference, "bob@example.org", name="Bob Diaz")
    services.registration_cancel(registration=bob, actor=staff_user)
    response = staff_client.get(url("roster-xlsx", conference), {"status": "confirmed"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "Name" and [r[0] for r in rows[1:]] == ["Ann Lee"]
    roster = staff_client.get(url("event-roster", conference)).content.decode()
    assert url("roster-xlsx", conference) in roster


def test_the_roster_download_answers_in_constant_queries(staff_client, conference, coalition,
                                                         staff_user):
    def grow(n):
        start = conference.registrations.count()
        for i in range(start, start + n):
            services.registration_create(event=conference, coalition=coalition,
                                         email=f"p{i}@example.org", name=f"Person {i}",
                                         actor=staff_user)

    # the body is streamed: count the queries it makes, not only the view's
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (3, 30):
        grow(n)
        with CaptureQueriesContext(connection) as context:
            response = staff_client.get(url("roster-csv", conference))
            lines = b"".join(response.streaming_content).decode().count("\n")
        counts.append(len(context))
    assert lines == 34  # header and 33 people
    assert counts[0] == counts[1], counts


# --- attendance from a participant report ---------------------------------------------------


def test_a_zoom_report_is_previewed_then_applied(staff_client, conference, register):
    ann = register(conference, "ann@example.org", name="Ann Lee")
    response = upload(staff_client, conference, b"\xef\xbb\xbf" + ZOOM.encode())
    record = AttendanceImport.objects.get()
    assert response["Location"] == url("attendance-preview", conference, record.pk)
    page = staff_client.get(response["Location"]).content.decode()
    assert "A Zoom participant report" in page
    assert "3 people found: 1 matched, 2 unmatched" in page
    assert "read in <strong>America/Chicago</strong>" in page
    ann.refresh_from_db()
    assert ann.checked_in_at is None  # a preview records nothing

    response = staff_client.post(url("attendance-preview", conference, record.pk),
                                 {"action": "apply"})
    assert response["Location"] == url("attendance-import", conference)
    ann.refresh_from_db()
    assert (ann.minutes_present, ann.attended) == (85, True)
    page = staff_client.get(response["Location"]).content.decode()
    assert "1 matched, 2 to match by hand" in page
    assert "2 rows of the reports matched no registration" in page


def test_a_teams_report_in_utf16_is_recognised(staff_client, conference, register):
    register(conference, "ann@example.org", name="Ann Lee")
    response = upload(staff_client, conference, TEAMS.encode("utf-16"), name="teams.csv")
    page = staff_client.get(response["Location"]).content.decode()
    assert "A Microsoft Teams attendance report" in page
    assert "1 person found: 1 matched, 0 unmatched" in page


def test_the_same_file_twice_is_imported_already_and_nothing_changes(staff_client, conference,
                                                                     register):
    register(conference, "ann@example.org")
    upload(staff_client, conference, ZOOM.encode())
    record = AttendanceImport.objects.get()
    staff_client.post(url("attendance-preview", conference, record.pk), {"action": "apply"})
    response = upload(staff_client, conference, ZOOM.encode(), name="again.csv")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["file"] == ["This file was imported already; nothing changed."]
    assert AttendanceImport.objects.count() == 1
    assert UnmatchedAttendee.objects.count() == 2


def test_a_second_confirm_of_the_same_preview_changes_nothing(staff_client, conference,
                                                              register):
    ann = register(conference, "ann@example.org")
    upload(staff_client, conference, ZOOM.encode())
    record = AttendanceImport.objects.get()
    preview = url("attendance-preview", conference, record.pk)
    staff_client.post(preview, {"action": "apply"})
    intervals = ann.intervals.count()
    response = staff_client.post(preview, {"action": "apply"}, follow=True)
    assert "imported already; nothing changed" in response.content.decode()
    assert ann.intervals.count() == intervals


def test_any_csv_is_read_once_staff_choose_its_columns(staff_client, conference, register):
    ann = register(conference, "ann@example.org", name="Ann Lee")
    raw = (b"Attendee,Mail,Start,Minutes\n"
           b"Ann Lee,ann@example.org,2027-03-04 10:00,50\n"
           b"Ann Lee,ann@example.org,2027-03-04 10:55,30\n"
           b"Cy Park,cy@example.org,whenever,30\n")
    response = upload(staff_client, conference, raw)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == ["We could not recognise this file as a Zoom or Teams participant report. "
                      "Choose its columns below."]
    body = response.content.decode()
    assert "Mail (column 2)" in body  # the file's own headings to choose from
    record = AttendanceImport.objects.get()
    assert record.status == AttendanceImport.Status.PREVIEW and not ann.intervals.exists()

    preview = url("attendance-preview", conference, record.pk)
    response = staff_client.post(preview, {"action": "columns", "name": "0", "email": "",
                                           "join": "2", "duration": "3",
                                           "zone": "America/Chicago"})
    assert response.status_code == 200
    assert "Choose the column that holds the e-mail address." in response.content.decode()

    response = staff_client.post(preview, {"action": "columns", "name": "0", "email": "1",
                                           "join": "2", "duration": "3",
                                           "zone": "America/Chicago"})
    assert response.status_code == 302
    page = staff_client.get(preview).content.decode()
    assert "2 people found" not in page  # Cy's row has no time
    assert "1 person found: 1 matched, 0 unmatched" in page
    assert "Row 4: no join time we can read (&#x27;whenever&#x27;)" in page
    staff_client.post(preview, {"action": "apply"})
    ann.refresh_from_db()
    assert ann.minutes_present == 80 and ann.attended


def test_the_time_zone_of_the_file_can_be_chosen(staff_client, conference, register):
    """Zoom writes times in the zone of the account that ran the meeting: a report from an
    account in New York reads an hour later than the Chicago session."""
    ann = register(conference, "ann@example.org")
    raw = (b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
           b"Ann Lee,ann@example.org,03/04/2027 11:00:00 AM,03/04/2027 12:30:00 PM,90\n")
    upload(staff_client, conference, raw)
    record = AttendanceImport.objects.get()
    preview = url("attendance-preview", conference, record.pk)
    assert "Nobody in this file was present" not in staff_client.get(preview).content.decode()
    assert "Minutes in session" in staff_client.get(preview).content.decode()
    staff_client.post(preview, {"action": "columns", "name": "0", "email": "1", "join": "2",
                                "leave": "3", "duration": "4", "zone": "America/New_York"})
    page = staff_client.get(preview).content.decode()
    assert "read in <strong>America/New_York</strong>" in page
    staff_client.post(preview, {"action": "apply"})
    ann.refresh_from_db()
    assert ann.minutes_present == 90


def test_a_report_with_no_email_column_is_refused_beside_the_file_field(staff_client,
                                                                        conference):
    raw = (b"Name (Original Name),Join Time,Leave Time,Duration (Minutes)\n"
           b"Ann Lee,03/04/2027 10:00:00 AM,03/04/2027 11:00:00 AM,60\n")
    response = upload(staff_client, conference, raw)
    assert response.context["form"].errors["file"] == [
        "The file has no column we recognise as an e-mail address: choose which column "
        "holds it."]
    assert 'id="id_file_error"' in response.content.decode()
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The submitted file is empty."),
    (b"PK\x03\x04rest-of-a-zip", "save it as CSV"),
    (b"Name,Email\n", "holds no participants"),
])
def test_unreadable_files_are_refused_and_nothing_is_kept(staff_client, conference, content,
                                                          message):
    response = upload(staff_client, conference, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not AttendanceImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(staff_client, conference, monkeypatch):
    monkeypatch.setattr(attendance, "MAX_REPORT_BYTES", 1024 * 1024)
    response = upload(staff_client, conference, b"x" * (1024 * 1024 * 3 // 2))
    assert response.context["form"].errors["file"] == [
        "This file is 1.5 MB; the largest participant report we take is 1 MB."]
    assert not AttendanceImport.objects.exists()


def test_the_size_message_names_the_limit():
    assert attendance.too_large_message(7 * 1024 * 1024) == (
        "This file is 7.0 MB; the largest participant report we take is 5 MB.")


def test_an_in_person_workshop_takes_no_participant_report(staff_client, program, staff_user):
    workshop = make_event(program, staff_user, kind="workshop", join_url="",
                          venue="Hotel ballroom")
    response = upload(staff_client, workshop, ZOOM.encode())
    assert response.context["form"].errors["file"] == [
        "Participant reports are for web conferences."]


def test_an_unmatched_row_becomes_a_walk_in_for_the_chosen_coalition(
        staff_client, conference, register, other_coalition):
    register(conference, "ann@example.org")
    upload(staff_client, conference, ZOOM.encode())
    staff_client.post(url("attendance-preview", conference, AttendanceImport.objects.get().pk),
                      {"action": "apply"})
    listing = staff_client.get(url("attendance-unmatched", conference)).content.decode()
    assert "walkin@example.org" in listing and "BOB@example.org" in listing
    row = UnmatchedAttendee.objects.get(email="walkin@example.org")
    resolve = url("attendance-resolve", conference, row.pk)
    page = staff_client.get(resolve)
    assert page.context["walk_in_form"]["email"].value() == "walkin@example.org"

    response = staff_client.post(resolve, {"action": "walk_in", "walk_in-coalition": "",
                                           "walk_in-email": "walkin@example.org"})
    assert response.status_code == 200 and "This field is required" in \
        response.content.decode()
    response = staff_client.post(resolve, {"action": "walk_in",
                                           "walk_in-coalition": other_coalition.pk,
                                           "walk_in-email": "walkin@example.org"})
    assert response.status_code == 302
    walk_in = Registration.objects.get(email="walkin@example.org")
    assert (walk_in.coalition, walk_in.status, walk_in.minutes_present, walk_in.attended) == (
        other_coalition, Registration.Status.CONFIRMED, 80, True)
    # done: the row stays listed with who it was, and its page is gone
    assert "Walk In &lt;walkin@example.org&gt;" in staff_client.get(
        url("attendance-unmatched", conference)).content.decode()
    assert staff_client.get(resolve).status_code == 404


def test_an_unmatched_row_is_matched_by_hand(staff_client, conference, register):
    ann = register(conference, "ann@example.org", name="Ann Lee")
    bob = register(conference, "robert@example.org", name="Robert Diaz")
    upload(staff_client, conference, ZOOM.encode())
    staff_client.post(url("attendance-preview", conference, AttendanceImport.objects.get().pk),
                      {"action": "apply"})
    row = UnmatchedAttendee.objects.get(email="BOB@example.org")
    resolve = url("attendance-resolve", conference, row.pk)
    response = staff_client.post(resolve, {"action": "match", "match-registration": ""})
    assert "This field is required" in response.content.decode()
    staff_client.post(resolve, {"action": "match", "match-registration": bob.pk})
    bob.refresh_from_db()
    assert bob.minutes_present == 30
    # a registration of another event cannot be chosen
    ann.refresh_from_db()
    assert ann.minutes_present == 85


def test_the_unmatched_list_answers_in_constant_queries(staff_client, conference, staff_user):
    record = AttendanceImport.objects.create(event=conference, filename="z.csv", sha256="x",
                                             text="", source="zoom", uploaded_by=staff_user,
                                             status=AttendanceImport.Status.APPLIED)

    def grow(n):
        start = record.unmatched_rows.count()
        UnmatchedAttendee.objects.bulk_create([
            UnmatchedAttendee(source=record, name=f"P{i}", email=f"p{i}@example.org",
                              intervals=[[at(10).isoformat(), at(11).isoformat()]])
            for i in range(start, start + n)])

    assert_constant(staff_client, url("attendance-unmatched", conference), grow)


def test_the_reports_list_and_a_preview_answer_in_constant_queries(staff_client, conference,
                                                                   staff_user, coalition):
    def grow(n):
        start = conference.imports.count()
        AttendanceImport.objects.bulk_create([
            AttendanceImport(event=conference, filename=f"r{i}.csv", sha256=f"{i}", text="",
                             source="zoom", uploaded_by=staff_user) for i in range(start,
                                                                                  start + n)])

    assert_constant(staff_client, url("attendance-import", conference), grow)

    # a preview: one query for the registrations matched, whatever the people in the file
    record = services.attendance_import_upload(event=conference, filename="z.csv",
                                               raw=ZOOM.encode(), actor=staff_user)
    lines = ZOOM.splitlines()

    def grow_file(n):
        start = len(record.text.splitlines())
        for i in range(start, start + n):
            email = f"p{i}@example.org"
            services.registration_create(event=conference, coalition=coalition, email=email,
                                         name=f"P {i}", actor=staff_user)
            lines.append(f"P {i},{email},03/04/2027 10:00:00 AM,03/04/2027 11:00:00 AM,60,No,")
        record.text = "\n".join(lines) + "\n"
        record.save(update_fields=["text"])

    assert_constant(staff_client, url("attendance-preview", conference, record.pk), grow_file)


# --- featured measures and tools, materials -------------------------------------------------


def test_staff_feature_measures_and_tools_and_the_event_page_links_them(staff_client,
                                                                        conference, client):
    measure = factories.MeasureFactory(code="PQI 01", title="Diabetes Short-Term "
                                       "Complications Admission Rate")
    tool = factories.ToolFactory(title="Talking Quality", source_url="https://example.org/tq")
    form = staff_client.get(url("event-update", conference)).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, []):
            continue
        if name in ("start", "end", "registration_opens_at", "registration_closes_at"):
            value = value.strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    data.update(featured_measures=[measure.pk], featured_tools=[tool.pk])
    response = staff_client.post(url("event-update", conference), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(conference.featured_measures.all()) == [measure]
    # the edit form opens with them ticked, and an untouched save keeps them
    form = staff_client.get(url("event-update", conference)).context["form"]
    assert [int(v) for v in form["featured_measures"].value()] == [measure.pk]
    page = client.get(conference.get_absolute_url()).content.decode()
    assert f'href="{measure.get_absolute_url()}"' in page
    assert "PQI 01: Diabetes Short-Term Complications Admission Rate" in page
    assert 'href="https://example.org/tq"' in page


def test_event_create_and_update_take_featured_measures_without_needless_writes(
        program, staff_user):
    measure = factories.MeasureFactory()
    event = make_event(program, staff_user, featured_measures=[measure])
    assert list(event.featured_measures.all()) == [measure]
    versions = event.history.count()
    services.event_update(event=event, actor=staff_user, featured_measures=[measure],
                          featured_tools=[], title=event.title)
    assert event.history.count() == versions


def test_staff_add_a_link_and_a_file_and_remove_them(staff_client, conference, client,
                                                     settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    materials = url("materials", conference)
    response = staff_client.post(materials, {"title": "Recording",
                                             "url": "https://example.org/recording"})
    assert response.status_code == 302
    staff_client.post(materials, {"title": "Slides", "file": SimpleUploadedFile(
        "slides.pdf", b"%PDF-1.4 slides", "application/pdf")})
    slides = Material.objects.get(title="Slides")
    page = client.get(conference.get_absolute_url()).content.decode()
    assert 'href="https://example.org/recording"' in page and slides.href in page
    download = client.get(slides.href)
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 slides"
    stored = tmp_path / slides.file.name
    assert stored.exists()

    with pytest.MonkeyPatch.context():
        from django.test import TestCase
        with TestCase.captureOnCommitCallbacks(execute=True):
            staff_client.post(url("material-remove", conference, slides.pk))
    assert not Material.objects.filter(title="Slides").exists()
    assert not stored.exists()
    assert slides.history.first().history_type == "-"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": "Nothing"}, "file", "Choose a file, or give a link."),
    ({"title": "", "url": "https://example.org"}, "title", "This field is required."),
    ({"title": "Page", "file": SimpleUploadedFile("page.html", b"<script>", "text/html")},
     "file", "File extension “html” is not allowed."),
])
def test_bad_material_input_is_shown_beside_the_field(staff_client, conference, data, field,
                                                      message):
    response = staff_client.post(url("materials", conference), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Material.objects.exists()


def test_a_drafts_material_is_404_to_the_public(client, program, staff_user):
    draft = make_event(program, staff_user, status="draft")
    material = services.material_add(event=draft, actor=staff_user, title="Agenda",
                                     url="https://example.org/agenda")
    assert client.get(reverse("workshops:material-download",
                              args=[draft.pk, material.pk])).status_code == 404


# --- the coalition's timeline ---------------------------------------------------------------


def test_events_attended_are_on_the_coalitions_timeline(client, conference, register,
                                                        staff_user, lead_user, coalition,
                                                        other_coalition):
    ann = register(conference, "ann@example.org")
    register(conference, "bo@example.org")  # registered, never came
    services.registration_check_in(registration=ann, actor=staff_user)
    other_lead = factories.MembershipFactory(coalition=other_coalition,
                                             role=Membership.Role.LEAD).user
    entry = "Web conference: Measure alignment"
    for user in (staff_user, lead_user):
        client.force_login(user)
        page = client.get(coalition.get_absolute_url()).content.decode()
        assert entry in page and "1 person attended" in page, user
        timeline = reverse("coalitions:coalition-timeline", args=[coalition.pk])
        assert entry in client.get(timeline).content.decode()
    client.force_login(other_lead)
    assert client.get(coalition.get_absolute_url()).status_code == 404
    page = client.get(other_coalition.get_absolute_url()).content.decode()
    assert entry not in page


def test_the_timeline_source_is_one_query_whatever_the_events(
        coalition, staff_user, program, django_assert_max_num_queries):
    from workshops.selectors import attended_events_timeline

    for i in range(3):
        event = make_event(program, staff_user, title=f"Session {i}")
        registration = services.registration_create(
            event=event, coalition=coalition, email=f"p{i}@example.org", name="P",
            actor=staff_user)
        services.registration_check_in(registration=registration, actor=staff_user)
    staff_user.refresh_from_db()  # the user's roles are read once, then the events in one query
    with django_assert_max_num_queries(2):
        entries = attended_events_timeline(coalition, staff_user, 2)
    assert [e.title for e in entries] == ["Web conference: Session 2",
                                         "Web conference: Session 1"]
