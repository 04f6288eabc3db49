"""Check-in, and attendance read from Zoom and Teams participant reports."""

import zoneinfo
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from workshops import attendance, services
from workshops.models import AttendanceImport, Registration, UnmatchedAttendee

from .conftest import make_event

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

ZOOM = """Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
812 3456 7890,Measure alignment,03/04/2027 10:00:00 AM,03/04/2027 11:30:00 AM,host@example.org,92,4

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent
Ann Lee,ann@example.org,03/04/2027 09:58:10 AM,03/04/2027 10:40:00 AM,42,No,
Bob Diaz,BOB@example.org,03/04/2027 10:00:00 AM,03/04/2027 10:30:00 AM,30,No,
Ann Lee,ann@example.org,03/04/2027 10:45:00 AM,03/04/2027 11:30:00 AM,45,No,
Walk In,walkin@example.org,03/04/2027 10:05:00 AM,03/04/2027 11:25:00 AM,80,Yes,
"""

TEAMS = """1. Summary
Meeting title\tMeasure alignment
Attended participants\t2

2. Participants
Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole
Ann Lee\t3/4/27, 9:58:10 AM\t3/4/27, 11:30:00 AM\t1h 27m 50s\tann@example.org\t{upn}\tAttendee

3. In-Meeting Activities
Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole
Ann Lee\t3/4/27, 10:00:00 AM\t3/4/27, 10:50:00 AM\t50m\tann@example.org\tAttendee
Ann Lee\t3/4/27, 10:40:00 AM\t3/4/27, 11:00:00 AM\t20m\tann@example.org\tAttendee
""".replace("{upn}", "ann@example.org")


def at(hour, minute=0):
    return datetime(2027, 3, 4, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def conference(program, staff_user):
    return make_event(program, staff_user, start=at(10), end=at(11, 30),
                      timezone="America/Chicago", capacity=None)


def test_zoom_report_with_a_bom_is_read_and_rejoins_are_grouped():
    report = attendance.read_report(b"\xef\xbb\xbf" + ZOOM.encode(), zone=CHICAGO)
    assert report.source == "zoom"
    people = {a.key: a for a in report.attendees}
    assert set(people) == {"ann@example.org", "bob@example.org", "walkin@example.org"}
    assert len(people["ann@example.org"].intervals) == 2
    assert attendance.union_minutes(people["ann@example.org"].intervals, at(10), at(11, 30)) \
        == pytest.approx(85)


def test_teams_report_in_utf16_uses_the_activity_rows_and_counts_overlap_once():
    report = attendance.read_report(TEAMS.encode("utf-16"), zone=CHICAGO)
    assert report.source == "teams"
    (ann,) = report.attendees
    assert len(ann.intervals) == 2
    assert attendance.union_minutes(ann.intervals, at(10), at(11, 30)) == pytest.approx(60)


def test_teams_summary_alone_counts_the_time_present_not_first_to_last():
    summary_only = TEAMS.split("3. In-Meeting")[0]
    report = attendance.read_report(summary_only.encode("utf-16-le"), zone=CHICAGO)
    (ann,) = report.attendees
    assert attendance.union_minutes(ann.intervals, at(9), at(12)) == pytest.approx(87.83, 0.01)


def test_a_file_with_no_email_column_is_refused_with_a_reason():
    with pytest.raises(attendance.ReportError, match="e-mail"):
        attendance.read_report(b"Who,Join Time,Leave Time\nAnn,10:00,11:00\n", zone=CHICAGO,
                               mapping={"name": 0, "join": 1, "leave": 2})
    with pytest.raises(attendance.ReportError, match="could not recognise"):
        attendance.read_report(b"a,b,c\n1,2,3\n", zone=CHICAGO)


def test_any_csv_with_staff_chosen_columns():
    raw = b"Attendee,Mail,Start,Minutes\nAnn Lee,ann@example.org,2027-03-04 10:00,50\n"
    report = attendance.read_report(raw, zone=CHICAGO,
                                    mapping={"name": 0, "email": 1, "join": 2, "duration": 3})
    (ann,) = report.attendees
    assert ann.intervals == [(at(10), at(10, 50))]


def test_importing_attendance_marks_those_present_for_half_the_session(conference, register,
                                                                        staff_user):
    ann = register(conference, "ann@example.org")
    bob = register(conference, "bob@example.org")
    record, _report = services.attendance_import_read(
        event=conference, filename="zoom.csv", raw=ZOOM.encode(), actor=staff_user)
    assert record.status == AttendanceImport.Status.PREVIEW
    ann.refresh_from_db()
    assert ann.checked_in_at is None  # a preview applies nothing

    services.attendance_import_apply(record=record, actor=staff_user)
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert (ann.minutes_present, ann.attended) == (85, True)
    assert ann.checked_in_at == at(9, 58).replace(second=10)
    assert (bob.minutes_present, bob.attended) == (30, False)  # 30 of 90 minutes < 50 %
    assert list(UnmatchedAttendee.objects.values_list("email", flat=True)) == [
        "walkin@example.org"]


def test_importing_the_same_file_twice_changes_nothing(conference, register, staff_user):
    register(conference, "ann@example.org")
    record, _ = services.attendance_import_read(event=conference, filename="z.csv",
                                                raw=ZOOM.encode(), actor=staff_user)
    services.attendance_import_apply(record=record, actor=staff_user)
    with pytest.raises(ValidationError, match="imported already"):
        services.attendance_import_read(event=conference, filename="z.csv",
                                        raw=ZOOM.encode(), actor=staff_user)
    assert Registration.objects.get(email="ann@example.org").intervals.count() == 2
    # Bob came but is not registered here; with the walk-in, two rows wait for staff
    assert UnmatchedAttendee.objects.count() == 2


def test_an_unmatched_row_becomes_a_walk_in_or_a_match(conference, register, staff_user,
                                                       coalition):
    ann = register(conference, "ann@example.org")
    record, _ = services.attendance_import_read(event=conference, filename="z.csv",
                                                raw=ZOOM.encode(), actor=staff_user)
    services.attendance_import_apply(record=record, actor=staff_user)
    unmatched = UnmatchedAttendee.objects.get(email="walkin@example.org")
    walk_in = services.attendance_add_walk_in(unmatched=unmatched, coalition=coalition,
                                              actor=staff_user)
    assert walk_in.attended and walk_in.minutes_present == 80
    assert unmatched.resolved_registration == walk_in
    # a row said to be someone is not given to another as well (its time would count twice)
    with pytest.raises(ValidationError, match="matched already"):
        services.attendance_match(unmatched=unmatched, registration=ann, actor=staff_user)
    ann.refresh_from_db()
    assert ann.minutes_present == 85
    # and matching by hand adds the stretches to an existing registration: Bob joined the
    # conference with an address nobody registered, and was Ann's colleague standing in
    bob_row = UnmatchedAttendee.objects.get(email="BOB@example.org")
    services.attendance_match(unmatched=bob_row, registration=ann, actor=staff_user)
    ann.refresh_from_db()
    assert bob_row.resolved_registration == ann
    # 10:00 to 10:30 adds nothing to Ann's 09:58 to 10:40: the union is counted once
    assert ann.minutes_present == 85


def test_check_in_twice_keeps_the_first_time(event, register, staff_user):
    registration = register(event, "a@example.org")
    first = services.registration_check_in(registration=registration, actor=staff_user)
    second = services.registration_check_in(registration=registration, actor=staff_user)
    assert first.checked_in_at == second.checked_in_at is not None
    assert registration.history.count() == 2  # created, checked in: the second tap wrote nothing
