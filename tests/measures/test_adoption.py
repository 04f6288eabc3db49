from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from measures import selectors, services
from measures.models import IncentiveProgram, MeasureAdoption
from tests import factories
from tests.queries import assert_constant

pytestmark = pytest.mark.django_db

D = date


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(code="PQI 01", title="Diabetes Short-Term Complications "
                                    "Admission Rate")


FIRST_DAY = D(2026, 1, 5)


def adopt(coalition, measure, actor, stage="considering", day=FIRST_DAY, **kw):
    return services.adoption_create(coalition=coalition, measure=measure, use="p4p",
                                    stage=stage, stage_since=day, actor=actor, **kw)


# --- what was true on a day -----------------------------------------------------------------


def test_adoptions_as_of_a_day_answer_with_the_stage_of_that_day(
    staff_user, coalition, measure
):
    adoption = adopt(coalition, measure, staff_user, "considering", D(2026, 1, 5))
    services.adoption_update(adoption=adoption, actor=staff_user, stage="piloting",
                             changed_on=D(2026, 3, 1))
    services.adoption_update(adoption=adoption, actor=staff_user, stage="implemented",
                             changed_on=D(2026, 6, 15))

    def stage_on(day):
        rows = list(selectors.adoptions_as_of(day, coalition=coalition))
        return rows[0].stage_on_day if rows else None

    assert stage_on(D(2026, 1, 4)) is None, "not yet recorded the day before"
    assert stage_on(D(2026, 1, 5)) == "considering"
    assert stage_on(D(2026, 2, 28)) == "considering"
    assert stage_on(D(2026, 3, 1)) == "piloting"
    assert stage_on(D(2026, 6, 14)) == "piloting"
    assert stage_on(D(2026, 6, 15)) == "implemented"
    assert stage_on(D(2026, 11, 1)) == "implemented"


def test_two_changes_on_one_day_the_later_record_wins(staff_user, coalition, measure):
    adoption = adopt(coalition, measure, staff_user, "considering", D(2026, 2, 1))
    services.adoption_update(adoption=adoption, actor=staff_user, stage="planned",
                             changed_on=D(2026, 2, 1))
    [row] = selectors.adoptions_as_of(D(2026, 2, 1))
    assert row.stage_on_day == "planned"


def test_as_of_keeps_coalitions_apart(staff_user, coalition, other_coalition, measure):
    adopt(coalition, measure, staff_user, "implemented", D(2026, 1, 1))
    adopt(other_coalition, measure, staff_user, "planned", D(2026, 4, 1))
    day = D(2026, 2, 1)
    assert [a.coalition for a in selectors.adoptions_as_of(day)] == [coalition]
    assert list(selectors.adoptions_as_of(day, coalition=other_coalition)) == []


# --- rules ----------------------------------------------------------------------------------


