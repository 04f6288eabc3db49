import pytest
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Coalition, Contact, Enrollment, Program
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(program, coalition, other_coalition):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    factories.EnrollmentFactory(program=program, coalition=other_coalition)
    return program


@pytest.fixture
def other_contact(other_coalition):
    return factories.ContactFactory(coalition=other_coalition, name="Foreign Person")


@pytest.fixture
def own_contact(coalition):
    return factories.ContactFactory(coalition=coalition, name="Own Person")


def page_urls(program, coalition, contact, enrollment):
    """Every page of the registry, with the objects it needs."""
    return {
        "program-list": reverse("coalitions:program-list"),
        "program-detail": reverse("coalitions:program-detail", args=[program.code]),
        "program-create": reverse("coalitions:program-create"),
        "program-update": reverse("coalitions:program-update", args=[program.code]),
        "enrollment-create": reverse("coalitions:enrollment-create", args=[program.code]),
        "enrollment-update": reverse("coalitions:enrollment-update", args=[enrollment.pk]),
        "coalition-list": reverse("coalitions:coalition-list"),
        "coalition-create": reverse("coalitions:coalition-create"),
        "coalition-detail": reverse("coalitions:coalition-detail", args=[coalition.pk]),
        "coalition-update": reverse("coalitions:coalition-update", args=[coalition.pk]),
        "contact-create": reverse("coalitions:contact-create", args=[coalition.pk]),
        "contact-update": reverse("coalitions:contact-update", args=[contact.pk]),
        "contact-delete": reverse("coalitions:contact-delete", args=[contact.pk]),
        "my-coalition": reverse("coalitions:my-coalition"),
    }


