"""Adoption records are outcome data: removing one archives it, every change keeps who made
it, and a member sees the same about other coalitions on pages as in the API."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import selectors, services
from measures.models import AdoptionStageChange, MeasureAdoption
from tests import factories

pytestmark = pytest.mark.django_db

ADOPTIONS = "/api/v1/adoptions/"


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(code="PQI 01", title="Diabetes Short-Term Complications "
                                    "Admission Rate")


def _implemented(coalition, measure, actor, **kwargs):
    adoption = services.adoption_create(
        coalition=coalition, measure=measure, use="p4p", stage="planned",
        stage_since=date(2026, 1, 5), actor=actor, **kwargs)
    return services.adoption_update(adoption=adoption, actor=actor, stage="implemented",
                                    changed_on=date(2026, 3, 1))


def test_a_removed_adoption_keeps_its_dated_stages_for_the_days_before(
    lead_client, lead_user, coalition, measure
):
    adoption = _implemented(coalition, measure, lead_user)

    response = lead_client.post(reverse("measures:adoption-delete", args=[adoption.pk]))

    assert response.status_code == 302
    assert list(selectors.adoption_list(user=lead_user)) == []
    page = lead_client.get(reverse("measures:coalition-measures", args=[coalition.pk]))
    assert list(page.context["adoptions"]) == []
    assert AdoptionStageChange.objects.filter(adoption_id=adoption.pk).count() == 2
    before = {row.pk: row.stage_on_day for row in selectors.adoptions_as_of(date(2026, 4, 1))}
    assert before == {adoption.pk: "implemented"}
    assert list(selectors.adoptions_as_of(timezone.localdate())) == [], "gone from today"
    history = MeasureAdoption.history.filter(id=adoption.pk).order_by("history_date")
    assert [h.history_user for h in history] == [lead_user] * 3
    assert history.last().archived_at is not None


def test_a_removed_adoption_can_be_recorded_again(staff_user, coalition, measure):
    first = _implemented(coalition, measure, staff_user)
    services.adoption_archive(adoption=first, actor=staff_user)

    again = services.adoption_create(coalition=coalition, measure=measure, use="p4p",
                                     stage="considering", actor=staff_user)

    assert again.pk != first.pk
    assert list(MeasureAdoption.objects.all()) == [again]


def test_the_api_delete_archives_and_the_history_still_answers(
    client, lead_user, coalition, measure
):
    adoption = _implemented(coalition, measure, lead_user)
    client.force_login(lead_user)

    assert client.delete(f"{ADOPTIONS}{adoption.pk}/").status_code == 204

    assert client.get(f"{ADOPTIONS}{adoption.pk}/").status_code == 404
    assert client.get(ADOPTIONS).json()["results"] == []
    as_of = client.get(ADOPTIONS, {"as_of": "2026-04-01"}).json()["results"]
    assert [(row["id"], row["stage"]) for row in as_of] == [(adoption.pk, "implemented")]
    archived = MeasureAdoption.history.filter(id=adoption.pk).first()
    assert (archived.history_user, archived.archived_at is not None) == (lead_user, True)


def test_archived_on_a_day_it_no_longer_counts_from_that_day(staff_user, coalition, measure):
    adoption = _implemented(coalition, measure, staff_user)
    archived = services.adoption_archive(adoption=adoption, actor=staff_user)
    day = timezone.localtime(archived.archived_at).date()

    assert [r.pk for r in selectors.adoptions_as_of(day - timedelta(days=1))] == [adoption.pk]
    assert list(selectors.adoptions_as_of(day)) == []


def test_each_adoption_and_program_change_keeps_who_made_it(staff_user, lead_user, coalition,
                                                            measure):
    program = services.incentive_program_create(
        coalition=coalition, actor=lead_user, name="P4P", kind="p4p")
    services.incentive_program_update(program=program, actor=staff_user, status="active",
                                      launch_date=date(2026, 1, 1))
    adoption = _implemented(coalition, measure, lead_user, incentive_program=program)
    services.adoption_update(adoption=adoption, actor=staff_user, notes="Checked.")

    assert [h.history_user for h in program.history.order_by("history_date")] == [
        lead_user, staff_user]
    assert [h.history_user for h in adoption.history.order_by("history_date")] == [
        lead_user, lead_user, staff_user]


# --- what a member sees of other coalitions --------------------------------------------------


@pytest.fixture
def two_adopters(staff_user, coalition, other_coalition, measure):
    return (_implemented(coalition, measure, staff_user),
            _implemented(other_coalition, measure, staff_user))


def _adopters_on_page(client, measure):
    response = client.get(measure.get_absolute_url())
    return sorted(a.coalition.name for a in response.context["adopters"])


def test_a_member_sees_only_their_own_coalitions_use_of_a_measure_on_pages_and_api(
    client, member_user, measure, two_adopters
):
    client.force_login(member_user)

    assert _adopters_on_page(client, measure) == ["Home Coalition"]
    page = client.get(measure.get_absolute_url()).content.decode()
    assert "Other Coalition" not in page
    api = client.get(ADOPTIONS, {"measure": "PQI 01"}).json()["results"]
    assert [row["coalition_name"] for row in api] == ["Home Coalition"]


@pytest.mark.parametrize("role", ["staff_user", "evaluator_user"])
def test_staff_and_evaluators_see_every_coalitions_use_on_pages_and_api(
    request, client, role, measure, two_adopters
):
    client.force_login(request.getfixturevalue(role))

    assert _adopters_on_page(client, measure) == ["Home Coalition", "Other Coalition"]
    assert len(client.get(ADOPTIONS).json()["results"]) == 2
