"""Certificates of attendance: a PDF for whoever attended, a clear refusal for anyone else."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coalitions.models import Membership
from tests import factories
from workshops import links, services

from .conftest import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(program, staff_user):
    now = timezone.now()
    return make_event(program, staff_user, title="Selecting measures for public reporting",
                      start=now - timedelta(hours=3), end=now - timedelta(hours=1, minutes=30))


def _register(event, email, name, coalition, staff_user):
    return services.registration_create(event=event, coalition=coalition, email=email,
                                        name=name, actor=staff_user,
                                        now=event.start - timedelta(days=2))


@pytest.fixture
def attendee(held, coalition, staff_user):
    registration = _register(held, "dana@example.org", "Dana Whitfield", coalition, staff_user)
    return services.registration_check_in(registration=registration, actor=staff_user,
                                          at=held.start)


@pytest.fixture
def absent(held, coalition, staff_user):
    return _register(held, "sam@example.org", "Sam Absent", coalition, staff_user)


def token_url(registration):
    return reverse("workshops:certificate", args=[links.registration_token(registration)])


def pk_url(registration):
    return reverse("workshops:registration-certificate", args=[registration.pk])


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_an_attendee_downloads_their_certificate_from_the_personal_link(client, attendee):
    manage = client.get(links.registration_url(attendee, absolute=False)).content.decode()
    assert "Download your certificate of attendance (PDF)" in manage
    response = client.get(token_url(attendee))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="certificate-selecting-measures-for-public-reporting-')
    text = pdf_text(response)
    assert "Certificate of attendance" in text
    assert "Dana Whitfield" in text and "Home Coalition" in text
    assert "Selecting measures for public reporting" in text
    assert "(America/Chicago), 1.5 hours" in text


def test_no_certificate_without_attendance(client, absent):
    response = client.get(token_url(absent))
    assert response.status_code == 403
    page = response.content.decode()
    assert "No certificate of attendance" in page
    assert "We have no record that you attended" in page
    assert "Download your certificate" not in client.get(
        links.registration_url(absent, absolute=False)).content.decode()


def test_the_lead_finds_their_colleagues_certificates_on_the_event_page(client, attendee,
                                                                        absent, lead_user):
    client.force_login(lead_user)
    page = client.get(attendee.event.get_absolute_url()).content.decode()
    assert pk_url(attendee) in page and pk_url(absent) not in page


@pytest.mark.parametrize("role", ["staff_user", "evaluator_user", "lead_user"])
def test_staff_evaluators_and_the_coalitions_lead_download_it(client, request, attendee, role):
    client.force_login(request.getfixturevalue(role))
    assert "Dana Whitfield" in pdf_text(client.get(pk_url(attendee)))


def test_the_attendee_signed_in_finds_it_on_the_event_page(client, attendee, coalition):
    person = factories.MembershipFactory(coalition=coalition, role=Membership.Role.MEMBER,
                                         user__email="dana@example.org").user
    client.force_login(person)
    page = client.get(attendee.event.get_absolute_url()).content.decode()
    assert pk_url(attendee) in page
    assert "Dana Whitfield" in pdf_text(client.get(pk_url(attendee)))


def test_a_colleague_who_is_not_the_attendee_gets_404(client, attendee, member_user):
    client.force_login(member_user)
    assert client.get(pk_url(attendee)).status_code == 404


def test_another_coalitions_lead_gets_404(client, attendee, other_coalition):
    other_lead = factories.MembershipFactory(coalition=other_coalition,
                                             role=Membership.Role.LEAD).user
    client.force_login(other_lead)
    assert client.get(pk_url(attendee)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, attendee):
    response = client.get(pk_url(attendee))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_staff_asking_for_an_absent_persons_certificate_are_refused_plainly(client, absent,
                                                                            staff_user):
    client.force_login(staff_user)
    response = client.get(pk_url(absent))
    assert response.status_code == 403
    assert "There is no record that Sam Absent attended" in response.content.decode()