# What each role gets on each page of its own coalition (200 shown, 403 refused).
EXPECTED = {
    "staff": dict.fromkeys([
        "program-list", "program-detail", "program-create", "program-update",
        "enrollment-create", "enrollment-update", "coalition-list", "coalition-create",
        "coalition-detail", "coalition-update", "contact-create", "contact-update",
        "contact-delete"], 200) | {"my-coalition": 302},
    "evaluator": {
        "program-list": 200, "program-detail": 200, "program-create": 403,
        "program-update": 403, "enrollment-create": 403, "enrollment-update": 403,
        "coalition-list": 200, "coalition-create": 403, "coalition-detail": 200,
        "coalition-update": 403, "contact-create": 403, "contact-update": 403,
        "contact-delete": 403, "my-coalition": 302,
    },
    "lead": {
        "program-list": 403, "program-detail": 403, "program-create": 403,
        "program-update": 403, "enrollment-create": 403, "enrollment-update": 403,
        "coalition-list": 403, "coalition-create": 403, "coalition-detail": 200,
        "coalition-update": 403, "contact-create": 200, "contact-update": 200,
        "contact-delete": 200, "my-coalition": 200,
    },
    "member": {
        "program-list": 403, "program-detail": 403, "program-create": 403,
        "program-update": 403, "enrollment-create": 403, "enrollment-update": 403,
        "coalition-list": 403, "coalition-create": 403, "coalition-detail": 200,
        "coalition-update": 403, "contact-create": 403, "contact-update": 403,
        "contact-delete": 403, "my-coalition": 200,
    },
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_gets_what_it_may_on_every_page(
    role, request, client, enrolled, coalition, own_contact
):
    user = request.getfixturevalue(f"{role}_user")
    client.force_login(user)
    enrollment = Enrollment.objects.get(coalition=coalition)
    urls = page_urls(enrolled, coalition, own_contact, enrollment)
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == EXPECTED[role]


def test_unknown_ids_send_anonymous_visitors_to_login_and_tell_refused_roles_nothing(
    client, member_user
):
    unknown = {"code": "no-such-program", "pk": 999999}
    pages = [
        ("coalitions:program-detail", "code"), ("coalitions:program-update", "code"),
        ("coalitions:enrollment-create", "code"), ("coalitions:enrollment-update", "pk"),
        ("coalitions:coalition-update", "pk"), ("coalitions:contact-update", "pk"),
    ]
    for name, key in pages:
        url = reverse(name, args=[unknown[key]])
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    client.force_login(member_user)
    existing = factories.EnrollmentFactory()
    for pk in (existing.pk, 999999):  # the same answer whether the enrolment exists or not
        url = reverse("coalitions:enrollment-update", args=[pk])
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_every_page(
    client, enrolled, coalition, own_contact
):
    enrollment = Enrollment.objects.get(coalition=coalition)
    for name, url in page_urls(enrolled, coalition, own_contact, enrollment).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("role", ["lead", "member"])
def test_another_coalitions_pages_are_404_for_a_coalition_member(
    role, request, client, other_coalition, other_contact
):
    client.force_login(request.getfixturevalue(f"{role}_user"))
    for url in [
        reverse("coalitions:coalition-detail", args=[other_coalition.pk]),
        reverse("coalitions:coalition-update", args=[other_coalition.pk]),
        reverse("coalitions:contact-create", args=[other_coalition.pk]),
        reverse("coalitions:contact-update", args=[other_contact.pk]),
        reverse("coalitions:contact-delete", args=[other_contact.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_lead_cannot_change_another_coalitions_contacts_by_posting(
    lead_client, other_contact
):
    url = reverse("coalitions:contact-update", args=[other_contact.pk])
    response = lead_client.post(url, {"name": "Hijacked", "email": "x@example.org",
                                      "role": "other"})
    assert response.status_code == 404
    other_contact.refresh_from_db()
    assert other_contact.name == "Foreign Person"
    delete = reverse("coalitions:contact-delete", args=[other_contact.pk])
    assert lead_client.post(delete).status_code == 404
    assert Contact.objects.filter(pk=other_contact.pk).exists()


def test_home_sends_each_role_to_its_start_page(client, staff_user, evaluator_user, lead_user):
    assert client.get("/").status_code == 200
    client.force_login(staff_user)
    assert client.get("/").url == reverse("coalitions:dashboard")
    client.force_login(evaluator_user)
    assert client.get("/").url == reverse("coalitions:program-list")
    client.force_login(lead_user)
    assert client.get("/").url == reverse("coalitions:my-coalition")


def test_the_header_shows_who_is_signed_in_and_navigation_by_role(lead_client, lead_user):
    page = lead_client.get(reverse("coalitions:my-coalition")).content.decode()
    assert lead_user.email in page
    assert "My coalition" in page
    assert reverse("coalitions:program-list") not in page


# --- program overview -----------------------------------------------------------------------


def test_program_overview_shows_enrolment_against_capacity_and_partners(
    evaluator_client, program
):
    coalitions = factories.CoalitionFactory.create_batch(2)
    for c in coalitions:
        factories.EnrollmentFactory(program=program, coalition=c, tier="intensive")
    factories.EnrollmentFactory(program=program, tier="intensive", status="withdrawn")
    factories.ProgramPartnerFactory(program=program, partner__name="General Motors",
                                    role="Works with the program")
    page = evaluator_client.get(program.get_absolute_url()).content.decode()
    assert "2 of 3 places taken, 1 open" in page
    assert "0 of 15 places taken, 15 open" in page
    assert "General Motors" in page
    assert "Enrol a coalition" not in page, "evaluators read; they do not enrol"


# --- forms: bad input -----------------------------------------------------------------------


def test_coalition_form_shows_a_duplicate_name_beside_the_field(staff_client, coalition):
    response = staff_client.post(reverse("coalitions:coalition-create"), {
        "name": coalition.name.upper(), "kind": "purchaser", "status": "active",
        "states": ["MD", "VA"], "website": "https://example.org",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert "already exists" in form.errors["name"][0]
    html = response.content.decode()
    assert "usa-form-group--error" in html
    assert 'aria-invalid="true"' in html
    assert 'role="alert"' in html
    assert Coalition.objects.count() == 1
    # What the user typed is still there.
    assert "https://example.org" in html


def test_coalition_form_creates_and_then_edits(staff_client):
    response = staff_client.post(reverse("coalitions:coalition-create"), {
        "name": "Riverbend Employers", "kind": "purchaser", "status": "active",
        "states": ["OH", "KY"], "market": "Cincinnati",
    })
    coalition = Coalition.objects.get(name="Riverbend Employers")
    assert response.url == coalition.get_absolute_url()
    assert coalition.states == "OH, KY"
    edit = reverse("coalitions:coalition-update", args=[coalition.pk])
    form = staff_client.get(edit).context["form"]
    assert form.initial["states"] == ["OH", "KY"]
    staff_client.post(edit, {"name": "Riverbend Employers", "kind": "community",
                             "status": "inactive", "states": ["OH"]})
    coalition.refresh_from_db()
    assert (coalition.kind, coalition.status, coalition.states) == ("community", "inactive", "OH")


def test_program_form_refuses_end_before_start_and_negative_capacity(staff_client):
    response = staff_client.post(reverse("coalitions:program-create"), {
        "name": "Bad", "code": "bad", "start_date": "2027-01-01", "end_date": "2026-01-01",
        "support_capacity": "-2", "intensive_capacity": "3",
    })
    errors = response.context["form"].errors
    assert "support_capacity" in errors
    assert not Program.objects.filter(code="bad").exists()
    response = staff_client.post(reverse("coalitions:program-create"), {
        "name": "Bad", "code": "bad", "start_date": "2027-01-01", "end_date": "2026-01-01",
        "support_capacity": "2", "intensive_capacity": "3",
    })
    assert response.context["form"].errors["end_date"] == [
        "The end date must be after the start date."
    ]
    assert not Program.objects.filter(code="bad").exists()


def test_enrolment_form_refuses_a_full_tier_and_a_second_enrolment(
    staff_client, coalition, other_coalition
):
    program = factories.ProgramFactory(intensive_capacity=1)
    url = reverse("coalitions:enrollment-create", args=[program.code])
    response = staff_client.post(url, {"coalition": coalition.pk, "tier": "intensive"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.enrolled_on == timezone.localdate()
    response = staff_client.post(url, {"coalition": other_coalition.pk, "tier": "intensive"})
    assert "is full" in response.context["form"].errors["tier"][0]
    response = staff_client.post(url, {"coalition": coalition.pk, "tier": "support"})
    assert "already enrolled" in response.context["form"].errors["coalition"][0]
    assert Enrollment.objects.count() == 1


def test_enrolment_of_an_unknown_program_is_404(staff_client):
    assert staff_client.get("/programs/nope/enroll/").status_code == 404


# --- coalition list -------------------------------------------------------------------------


def test_coalition_list_searches_filters_and_paginates(staff_client, program):
    factories.CoalitionFactory(name="Ozark Collaborative", kind="all_payer", states="AR, MO")
    factories.CoalitionFactory(name="Tidewater Partnership", kind="medicaid_schip",
                               states="VA", market="Hampton Roads")
    enrolled = factories.CoalitionFactory(name="Enrolled Group", kind="provider_group",
                                          states="MN")
    factories.EnrollmentFactory(program=program, coalition=enrolled, tier="intensive")
    factories.CoalitionFactory.create_batch(30)
    url = reverse("coalitions:coalition-list")

    def names(**query):
        return [c.name for c in staff_client.get(url, query).context["coalitions"]]

    assert names(q="hampton") == ["Tidewater Partnership"]
    assert names(state="MO") == ["Ozark Collaborative"]
    assert names(kind="medicaid_schip") == ["Tidewater Partnership"]
    assert names(program=program.code, tier="intensive") == ["Enrolled Group"]
    page = staff_client.get(url).context["page_obj"]
    assert page.paginator.count == 33 and len(page.object_list) == 25
    second = staff_client.get(url, {"page": 2}).context["page_obj"]
    assert len(second.object_list) == 8
    empty = staff_client.get(url, {"q": "no such coalition"})
    assert "No coalition matches these filters" in empty.content.decode()


def test_coalition_list_answers_htmx_with_just_the_results(staff_client, coalition):
    response = staff_client.get(reverse("coalitions:coalition-list"), {"q": "Home"},
                                HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert coalition.name in html
    assert "<html" not in html


def test_an_unknown_filter_value_is_reported_not_crashed(staff_client):
    response = staff_client.get(reverse("coalitions:coalition-list"), {"kind": "spaceship"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# --- a lead's home and contacts -------------------------------------------------------------


def test_a_lead_sees_their_coalition_programs_and_contacts(
    lead_client, coalition, own_contact, other_contact, program
):
    factories.EnrollmentFactory(program=program, coalition=coalition)
    page = lead_client.get(reverse("coalitions:my-coalition")).content.decode()
    assert coalition.name in page and program.name in page
    assert own_contact.name in page
    assert other_contact.name not in page
    assert "Add a contact" in page


def test_a_lead_adds_and_edits_a_contact_and_returns_home(lead_client, coalition):
    url = reverse("coalitions:contact-create", args=[coalition.pk])
    response = lead_client.post(url, {"name": "New Person", "email": "New@Example.org",
                                      "title": "Analyst", "role": "data"})
    assert response.url == reverse("coalitions:my-coalition")
    contact = Contact.objects.get(coalition=coalition)
    assert contact.email == "new@example.org"
    edit = reverse("coalitions:contact-update", args=[contact.pk])
    lead_client.post(edit, {"name": "New Person", "email": "new@example.org",
                            "title": "Director", "role": "data"})
    contact.refresh_from_db()
    assert contact.title == "Director"


def test_contact_form_refuses_an_invalid_email(lead_client, coalition):
    response = lead_client.post(
        reverse("coalitions:contact-create", args=[coalition.pk]),
        {"name": "X", "email": "not an email", "role": "other"},
    )
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert not Contact.objects.exists()


def test_a_member_sees_contacts_but_cannot_add_them(member_client, coalition, own_contact):
    page = member_client.get(reverse("coalitions:my-coalition")).content.decode()
    assert own_contact.name in page
    assert "Add a contact" not in page
    response = member_client.post(
        reverse("coalitions:contact-create", args=[coalition.pk]),
        {"name": "X", "email": "x@example.org", "role": "other"},
    )
    assert response.status_code == 403
    assert Contact.objects.count() == 1


def test_a_user_without_a_coalition_or_role_gets_404_on_my_coalition(client):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("coalitions:my-coalition")).status_code == 404


def test_going_back_to_the_coalition_list_gets_the_whole_page(staff_client, coalition):
    url = reverse("coalitions:coalition-list")
    response = staff_client.get(url, HTTP_HX_REQUEST="true",
                                HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]
