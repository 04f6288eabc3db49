import pytest
from django.contrib import admin
from django.urls import reverse

from coalitions.models import Enrollment
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
