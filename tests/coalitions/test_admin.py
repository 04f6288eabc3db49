import pytest
from django.contrib import admin
from django.urls import reverse

from coalitions import services
from coalitions.models import Contact, Enrollment, Membership, ProgramPartner
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_model_has_an_admin_list_and_add_page(client, rf):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    request = rf.get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        views = ["changelist"] + (["add"] if model_admin.has_add_permission(request) else [])
        for view in views:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            assert client.get(url).status_code == 200, url


def test_admin_refuses_a_capacity_below_the_places_taken(client, staff_user):
    program = factories.ProgramFactory(intensive_capacity=3)
    factories.EnrollmentFactory.create_batch(2, program=program, tier="intensive")
    client.force_login(staff_user)
    url = reverse("admin:coalitions_program_change", args=[program.pk])
    response = client.post(url, {
        "name": program.name, "code": program.code, "description": "",
        "start_date": "2026-01-01", "end_date": "2027-12-31",
        "support_capacity": 15, "intensive_capacity": 0,
        "partnerships-TOTAL_FORMS": 0, "partnerships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert "cannot go below 2" in response.content.decode()
    program.refresh_from_db()
    assert program.intensive_capacity == 3


def test_admin_enrolment_goes_through_the_rules_and_keeps_who(client, staff_user):
    program = factories.ProgramFactory(intensive_capacity=1)
    first, second = factories.CoalitionFactory.create_batch(2)
    client.force_login(staff_user)
    add = reverse("admin:coalitions_enrollment_add")
    response = client.post(add, {"program": program.pk, "coalition": first.pk,
                                 "tier": "intensive", "enrolled_on": "2026-02-01"})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(coalition=first)
    assert enrollment.history.get().history_user == staff_user
    response = client.post(add, {"program": program.pk, "coalition": second.pk,
                                 "tier": "intensive", "enrolled_on": "2026-02-01"})
    assert response.status_code == 200
    assert "is full" in response.content.decode()
    assert not Enrollment.objects.filter(coalition=second).exists()


def test_admin_cannot_reactivate_into_a_full_tier(client, staff_user):
    program = factories.ProgramFactory(intensive_capacity=1)
    withdrawn = factories.EnrollmentFactory(program=program, tier="intensive",
                                            status="withdrawn")
    factories.EnrollmentFactory(program=program, tier="intensive")
    client.force_login(staff_user)
    url = reverse("admin:coalitions_enrollment_change", args=[withdrawn.pk])
    response = client.post(url, {"tier": "intensive", "status": "active", "ended_on": ""})
    assert response.status_code == 200
    assert "is full" in response.content.decode()
    withdrawn.refresh_from_db()
    assert withdrawn.status == "withdrawn"


def test_program_staff_can_find_users_for_memberships_but_not_make_superusers(
    client, staff_user
):
    target = factories.UserFactory(email="new.lead@example.org")
    client.force_login(staff_user)
    search = reverse("admin:autocomplete") + (
        "?app_label=coalitions&model_name=membership&field_name=user&term=new.lead"
    )
    results = client.get(search).json()["results"]
    assert [r["id"] for r in results] == [str(target.pk)]
    change = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    assert change.status_code == 200
    form = change.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "groups" not in form.fields


# --- one write path, with who ---------------------------------------------------------------


def test_contacts_added_changed_and_deleted_in_the_admin_keep_who(client, staff_user, coalition):
    client.force_login(staff_user)
    add = reverse("admin:coalitions_contact_add")
    fields = {"coalition": coalition.pk, "name": "Ana Ruiz", "email": "Ana.Ruiz@Example.org",
              "title": "", "role": "primary"}
    assert client.post(add, fields).status_code == 302
    contact = Contact.objects.get()
    assert contact.email == "ana.ruiz@example.org"

    duplicate = client.post(add, {**fields, "name": "Someone else"})
    assert duplicate.status_code == 200
    assert "email" in duplicate.context["adminform"].form.errors
    assert Contact.objects.count() == 1

    change = reverse("admin:coalitions_contact_change", args=[contact.pk])
    assert client.post(change, {**fields, "title": "Director"}).status_code == 302
    delete = reverse("admin:coalitions_contact_delete", args=[contact.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302

    assert not Contact.objects.exists()
    history = Contact.history.filter(id=contact.pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [
        ("+", staff_user), ("~", staff_user), ("-", staff_user)
    ]


def test_a_person_belongs_to_one_coalition_in_the_admin_too(
    client, staff_user, lead_user, other_coalition
):
    client.force_login(staff_user)
    add = reverse("admin:coalitions_membership_add")

    second = client.post(add, {"user": lead_user.pk, "coalition": other_coalition.pk,
                               "role": "member"})
    assert second.status_code == 200
    assert "user" in second.context["adminform"].form.errors
    staff = client.post(add, {"user": staff_user.pk, "coalition": other_coalition.pk,
                              "role": "member"})
    assert staff.status_code == 200
    assert "program staff or an evaluator" in str(staff.context["adminform"].form.errors)
    assert Membership.objects.count() == 1

    newcomer = factories.UserFactory(email="newcomer@example.org")
    assert client.post(add, {"user": newcomer.pk, "coalition": other_coalition.pk,
                             "role": "lead"}).status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert membership.history.get().history_user == staff_user

    changelist = reverse("admin:coalitions_membership_changelist")
    assert client.post(changelist, {"action": "delete_selected", "post": "yes",
                                    "_selected_action": [membership.pk]}).status_code == 302
    assert not Membership.objects.filter(user=newcomer).exists()
    removed = Membership.history.get(id=membership.pk, history_type="-")
    assert removed.history_user == staff_user


def test_program_partners_change_through_the_service_in_either_admin_screen(
    client, staff_user, program
):
    partner, other = factories.PartnerFactory.create_batch(2)
    client.force_login(staff_user)
    url = reverse("admin:coalitions_program_change", args=[program.pk])
    form = {
        "name": program.name, "code": program.code, "description": "",
        "start_date": "2026-01-01", "end_date": "2027-12-31",
        "support_capacity": 15, "intensive_capacity": 3,
        "partnerships-TOTAL_FORMS": 1, "partnerships-INITIAL_FORMS": 0,
        "partnerships-0-partner": partner.pk, "partnerships-0-role": "Recruits employers",
    }
    assert client.post(url, form).status_code == 302
    partnership = ProgramPartner.objects.get()
    assert partnership.history.get().history_user == staff_user

    add = reverse("admin:coalitions_programpartner_add")
    twice = client.post(add, {"program": program.pk, "partner": partner.pk, "role": "Again"})
    assert twice.status_code == 200
    assert ProgramPartner.objects.count() == 1
    assert client.post(add, {"program": program.pk, "partner": other.pk,
                             "role": "Hosts the summit"}).status_code == 302

    delete = reverse("admin:coalitions_programpartner_delete", args=[partnership.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert ProgramPartner.history.get(id=partnership.pk, history_type="-").history_user \
        == staff_user


def test_a_contact_added_on_the_coalitions_admin_page_keeps_who(client, staff_user, coalition):
    client.force_login(staff_user)
    url = reverse("admin:coalitions_coalition_change", args=[coalition.pk])
    response = client.post(url, {
        "name": coalition.name, "kind": coalition.kind, "states": coalition.states,
        "market": "", "website": "", "status": "active",
        "contacts-TOTAL_FORMS": 1, "contacts-INITIAL_FORMS": 0,
        "contacts-0-name": "Ana Ruiz", "contacts-0-email": "ana@example.org",
        "contacts-0-title": "", "contacts-0-role": "primary",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    contact = Contact.objects.get()
    assert contact.history.get().history_user == staff_user
    assert not coalition.history.filter(history_type="~").exists(), "unchanged: not saved"


def test_the_admin_leaves_the_capacity_rule_to_the_service_which_checks_it_once(
    client, staff_user, monkeypatch
):
    program = factories.ProgramFactory(intensive_capacity=1)
    coalition = factories.CoalitionFactory()
    calls = []
    real = services.enrollment_check_capacity
    monkeypatch.setattr(services, "enrollment_check_capacity",
                        lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    client.force_login(staff_user)

    response = client.post(reverse("admin:coalitions_enrollment_add"), {
        "program": program.pk, "coalition": coalition.pk, "tier": "intensive",
        "enrolled_on": "2026-02-01"})

    assert response.status_code == 302
    assert len(calls) == 1
