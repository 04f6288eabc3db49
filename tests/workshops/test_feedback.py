"""After the event: marking it as held (by staff or the scheduler), feedback given once by
attendees, and the results staff and evaluators read."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.queries import assert_constant
from workshops import links, services, tasks
from workshops.models import Event, Feedback, FeedbackIntention, Material, Notice, Registration

from .conftest import make_event

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def catalog():
    measure_set = factories.MeasureSetFactory()
    return {
        "measure": factories.MeasureFactory(measure_set=measure_set, code="PQI 90",
                                            title="Prevention Quality Overall Composite"),
        "other_measure": factories.MeasureFactory(measure_set=measure_set, code="PSI 90"),
        "tool": factories.ToolFactory(code="T9", title="Model Public Report Elements: A Sampler"),
    }


@pytest.fixture
def held(program, staff_user, catalog):
    """A web conference that ended an hour ago, featuring a measure and a tool."""
    now = timezone.now()
    return make_event(program, staff_user, title="Reporting hospital quality",
                      start=now - timedelta(hours=3), end=now - timedelta(hours=1),
                      capacity=2, featured_measures=[catalog["measure"]],
                      featured_tools=[catalog["tool"]])


@pytest.fixture
def sign_up(staff_user, coalition):
    """Register someone for an event that has started (as of the day before it)."""
    def sign_up(event, email, *, name=None, coalition_=None):
        return services.registration_create(
            event=event, coalition=coalition_ or coalition, email=email,
            name=name or email.split("@")[0].title(), actor=staff_user,
            now=event.start - timedelta(days=1),
        )
    return sign_up


@pytest.fixture
def attendee(held, sign_up, staff_user):
    registration = sign_up(held, "ann@example.org", name="Ann Attendee")
    return services.registration_check_in(registration=registration, actor=staff_user,
                                          at=held.start)


def feedback_url(registration):
    return reverse("workshops:feedback-create", args=[links.registration_token(registration)])


def _link_in(body):
    """The registration the personal link in an e-mail opens."""
    token = re.search(r"/events/r/([^/\s]+)/", body).group(1)
    return links.registration_from_token(token)


def kinds_sent(registration):
    return set(registration.notices.values_list("kind", flat=True))


# --- marking an event as held -----------------------------------------------------------------


def test_held_event_asks_attendees_for_feedback_and_sends_no_shows_the_materials(
    held, sign_up, staff_user, settings, django_capture_on_commit_callbacks
):
    Material.objects.create(event=held, title="Slides", url="https://example.org/slides.pdf")
    came = services.registration_check_in(registration=sign_up(held, "came@example.org"),
                                          actor=staff_user)
    missed = sign_up(held, "missed@example.org")
    waiting = sign_up(held, "waiting@example.org")  # full: on the waiting list, did not come
    assert waiting.status == Status.WAITING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_complete(event=held, actor=staff_user)
    held.refresh_from_db()
    assert held.status == Event.Status.COMPLETED
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"came@example.org", "missed@example.org"}
    assert by_address["came@example.org"].subject == f"How was it? {held.title}"
    assert _link_in(by_address["came@example.org"].body) == came.pk
    missed_mail = by_address["missed@example.org"]
    assert missed_mail.subject == f"Sorry we missed you: {held.title}"
    assert "- Slides: https://example.org/slides.pdf" in missed_mail.body
    assert kinds_sent(missed) >= {Notice.Kind.MISSED}


def test_someone_let_in_from_the_waiting_list_who_came_is_asked_for_feedback(
    held, sign_up, staff_user
):
    sign_up(held, "one@example.org")
    sign_up(held, "two@example.org")
    walked_in = sign_up(held, "waiting@example.org")
    assert walked_in.status == Status.WAITING
    services.registration_check_in(registration=walked_in, actor=staff_user)
    services.event_complete(event=held, actor=staff_user)
    assert Notice.Kind.FEEDBACK in kinds_sent(walked_in)


def test_marking_an_event_held_closes_the_places_it_outlived_and_nobody_is_told(
    held, sign_up, staff_user, django_capture_on_commit_callbacks
):
    sign_up(held, "one@example.org")
    sign_up(held, "two@example.org")
    waited = sign_up(held, "waiting@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_complete(event=held, actor=staff_user)
    waited.refresh_from_db()
    assert (waited.status, waited.expires_at) == (Status.LAPSED, None)
    assert waited.history.first().history_user == staff_user
    assert "waiting@example.org" not in {m.to[0] for m in mail.outbox}


def test_after_the_event_a_registration_is_neither_cancelled_nor_passed_on(
    held, sign_up, staff_user, client
):
    came = sign_up(held, "came@example.org")
    with pytest.raises(ValidationError, match="This event is over"):
        services.registration_cancel(registration=came, actor=staff_user)
    with pytest.raises(ValidationError, match="This event is over"):
        services.registration_substitute(registration=came, email="new@example.org",
                                         name="New Person", actor=staff_user)
    # The personal link's page shows no button, and a cancel posted anyway changes nothing.
    url = reverse("workshops:registration-manage", args=[links.registration_token(came)])
    response = client.post(url, {"action": "cancel"}, follow=True)
    assert "This event is over" in response.content.decode()
    came.refresh_from_db()
    assert came.status == Status.CONFIRMED
    assert held.registrations.count() == 1


def test_an_event_not_yet_over_or_not_published_is_not_marked_as_held(event, program,
                                                                       staff_user):
    with pytest.raises(ValidationError, match="has not ended yet"):
        services.event_complete(event=event, actor=staff_user)
    now = timezone.now()
    draft = make_event(program, staff_user, status=Event.Status.DRAFT,
                       start=now - timedelta(hours=3), end=now - timedelta(hours=2))
    with pytest.raises(ValidationError, match="Only a published event"):
        services.event_complete(event=draft, actor=staff_user)
    event.refresh_from_db()
    draft.refresh_from_db()
    assert (event.status, draft.status) == (Event.Status.PUBLISHED, Event.Status.DRAFT)


def test_the_scheduler_marks_events_held_hours_after_their_end_and_only_once(
    program, staff_user, sign_up, settings, django_capture_on_commit_callbacks
):
    settings.WORKSHOPS_COMPLETE_AFTER_HOURS = 12
    now = timezone.now()
    long_ago = make_event(program, staff_user, title="Long ago",
                          start=now - timedelta(hours=15), end=now - timedelta(hours=13))
    recent = make_event(program, staff_user, title="Just ended",
                        start=now - timedelta(hours=3), end=now - timedelta(hours=1))
    person = services.registration_check_in(registration=sign_up(long_ago, "a@example.org"),
                                            actor=staff_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.events_complete_task() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.events_complete_task() == 0
    long_ago.refresh_from_db()
    recent.refresh_from_db()
    assert (long_ago.status, recent.status) == (Event.Status.COMPLETED, Event.Status.PUBLISHED)
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_staff_mark_an_event_as_held_from_its_page(client, held, attendee, staff_user):
    client.force_login(staff_user)
    page = client.get(held.get_absolute_url()).content.decode()
    assert "Mark as held" in page
    response = client.post(reverse("workshops:event-complete", args=[held.pk]), follow=True)
    assert "is marked as held" in response.content.decode()
    held.refresh_from_db()
    assert held.status == Event.Status.COMPLETED
    assert "Mark as held" not in client.get(held.get_absolute_url()).content.decode()
    again = client.post(reverse("workshops:event-complete", args=[held.pk]), follow=True)
    assert "Only a published event can be marked as held" in again.content.decode()


def test_mark_as_held_is_not_offered_before_the_end(client, event, staff_user):
    client.force_login(staff_user)
    assert "Mark as held" not in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["evaluator_user", "lead_user", "member_user"])
def test_only_staff_mark_an_event_as_held(client, request, held, role):
    client.force_login(request.getfixturevalue(role))
    assert "Mark as held" not in client.get(held.get_absolute_url()).content.decode()
    response = client.post(reverse("workshops:event-complete", args=[held.pk]))
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == Event.Status.PUBLISHED


def test_anonymous_visitors_are_sent_to_sign_in_to_mark_as_held(client, held):
    response = client.post(reverse("workshops:event-complete", args=[held.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    held.refresh_from_db()
    assert held.status == Event.Status.PUBLISHED


# --- feedback (service) -----------------------------------------------------------------------


def test_feedback_is_given_once(attendee, catalog):
    services.feedback_create(registration=attendee, actor=None, rating=5, usefulness="very",
                             comments="Clear and practical.",
                             intentions=[(catalog["measure"], True), (catalog["tool"], False)])
    with pytest.raises(services.FeedbackGiven, match="already"):
        services.feedback_create(registration=attendee, actor=None, rating=1,
                                 usefulness="not")
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.usefulness) == (5, "very")
    assert set(feedback.intentions.values_list("measure__code", "tool__code",
                                               "intends_to_use")) == {
        ("PQI 90", None, True), (None, "T9", False)}


def test_feedback_is_for_people_who_attended(held, sign_up):
    registration = sign_up(held, "absent@example.org")
    with pytest.raises(services.FeedbackNotAttended):
        services.feedback_create(registration=registration, actor=None, rating=4,
                                 usefulness="very")
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("fields, field", [
    ({"rating": 0, "usefulness": "very"}, "rating"),
    ({"rating": 6, "usefulness": "very"}, "rating"),
    ({"rating": 4, "usefulness": ""}, "usefulness"),
    ({"rating": 4, "usefulness": "brilliant"}, "usefulness"),
])
def test_bad_feedback_is_refused_naming_the_field(attendee, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.feedback_create(registration=attendee, actor=None, **fields)
    assert field in refused.value.message_dict
    assert not Feedback.objects.exists()


def test_an_intention_about_a_measure_the_event_did_not_feature_is_refused(attendee, catalog):
    with pytest.raises(ValidationError, match="not featured at this event"):
        services.feedback_create(registration=attendee, actor=None, rating=4,
                                 usefulness="very",
                                 intentions=[(catalog["other_measure"], True)])
    assert not Feedback.objects.exists() and not FeedbackIntention.objects.exists()


# --- feedback (the attendee's page) -----------------------------------------------------------


def test_an_attendee_gives_feedback_from_their_personal_link(client, attendee, catalog):
    token = links.registration_token(attendee)
    manage = reverse("workshops:registration-manage", args=[token])
    assert "Give feedback" in client.get(manage).content.decode()
    url = reverse("workshops:feedback-create", args=[token])
    page = client.get(url).content.decode()
    assert "Do you intend to use PQI 90: Prevention Quality Overall Composite?" in page
    assert "Do you intend to use Model Public Report Elements: A Sampler?" in page
    measure, tool = catalog["measure"], catalog["tool"]
    response = client.post(url, {
        "rating": "4", "usefulness": "somewhat", f"measure_{measure.pk}": "yes",
        "comments": "More examples\r\nplease.",
    }, follow=True)
    assert response.redirect_chain[-1][0] == manage
    text = response.content.decode()
    assert "Thank you for your feedback." in text
    assert "you gave your feedback on" in text and "Give feedback" not in text
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.usefulness, feedback.comments) == (
        4, "somewhat", "More examples\nplease.")
    # The tool's question was left unanswered: no answer recorded for it.
    assert list(feedback.intentions.values_list("measure", "tool", "intends_to_use")) == [
        (measure.pk, None, True)]
    assert tool.pk not in feedback.intentions.values_list("tool", flat=True)


def test_a_second_attempt_says_feedback_was_given_already(client, attendee):
    services.feedback_create(registration=attendee, actor=None, rating=5, usefulness="very")
    page = client.get(feedback_url(attendee))
    assert page.status_code == 200
    assert "You gave your feedback on this event already" in page.content.decode()
    again = client.post(feedback_url(attendee), {"rating": "1", "usefulness": "not"})
    assert "You gave your feedback on this event already" in again.content.decode()
    assert Feedback.objects.get().rating == 5


def test_someone_who_did_not_attend_is_told_so(client, held, sign_up):
    registration = sign_up(held, "absent@example.org")
    services.event_complete(event=held, actor=None)
    manage = client.get(links.registration_url(registration, absolute=False)).content.decode()
    assert "We have no record that you attended" in manage
    assert "Give feedback" not in manage and "Cancel my registration" not in manage
    response = client.get(feedback_url(registration))
    assert response.status_code == 403
    assert "We have no record that you attended" in response.content.decode()
    client.post(feedback_url(registration), {"rating": "5", "usefulness": "very"})
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("data, field, message", [
    ({"rating": "0", "usefulness": "very"}, "rating", "Choose a rating from 1 to 5."),
    ({"rating": "6", "usefulness": "very"}, "rating", "Choose a rating from 1 to 5."),
    ({"rating": "4"}, "usefulness", "Say how useful the event was."),
])
def test_bad_feedback_input_is_shown_beside_the_field(client, attendee, data, field, message):
    response = client.post(feedback_url(attendee), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<span class="usa-error-message" id="id_{field}_error">{message}</span>' in page
    assert not Feedback.objects.exists()


def test_an_altered_link_is_404(client, attendee):
    token = links.registration_token(attendee)
    assert client.get(reverse("workshops:feedback-create", args=[token + "x"])).status_code \
        == 404


# --- results ----------------------------------------------------------------------------------


def _answer(event, sign_up, staff_user, catalog, n, *, start=0):
    for i in range(start, start + n):
        registration = services.registration_check_in(
            registration=sign_up(event, f"p{i}@example.org", name=f"Person {i}"),
            actor=staff_user)
        services.feedback_create(
            registration=registration, actor=None, rating=5 - i % 2,
            usefulness="very" if i % 3 else "somewhat", comments=f"Comment number {i}",
            intentions=[(catalog["measure"], i % 2 == 0)])


@pytest.fixture
def roomy(held):
    Event.objects.filter(pk=held.pk).update(capacity=None)
    held.refresh_from_db()
    return held


def test_staff_see_the_results_with_names(client, roomy, sign_up, staff_user, catalog):
    _answer(roomy, sign_up, staff_user, catalog, 4)
    client.force_login(staff_user)
    response = client.get(reverse("workshops:event-feedback", args=[roomy.pk]))
    results = response.context["results"]
    assert results["count"] == 4 and results["attended"] == 4
    assert results["mean"] == pytest.approx(4.5)
    assert [(r["label"], r["n"], r["percent"]) for r in results["ratings"]] == [
        ("5", 2, 50), ("4", 2, 50), ("3", 0, 0), ("2", 0, 0), ("1", 0, 0)]
    assert [(r["label"], r["n"]) for r in results["usefulness"]] == [
        ("Very useful", 2), ("Somewhat useful", 2), ("Not useful", 0)]
    assert [(r["label"], r["yes"], r["no"]) for r in results["intentions"]] == [
        ("PQI 90: Prevention Quality Overall Composite", 2, 2),
        ("Model Public Report Elements: A Sampler", 0, 0)]
    page = response.content.decode()
    assert "mean rating <strong>4.5</strong> of 5" in page
    assert '<rect class="portal-meter__fill" width="50"' in page
    assert "Person 1</strong>, Home Coalition" in page and "Comment number 1" in page


def test_evaluators_read_the_comments_without_names(client, roomy, sign_up, staff_user,
                                                    catalog, evaluator_user):
    _answer(roomy, sign_up, staff_user, catalog, 2)
    client.force_login(evaluator_user)
    page = client.get(reverse("workshops:event-feedback", args=[roomy.pk])).content.decode()
    assert "Comment number 0" in page and "Comment number 1" in page
    assert "Person 0" not in page and "Person 1" not in page
    assert "Home Coalition" not in page
    assert "de-identified" in page


@pytest.mark.parametrize("role", ["lead_user", "member_user"])
def test_coalition_people_do_not_see_the_results(client, request, held, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("workshops:event-feedback", args=[held.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_the_results(client, held):
    response = client.get(reverse("workshops:event-feedback", args=[held.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_results_page_answers_in_the_same_number_of_queries(client, roomy, sign_up,
                                                                staff_user, catalog):
    client.force_login(staff_user)
    done = {"n": 0}

    def grow(n):
        _answer(roomy, sign_up, staff_user, catalog, n, start=done["n"])
        done["n"] += n

    assert_constant(client, reverse("workshops:event-feedback", args=[roomy.pk]), grow,
                    small=3, large=30)


def test_the_event_page_links_the_results_for_staff_and_evaluators_only(
    client, held, staff_user, evaluator_user, lead_user
):
    url = reverse("workshops:event-feedback", args=[held.pk])
    for user, shown in ((staff_user, True), (evaluator_user, True), (lead_user, False)):
        client.force_login(user)
        assert (url in client.get(held.get_absolute_url()).content.decode()) is shown


def test_everyone_sees_events_in_the_navigation(client, member_user):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(member_user)
        nav = {item["label"] for item in client.get("/events/").context["nav_items"]}
        assert "Events" in nav


def test_a_signed_in_attendee_finds_the_feedback_form_on_the_event_page_until_they_give_it(
    client, held, attendee, catalog
):
    client.force_login(factories.UserFactory(email="ann@example.org"))
    page = client.get(held.get_absolute_url()).content.decode()
    assert f'href="{feedback_url(attendee)}" data-testid="my-feedback"' in page
    services.feedback_create(registration=attendee, actor=None, rating=5,
                             usefulness=Feedback.Usefulness.VERY)
    assert 'data-testid="my-feedback"' not in client.get(held.get_absolute_url()).content.decode()


def test_after_the_event_a_lapsed_offer_passes_no_seat_on_and_tells_no_one(
    held, sign_up, staff_user
):
    offered = sign_up(held, "one@example.org")
    sign_up(held, "two@example.org")
    waiting = sign_up(held, "waiting@example.org")
    Registration.objects.filter(pk=offered.pk).update(
        status=Status.OFFERED, expires_at=timezone.now() - timedelta(minutes=1))
    services.event_expire_holds(event=held)
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert (offered.status, waiting.status) == (Status.LAPSED, Status.WAITING)
    assert Notice.Kind.LAPSED not in kinds_sent(offered)
    assert Notice.Kind.OFFERED not in kinds_sent(waiting)


def test_someone_whose_wait_lapsed_but_who_came_finds_certificate_and_feedback(
    client, held, sign_up, staff_user, catalog
):
    sign_up(held, "one@example.org")
    sign_up(held, "two@example.org")
    came = sign_up(held, "ann@example.org", name="Ann Attendee")
    services.event_complete(event=held, actor=staff_user)
    came.refresh_from_db()
    assert came.status == Status.LAPSED
    # The participant report, imported after, shows they were there (an import matches
    # lapsed registrations too, and marks who was present long enough as checked in).
    Registration.objects.filter(pk=came.pk).update(checked_in_at=held.start)
    client.force_login(factories.UserFactory(email="ann@example.org"))
    page = client.get(held.get_absolute_url()).content.decode()
    assert reverse("workshops:registration-certificate", args=[came.pk]) in page
    assert 'data-testid="my-feedback"' in page
