import pytest
from django.core.management import call_command

from accounts.models import User
from coalitions.demo import DEMO_PASSWORD
from coalitions.models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Contact,
    Enrollment,
    Invitation,
    Membership,
    Program,
    ProgramPartner,
)
from measures.models import AdoptionStageChange, IncentiveProgram, MeasureAdoption

pytestmark = pytest.mark.django_db


def snapshot():
    models = [User, Program, Coalition, Enrollment, Contact, Membership, ProgramPartner,
              MeasureAdoption, AdoptionStageChange, IncentiveProgram,
              ActionPlan, ActionPlanItem, Invitation]
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
        if hasattr(model, "updated_at") else sorted(model.objects.values_list("pk", flat=True))
        for model in models
    } | {"history": Enrollment.history.count(), "stages": AdoptionStageChange.objects.count(),
         "item history": ActionPlanItem.history.count(),
         "plan history": ActionPlan.history.count()}


def test_demo_data_is_the_fact_sheets_program(capsys):
    call_command("load_demo")
    program = Program.objects.get(code="pps")
    assert (program.end_date - program.start_date).days in (729, 730)  # two years
    tiers = Enrollment.objects.filter(program=program).values_list("tier", flat=True)
    assert list(tiers).count("support") == 15
    assert list(tiers).count("intensive") == 3
    partners = set(ProgramPartner.objects.values_list("partner__name", flat=True))
    assert {"General Motors", "Centers for Medicare & Medicaid Services",
            "National Business Coalition on Health"} <= partners
    assert len({s for c in Coalition.objects.all() for s in c.state_list}) >= 10
    assert all(c.contacts.exists() for c in Coalition.objects.all())
    output = capsys.readouterr().out
    assert "staff@demo.test" in output and DEMO_PASSWORD in output
    lead = User.objects.get(email="lead.ozark@demo.test")
    assert lead.check_password(DEMO_PASSWORD)
    assert lead.membership.role == Membership.Role.LEAD


def test_loading_the_demo_twice_changes_nothing():
    call_command("load_catalog")
    call_command("load_demo")
    assert MeasureAdoption.objects.filter(stage="implemented").exists()
    before = snapshot()
    call_command("load_demo")
    assert snapshot() == before


def test_demo_plans_for_the_intensive_sites_and_state_teams_and_a_pending_invitation():
    call_command("load_demo")
    program = Program.objects.get(code="pps")
    planned = {
        (plan.coalition.kind, plan.coalition.enrollments.get(program=program).tier)
        for plan in ActionPlan.objects.filter(program=program).select_related("coalition")
    }
    assert ActionPlan.objects.filter(program=program).count() == 5
    intensive = Enrollment.objects.filter(program=program, tier="intensive")
    assert set(ActionPlan.objects.values_list("coalition", flat=True)) >= set(
        intensive.values_list("coalition", flat=True)
    )
    assert ActionPlan.objects.filter(coalition__kind=Coalition.Kind.STATE_AGENCY).count() == 2
    assert ("state_agency", "support") in planned
    categories = set(ActionPlanItem.objects.values_list("category", flat=True))
    assert {"legislator_outreach", "health_summit", "data_gaps", "incremental_pilot"} <= categories
    done = ActionPlanItem.objects.filter(status=ActionPlanItem.Status.DONE).first()
    assert done.history.count() == 2  # added, then marked done: the change shows
    [invitation] = Invitation.objects.all()
    assert invitation.accepted_at is None and invitation.revoked_at is None
    assert invitation.coalition.name == "Hudson Valley Purchaser-Provider Collaborative"
