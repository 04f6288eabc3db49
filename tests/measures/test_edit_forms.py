"""Edit forms open with the record as it is, and saving one untouched changes nothing."""

from datetime import date

import pytest
from django.urls import reverse

from measures import services
from measures.models import AdoptionStageChange, IncentiveProgram, MeasureAdoption
from tests import factories
from tests.html_forms import form_data, form_fields

pytestmark = pytest.mark.django_db

NOTES = "Waiting for the hospital association's sign-off.\nPilot in two counties first."


@pytest.fixture
def program(coalition):
    return factories.IncentiveProgramFactory(
        coalition=coalition, name="Hospital quality bonus", status="active",
        launch_date=date(2026, 1, 1), providers="Mercy Hospital\nSt. Luke's",
    )


@pytest.fixture
def planned(coalition, program, lead_user):
    measure = factories.MeasureFactory(code="PQI 92")
    adoption = services.adoption_create(
        coalition=coalition, measure=measure, use="p4p", stage="planned",
        stage_since=date(2026, 2, 2), incentive_program=program, notes=NOTES, actor=lead_user,
    )
    return MeasureAdoption.objects.get(pk=adoption.pk)


def test_the_adoption_form_opens_at_the_records_stage_program_and_notes(
    lead_client, planned, program
):
    response = lead_client.get(reverse("measures:adoption-update", args=[planned.pk]))
    fields = dict(form_fields(response, having="stage"))
    assert fields["stage"] == "planned"
    assert fields["incentive_program"] == str(program.pk)
    assert fields["notes"] == NOTES.replace("\n", "\r\n")


def test_saving_the_adoption_form_untouched_changes_nothing(lead_client, planned, program):
    url = reverse("measures:adoption-update", args=[planned.pk])
    data = form_data(lead_client.get(url), having="stage")

    response = lead_client.post(url, data)

    assert response.status_code == 302
    adoption = MeasureAdoption.objects.get(pk=planned.pk)
    assert (adoption.stage, adoption.stage_since) == ("planned", date(2026, 2, 2))
    assert adoption.incentive_program == program
    assert adoption.notes == NOTES
    assert adoption.updated_at == planned.updated_at
    assert list(AdoptionStageChange.objects.values_list("stage", "changed_on")) == [
        ("planned", date(2026, 2, 2))
    ], "no false dated stage change"
    assert adoption.history.count() == 1


def test_saving_the_incentive_program_form_untouched_changes_nothing(
    lead_client, program, planned
):
    program.measures.set([planned.measure])
    before = IncentiveProgram.objects.get(pk=program.pk)
    versions = before.history.count()
    url = reverse("measures:incentive-program-update", args=[program.pk])
    data = form_data(lead_client.get(url), having="name")
    assert data["status"] == "active" and data["launch_date"] == "2026-01-01"

    response = lead_client.post(url, data)

    assert response.status_code == 302
    after = IncentiveProgram.objects.get(pk=program.pk)
    assert after.updated_at == before.updated_at
    assert after.providers == "Mercy Hospital\nSt. Luke's"
    assert list(after.measures.all()) == [planned.measure]
    assert after.history.count() == versions, "no history row for a save that changed nothing"
