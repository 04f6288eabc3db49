"""The admin's incentive-program and adoption screens write through the services."""

from datetime import date

import pytest
from django.urls import reverse

from measures import selectors, services
from measures.models import AdoptionStageChange, IncentiveProgram, MeasureAdoption
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _program_post(program, **changes):
    data = {
        "coalition": program.coalition_id, "name": program.name, "kind": program.kind,
        "status": program.status, "launch_date": "", "providers": "", "purchasers": "",
        "measures": [],
    }
    data.update(changes)
    return data


def test_an_incentive_program_with_adoptions_cannot_move_to_another_coalition(
    admin_client, staff_user, coalition, other_coalition
):
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P")
    measure = factories.MeasureFactory()
    services.adoption_create(coalition=coalition, measure=measure, use="p4p",
                             stage="planned", incentive_program=program, actor=staff_user)
    url = reverse("admin:measures_incentiveprogram_change", args=[program.pk])

    response = admin_client.post(url, _program_post(program, coalition=other_coalition.pk,
                                                    name="P4P moved"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "1 adoption record of Home Coalition is linked to this program" in str(
        errors["coalition"])
    program.refresh_from_db()
    assert (program.coalition, program.name) == (coalition, "P4P"), "nothing half-saved"


def test_an_incentive_program_without_adoptions_moves_and_keeps_who_moved_it(
    admin_client, staff_user, coalition, other_coalition
):
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P")
    url = reverse("admin:measures_incentiveprogram_change", args=[program.pk])

    response = admin_client.post(url, _program_post(program, coalition=other_coalition.pk))

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.coalition == other_coalition
    assert program.history.first().history_user == staff_user


def test_deleting_an_incentive_program_in_the_admin_unlinks_its_adoptions_with_who(
    admin_client, staff_user, coalition
):
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P")
    adoption = services.adoption_create(
        coalition=coalition, measure=factories.MeasureFactory(), use="p4p", stage="planned",
        incentive_program=program, actor=staff_user)
    url = reverse("admin:measures_incentiveprogram_delete", args=[program.pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert not IncentiveProgram.objects.exists()
    adoption.refresh_from_db()
    assert adoption.incentive_program is None
    assert adoption.history.first().history_user == staff_user
    deleted = IncentiveProgram.history.filter(history_type="-").get()
    assert deleted.history_user == staff_user


def test_an_adoption_changed_in_the_admin_keeps_its_dated_stage_and_who(
    admin_client, staff_user, coalition
):
    adoption = services.adoption_create(
        coalition=coalition, measure=factories.MeasureFactory(), use="p4p",
        stage="considering", stage_since=date(2026, 1, 5), actor=staff_user)
    url = reverse("admin:measures_measureadoption_change", args=[adoption.pk])
    form = {"stage": "piloting", "changed_on": "2026-03-01", "incentive_program": "",
            "notes": "", "stage_changes-TOTAL_FORMS": 1, "stage_changes-INITIAL_FORMS": 1}

    refused = admin_client.post(url, {**form, "changed_on": "2025-12-31"})
    assert refused.status_code == 200
    assert "cannot be dated before the current stage began" in str(
        refused.context["adminform"].form.errors["changed_on"])
    assert MeasureAdoption.objects.get().stage == "considering"

    assert admin_client.post(url, form).status_code == 302
    adoption.refresh_from_db()
    assert (adoption.stage, adoption.stage_since) == ("piloting", date(2026, 3, 1))
    change = AdoptionStageChange.objects.latest("changed_on")
    assert (change.stage, change.recorded_by) == ("piloting", staff_user)
    assert adoption.history.first().history_user == staff_user


def test_deleting_an_adoption_in_the_admin_archives_it_and_keeps_its_stages(
    admin_client, staff_user, coalition
):
    adoption = services.adoption_create(
        coalition=coalition, measure=factories.MeasureFactory(), use="p4p",
        stage="implemented", stage_since=date(2026, 1, 5), actor=staff_user)
    changelist = reverse("admin:measures_measureadoption_changelist")

    response = admin_client.post(changelist, {
        "action": "delete_selected", "_selected_action": [adoption.pk], "post": "yes"})

    assert response.status_code == 302
    assert not MeasureAdoption.objects.exists()
    assert AdoptionStageChange.objects.filter(adoption_id=adoption.pk).count() == 1
    [row] = selectors.adoptions_as_of(date(2026, 2, 1))
    assert row.pk == adoption.pk
    archived = MeasureAdoption.all_objects.get(pk=adoption.pk)
    assert archived.archived_at is not None
    assert archived.history.first().history_user == staff_user