def test_a_stage_change_cannot_be_dated_before_the_current_stage(
    staff_user, coalition, measure
):
    adoption = adopt(coalition, measure, staff_user, "planned", D(2026, 5, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.adoption_update(adoption=adoption, actor=staff_user, stage="piloting",
                                 changed_on=D(2026, 4, 1))
    assert "cannot be dated before" in excinfo.value.message_dict["changed_on"][0]
    adoption.refresh_from_db()
    assert adoption.stage == "planned"
    assert adoption.stage_changes.count() == 1


def test_future_dates_are_refused(staff_user, coalition, measure):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        adopt(coalition, measure, staff_user, day=tomorrow)
    assert excinfo.value.message_dict["stage_since"] == ["The date cannot be in the future."]
    assert not MeasureAdoption.objects.exists()


def test_a_measure_is_recorded_once_per_use(staff_user, coalition, measure):
    adopt(coalition, measure, staff_user)
    with pytest.raises(ValidationError) as excinfo:
        adopt(coalition, measure, staff_user)
    assert "already records PQI 01 for pay for performance" in \
        excinfo.value.message_dict["measure"][0]
    services.adoption_create(coalition=coalition, measure=measure, use="public_reporting",
                             stage="planned", actor=staff_user)
    assert MeasureAdoption.objects.count() == 2


def test_an_adoption_cannot_point_at_another_coalitions_program(
    staff_user, coalition, other_coalition, measure
):
    foreign = factories.IncentiveProgramFactory(coalition=other_coalition)
    with pytest.raises(ValidationError) as excinfo:
        adopt(coalition, measure, staff_user, incentive_program=foreign)
    assert "another coalition" in excinfo.value.message_dict["incentive_program"][0]


def test_an_active_incentive_program_needs_its_launch_date(staff_user, coalition):
    with pytest.raises(ValidationError) as excinfo:
        services.incentive_program_create(coalition=coalition, actor=staff_user,
                                          name="P4P", kind="p4p", status="active")
    assert "launch_date" in excinfo.value.message_dict
    assert not IncentiveProgram.objects.exists()


def test_a_programs_measures_can_be_recorded_as_adopted_in_one_step(staff_user, coalition):
    first, second = factories.MeasureFactory.create_batch(2)
    existing = adopt(coalition, first, staff_user, "considering", D(2026, 1, 1))
    program = services.incentive_program_create(
        coalition=coalition, actor=staff_user, name="Hospital P4P", kind="p4p",
        status="active", launch_date=D(2026, 7, 1), measures=[first, second],
    )
    services.incentive_program_adopt_measures(program=program, stage="implemented",
                                              actor=staff_user)
    adoptions = MeasureAdoption.objects.filter(coalition=coalition, use="p4p")
    assert {a.stage for a in adoptions} == {"implemented"}
    assert {a.incentive_program for a in adoptions} == {program}
    assert [c.stage for c in existing.stage_changes.all()] == ["considering", "implemented"]


# --- pages ----------------------------------------------------------------------------------


def test_a_lead_records_two_measures_implemented_in_a_new_p4p_program_and_staff_see_it(
    client, lead_user, staff_user, coalition
):
    first = factories.MeasureFactory(code="PSI 90")
    second = factories.MeasureFactory(code="IQI 91")
    client.force_login(lead_user)
    response = client.post(reverse("measures:incentive-program-create", args=[coalition.pk]), {
        "name": "Hospital quality bonus", "kind": "p4p", "status": "active",
        "launch_date": "2026-07-01", "measures": [first.pk, second.pk],
        "record_stage": "implemented",
    })
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(reverse("measures:coalition-measures", args=[coalition.pk]))
    html = page.content.decode()
    assert "Hospital quality bonus" in html and "PSI 90" in html and "IQI 91" in html

    client.force_login(staff_user)
    for measure in (first, second):
        [adoption] = selectors.measure_adopters(measure, user=staff_user)
        assert (adoption.coalition, adoption.use, adoption.stage) == (
            coalition, "p4p", "implemented")
    listing = client.get(reverse("measures:adoption-list"), {"stage": "implemented"})
    assert listing.context["page_obj"].paginator.count == 2


def test_the_public_sees_no_adopters(staff_user, coalition, measure):
    from django.contrib.auth.models import AnonymousUser

    adopt(coalition, measure, staff_user)
    assert list(selectors.measure_adopters(measure, user=AnonymousUser())) == []


def test_a_lead_changes_a_stage_with_its_date_and_sees_the_history(
    client, lead_user, coalition, measure
):
    adoption = adopt(coalition, measure, lead_user, "planned", D(2026, 2, 1))
    client.force_login(lead_user)
    url = reverse("measures:adoption-update", args=[adoption.pk])
    response = client.post(url, {"stage": "piloting", "changed_on": "2026-01-15"})
    assert "cannot be dated before" in response.context["form"].errors["changed_on"][0]
    client.post(url, {"stage": "piloting", "changed_on": "2026-04-01", "notes": "Two hospitals"})
    adoption.refresh_from_db()
    assert (adoption.stage, adoption.stage_since, adoption.notes) == (
        "piloting", D(2026, 4, 1), "Two hospitals")
    history = client.get(url).content.decode()
    assert "Planned on February 1, 2026" in history
    assert "Piloting on April 1, 2026" in history


@pytest.fixture
def foreign_adoption(other_coalition, measure, staff_user):
    return adopt(other_coalition, measure, staff_user)


@pytest.mark.parametrize("role", ["lead", "member"])
def test_another_coalitions_adoption_pages_are_404(role, request, client, other_coalition,
                                                   foreign_adoption):
    client.force_login(request.getfixturevalue(f"{role}_user"))
    program = factories.IncentiveProgramFactory(coalition=other_coalition)
    for url in [
        reverse("measures:coalition-measures", args=[other_coalition.pk]),
        reverse("measures:adoption-create", args=[other_coalition.pk]),
        reverse("measures:adoption-update", args=[foreign_adoption.pk]),
        reverse("measures:adoption-delete", args=[foreign_adoption.pk]),
        reverse("measures:incentive-program-create", args=[other_coalition.pk]),
        reverse("measures:incentive-program-update", args=[program.pk]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert MeasureAdoption.objects.filter(pk=foreign_adoption.pk).exists()


def test_members_and_evaluators_read_but_do_not_write(
    client, member_user, evaluator_user, coalition, measure, staff_user
):
    adoption = adopt(coalition, measure, staff_user)
    for user in (member_user, evaluator_user):
        client.force_login(user)
        page = client.get(reverse("measures:coalition-measures", args=[coalition.pk]))
        assert page.status_code == 200 and "PQI 01" in page.content.decode()
        assert "Record a measure" not in page.content.decode()
        assert client.get(reverse("measures:adoption-create", args=[coalition.pk])
                          ).status_code == 403
        assert client.post(reverse("measures:adoption-delete", args=[adoption.pk])
                           ).status_code == 403
    assert MeasureAdoption.objects.filter(pk=adoption.pk).exists()


def test_the_adoption_list_is_for_staff_and_evaluators(client, lead_user, evaluator_user):
    client.force_login(lead_user)
    assert client.get(reverse("measures:adoption-list")).status_code == 403
    client.force_login(evaluator_user)
    assert client.get(reverse("measures:adoption-list")).status_code == 200
    client.logout()
    assert client.get(reverse("measures:adoption-list")).status_code == 302


def test_adoption_form_shows_errors_beside_the_field_and_saves_nothing(
    lead_client, coalition, measure, lead_user
):
    adopt(coalition, measure, lead_user)
    response = lead_client.post(reverse("measures:adoption-create", args=[coalition.pk]), {
        "measure": measure.pk, "use": "p4p", "stage": "planned",
    })
    assert "already records" in response.context["form"].errors["measure"][0]
    response = lead_client.post(reverse("measures:adoption-create", args=[coalition.pk]), {
        "measure": measure.pk, "use": "teleportation", "stage": "planned",
    })
    assert "use" in response.context["form"].errors
    assert MeasureAdoption.objects.count() == 1


# --- query counts ---------------------------------------------------------------------------


def test_coalition_measures_page_is_constant(lead_client, coalition, lead_user):
    url = reverse("measures:coalition-measures", args=[coalition.pk])

    def grow(n):
        for measure in factories.MeasureFactory.create_batch(n):
            adopt(coalition, measure, lead_user)
            program = factories.IncentiveProgramFactory(coalition=coalition)
            program.measures.add(measure)

    assert_constant(lead_client, url, grow)


def test_adoption_list_is_constant(staff_client, staff_user):
    url = reverse("measures:adoption-list")

    def grow(n):
        for measure in factories.MeasureFactory.create_batch(n):
            adopt(factories.CoalitionFactory(), measure, staff_user)

    assert_constant(staff_client, url, grow)


def test_a_program_whose_measures_cannot_be_recorded_is_not_saved_either(
    staff_user, coalition, monkeypatch
):
    measure = factories.MeasureFactory()

    def refuse(**kwargs):
        raise ValidationError({"measure": "refused"})

    monkeypatch.setattr(services, "adoption_create", refuse)
    with pytest.raises(ValidationError):
        services.incentive_program_create(
            coalition=coalition, actor=staff_user, name="P4P", kind="p4p",
            measures=[measure], adopt_stage="implemented",
        )
    assert not IncentiveProgram.objects.exists()


def test_a_second_program_of_the_same_name_is_refused_beside_the_name(staff_user, coalition):
    services.incentive_program_create(coalition=coalition, actor=staff_user,
                                      name="Hospital P4P", kind="p4p")
    with pytest.raises(ValidationError) as excinfo:
        services.incentive_program_create(coalition=coalition, actor=staff_user,
                                          name="hospital p4p", kind="report_card")
    assert excinfo.value.message_dict["name"] == [
        "This coalition already has a program by that name."]
    assert IncentiveProgram.objects.count() == 1


def test_as_of_for_a_member_shows_only_their_coalition(
    staff_user, member_user, coalition, other_coalition, measure
):
    adopt(coalition, measure, staff_user, "planned", D(2026, 1, 1))
    adopt(other_coalition, measure, staff_user, "planned", D(2026, 1, 1))
    rows = list(selectors.adoptions_as_of(D(2026, 3, 1), user=member_user))
    assert [(r.coalition, r.stage_on_day, r.stage_on_day_since) for r in rows] == [
        (coalition, "planned", D(2026, 1, 1))]
    assert len(selectors.adoptions_as_of(D(2026, 3, 1), user=staff_user)) == 2
