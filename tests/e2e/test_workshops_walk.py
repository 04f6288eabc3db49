"""The issue's "done means", walked in a real browser: a lead registers two colleagues for a
one-seat web conference; the second waits and is told so by e-mail with a link to leave; the
first cancels; the second is offered the seat and accepts from the e-mail's link, and gets the
calendar file; staff import a Zoom report in which that person reconnected once; they count as
attended, give feedback and download a certificate; the event is on the coalition's timeline.
Plus every page of the after-event part as each role (axe-core, 320 px reflow, clean console).
"""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from tests import factories
from workshops import links, services
from workshops.models import Event, Feedback, Registration

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

TITLE = "Using the AHRQ Quality Indicators in a report card"


def _mail_to(address, subject_start):
    found = [m for m in mail.outbox if m.to == [address] and m.subject.startswith(subject_start)]
    assert found, f"no e-mail “{subject_start}…” to {address}: " + ", ".join(
        f"{m.to[0]}: {m.subject}" for m in mail.outbox)
    return found[-1]


def _link(message):
    return re.search(r"http\S+/events/r/[^/\s]+/", message.body).group(0)


@pytest.fixture
def conference(staff_user, coalition):
    program = factories.ProgramFactory(code="pps", name="Purchaser-Provider Synergies")
    measure = factories.MeasureFactory(code="PQI 90",
                                       title="Prevention Quality Overall Composite")
    tool = factories.ToolFactory(title="Model Public Report Elements: A Sampler")
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    return services.event_create(
        actor=staff_user, program=program, kind=Event.Kind.WEB_CONFERENCE, title=TITLE,
        start=start, end=start + timedelta(hours=1, minutes=30), timezone="America/Chicago",
        capacity=1, offer_hours=48, join_url="https://meet.example.org/j/555",
        status=Event.Status.PUBLISHED, featured_measures=[measure], featured_tools=[tool],
    )


def _zoom_report(event, email, name):
    """Zoom's participant export: the person dropped out for ten minutes and rejoined."""
    def at(minutes):
        return (event.start + timedelta(minutes=minutes)).astimezone(event.zone).strftime(
            "%m/%d/%Y %I:%M:%S %p")
    return (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"{name},{email},{at(-2)},{at(40)},42,No\n"
        f"{name},{email},{at(50)},{at(90)},40,No\n"
    ).encode()


@pytest.mark.timeout(300)  # a long walk through a dozen pages, and a PDF
def test_the_done_means_walk(conference, page, login_as, lead_user, staff_user, coalition,
                             settings, live_server, tmp_path):
    settings.PORTAL_URL = live_server.url
    factories.ContactFactory(coalition=coalition, name="Dana Reyes", email="dana@example.org")
    mail.outbox.clear()

    # The lead registers two colleagues: a contact, and someone new named on the spot.
    login_as(lead_user)
    page.get_by_role("link", name="Events").first.click()
    page.wait_for_url("**/events/")
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**{conference.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("A contact of your coalition").select_option(label="Dana Reyes (Home "
                                                                         "Coalition)")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert "Dana Reyes is registered." in page.get_by_role("main").inner_text()
    page.get_by_label("Name", exact=True).fill("Lee Park")
    page.get_by_label("E-mail address").fill("lee@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert "The event is full: Lee Park is on the waiting list." in page.get_by_role(
        "main").inner_text()
    assert_accessible(page)

    # The second waits, and the e-mail says so with a link to leave the list.
    waiting = _mail_to("lee@example.org", "You are on the waiting list")
    assert "To leave the waiting list, open your registration" in waiting.body
    lee_link = _link(waiting)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.goto(lee_link)
    assert_accessible(page)
    assert page.get_by_test_id("registration-status").inner_text() == "On the waiting list"
    assert page.get_by_role("button", name="Leave the waiting list").is_visible()

    # The first cancels from their confirmation e-mail.
    page.goto(_link(_mail_to("dana@example.org", "You are registered")))
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel my registration").click()
    assert "Your registration is cancelled." in page.get_by_role("main").inner_text()
    assert_accessible(page)

    # The second is offered the seat, and accepts it from the e-mail's link.
    offer = _mail_to("lee@example.org", "A seat is yours if you accept it")
    page.goto(_link(offer))
    assert "Offered a seat: accept by" in page.get_by_test_id("registration-status").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept the seat").click()
    assert page.get_by_test_id("registration-status").inner_text() == "Confirmed"
    assert page.get_by_test_id("join-link").inner_text() == conference.join_url
    assert_accessible(page)

    # ...and gets the calendar file with the confirmation.
    confirmed = _mail_to("lee@example.org", "You are registered")
    [(filename, ics, mimetype)] = confirmed.attachments
    assert filename == "event.ics" and mimetype.startswith("text/calendar")
    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE
    assert vevent.decoded("DTSTART") == conference.start
    lee = Registration.objects.get(email="lee@example.org")
    assert lee.status == Registration.Status.CONFIRMED

    # The conference takes place: the clock moves past it (the test cannot wait a week).
    shift = timezone.now() - timedelta(hours=2) - conference.start
    Event.objects.filter(pk=conference.pk).update(start=conference.start + shift,
                                                  end=conference.end + shift)
    conference.refresh_from_db()

    # Staff import the Zoom report, in which Lee reconnected once, and mark the event held.
    login_as(staff_user)
    report = tmp_path / "participants.csv"
    report.write_bytes(b"\xef\xbb\xbf" + _zoom_report(conference, "lee@example.org",
                                                      "Lee Park"))
    page.goto(conference.get_absolute_url())
    page.get_by_role("link", name="Attendance from the participant report").click()
    page.get_by_label("Participant report").set_input_files(str(report))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Record this attendance").click()
    lee.refresh_from_db()
    # 40 + 40 minutes within the session: the gap and the minutes before the start do not count
    assert lee.attended and lee.minutes_present == 80
    page.goto(conference.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as held").click()
    assert "is marked as held" in page.get_by_role("main").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    # Lee gives feedback from the e-mail, and downloads the certificate.
    request = _mail_to("lee@example.org", "How was it?")
    page.goto(_link(request))
    assert_accessible(page)
    page.get_by_role("link", name="Give feedback").click()
    page.wait_for_url("**/feedback/")
    assert_accessible(page)
    # USWDS draws its own radio buttons: a person clicks the label.
    page.locator("label", has_text=re.compile(r"^4$")).click()
    page.locator("label", has_text="Very useful").click()
    page.get_by_role("group", name=re.compile("PQI 90")).locator(
        "label", has_text="Yes").click()
    assert page.get_by_label("4", exact=True).is_checked()
    page.get_by_label("Comments").fill("The worked example of a report card helped.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my feedback").click()
    main = page.get_by_role("main").inner_text()
    assert "Thank you for your feedback." in main and "you gave your feedback on" in main
    assert_accessible(page)
    feedback = Feedback.objects.get(registration=lee)
    assert (feedback.rating, feedback.usefulness) == (4, "very")
    assert list(feedback.intentions.values_list("measure__code", "intends_to_use")) == [
        ("PQI 90", True)]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate of attendance (PDF)").click()
    body = open(download.value.path(), "rb").read()  # noqa: SIM115 - a temporary download
    assert body.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "Lee Park" in text and TITLE in text

    # The event is on the coalition's timeline.
    login_as(lead_user)
    page.goto(coalition.get_absolute_url())
    assert f"Web conference: {TITLE}" in page.get_by_test_id("timeline").inner_text()
    assert_accessible(page)


@pytest.fixture
def held(conference, coalition, staff_user):
    """The conference over, with one attendee who gave feedback and one who did not come."""
    now = timezone.now()
    Event.objects.filter(pk=conference.pk).update(capacity=None, start=now - timedelta(hours=3),
                                                  end=now - timedelta(hours=2))
    conference.refresh_from_db()
    people = {}
    for name, email in (("Ann Lee", "ann@example.org"), ("Bo Diaz", "bo@example.org"),
                        ("Cy Park", "cy@example.org")):
        people[email] = services.registration_create(
            event=conference, coalition=coalition, email=email, name=name, actor=staff_user,
            now=conference.start - timedelta(days=1))
    for email in ("ann@example.org", "bo@example.org"):
        services.registration_check_in(registration=people[email], actor=staff_user)
    services.feedback_create(registration=people["ann@example.org"], actor=None, rating=5,
                             usefulness="very", comments="Clear and practical.")
    services.event_complete(event=conference, actor=staff_user)
    return conference, people


ROLES = {
    "staff_user": ["event", "results"],
    "evaluator_user": ["event", "results"],
    "lead_user": ["event", "certificate-refused"],
    "member_user": ["event"],
}


def _paths(event, people):
    token = {email: links.registration_token(r) for email, r in people.items()}
    return {
        "event": (event.get_absolute_url(), TITLE),
        "results": (reverse("workshops:event-feedback", args=[event.pk]), "mean rating"),
        "certificate-refused": (
            reverse("workshops:registration-certificate", args=[people["cy@example.org"].pk]),
            "There is no record that Cy Park attended"),
        "form": (reverse("workshops:feedback-create", args=[token["bo@example.org"]]),
                 "How would you rate the event?"),
        "given": (reverse("workshops:feedback-create", args=[token["ann@example.org"]]),
                  "You gave your feedback on this event already"),
        "not-attended": (reverse("workshops:feedback-create", args=[token["cy@example.org"]]),
                         "We have no record that you attended"),
        "manage-attended": (reverse("workshops:registration-manage",
                                    args=[token["bo@example.org"]]), "Give feedback"),
        "manage-missed": (reverse("workshops:registration-manage",
                                  args=[token["cy@example.org"]]),
                          "We have no record that you attended"),
    }


@pytest.mark.parametrize("role", list(ROLES))
def test_the_after_event_pages_as_each_role(role, request, held, page, login_as):
    event, people = held
    login_as(request.getfixturevalue(role))
    paths = _paths(event, people)
    for name in ROLES[role]:
        path, text = paths[name]
        response = page.goto(path)
        assert response.status in (200, 403), f"{name}: {path} answered {response.status}"
        assert_accessible(page)
        assert text in page.get_by_role("main").inner_text(), name
    if role in ("lead_user", "member_user"):
        assert page.goto(paths["results"][0]).status == 403
        assert_accessible(page)


def test_the_personal_link_pages_without_signing_in(held, page):
    event, people = held
    paths = _paths(event, people)
    for name in ("manage-attended", "form", "given", "not-attended", "manage-missed"):
        path, text = paths[name]
        page.goto(path)
        assert_accessible(page)
        assert text in page.get_by_role("main").inner_text(), name
    # Bad input shows beside the field, announced; nothing is saved.
    page.goto(paths["form"][0])
    with page.expect_navigation():
        page.get_by_role("button", name="Send my feedback").click()
    assert page.locator("#id_rating_error").inner_text() == "Choose a rating from 1 to 5."
    assert page.locator("#id_usefulness_error").inner_text() == "Say how useful the event was."
    assert_accessible(page)
    assert Feedback.objects.count() == 1
