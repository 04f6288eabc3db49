from datetime import date

import factory

from accounts.models import User
from coalitions.models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Contact,
    Enrollment,
    FollowUp,
    LearningNetwork,
    Membership,
    NetworkMembership,
    Partner,
    Program,
    ProgramPartner,
    TechnicalAssistance,
)
from measures.models import IncentiveProgram, Measure, MeasureAdoption, MeasureSet, Tool

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Program {n}")
    code = factory.Sequence(lambda n: f"program-{n}")
    start_date = date(2026, 1, 1)
    end_date = date(2027, 12, 31)


class CoalitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coalition

    name = factory.Sequence(lambda n: f"Coalition {n:04d}")
    kind = Coalition.Kind.PURCHASER
    states = "MD"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    program = factory.SubFactory(ProgramFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    tier = Enrollment.Tier.SUPPORT
    enrolled_on = date(2026, 1, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    coalition = factory.SubFactory(CoalitionFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    title = "Director"
    role = Contact.Role.PRIMARY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    role = Membership.Role.LEAD


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Partner.Kind.EMPLOYER


class ProgramPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramPartner

    program = factory.SubFactory(ProgramFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = "Works with the program"


# --- measures -------------------------------------------------------------------------------



class MeasureSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureSet
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"SET{n}")
    name = factory.Sequence(lambda n: f"Measure set {n}")
    steward = "Agency for Healthcare Research and Quality (AHRQ)"
    source_url = "https://www.example.org/set"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    measure_set = factory.SubFactory(MeasureSetFactory)
    code = factory.Sequence(lambda n: f"TST {n:03d}")
    title = factory.Sequence(lambda n: f"Test Measure {n} Admission Rate")
    type = Measure.Type.OUTCOME
    level = Measure.Level.AREA
    status = Measure.Status.CURRENT
    improvement_notation = Measure.ImprovementNotation.LOWER
    source_url = "https://www.example.org/measure"


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool

    code = factory.Sequence(lambda n: f"T{n}")
    title = factory.Sequence(lambda n: f"Purchaser guide {n}")
    kind = "guide"
    publisher = "Agency for Healthcare Research and Quality"


class IncentiveProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncentiveProgram

    coalition = factory.SubFactory(CoalitionFactory)
    name = factory.Sequence(lambda n: f"Incentive program {n}")
    kind = IncentiveProgram.Kind.PAY_FOR_PERFORMANCE


class MeasureAdoptionFactory(factory.django.DjangoModelFactory):
    """Creates the adoption without its stage history; use the service where history matters."""

    class Meta:
        model = MeasureAdoption

    coalition = factory.SubFactory(CoalitionFactory)
    measure = factory.SubFactory(MeasureFactory)
    use = MeasureAdoption.Use.PUBLIC_REPORTING
    stage = MeasureAdoption.Stage.IMPLEMENTED
    stage_since = date(2026, 3, 1)


# --- technical assistance and learning networks ---------------------------------------------


class StaffUserFactory(UserFactory):
    """A program staff member (the role's group is made by migrate)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def staff_role(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        from accounts.roles import PROGRAM_STAFF

        if create:
            self.groups.add(Group.objects.get(name=PROGRAM_STAFF))


class TechnicalAssistanceFactory(factory.django.DjangoModelFactory):
    """An entry without the service's checks; pass ``coalitions=[...]`` to name them."""

    class Meta:
        model = TechnicalAssistance
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    kind = TechnicalAssistance.Kind.CONSULTATION
    date = date(2026, 2, 10)
    hours = 1
    staff_member = factory.SubFactory(StaffUserFactory)
    topics = "public reporting"
    summary = "Talked through the coalition's public reporting plans."

    @factory.post_generation
    def coalitions(self, create, extracted, **kwargs):
        if create and extracted:
            self.coalitions.set(extracted)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    entry = factory.SubFactory(TechnicalAssistanceFactory)
    description = factory.Sequence(lambda n: f"Send the draft report {n}")
    owner = factory.LazyAttribute(lambda follow_up: follow_up.entry.staff_member)
    due_date = date(2026, 3, 1)


class LearningNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningNetwork

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Network {n}")
    topic = "Public reporting"
    facilitator = factory.SubFactory(StaffUserFactory)


class NetworkMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(LearningNetworkFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    joined_on = date(2026, 2, 1)


# --- action plans ---------------------------------------------------------------------------


class ActionPlanFactory(factory.django.DjangoModelFactory):
    """A plan for an enrolled coalition (the enrolment is made with it)."""

    class Meta:
        model = ActionPlan
        skip_postgeneration_save = True

    coalition = factory.SubFactory(CoalitionFactory)
    program = factory.SubFactory(ProgramFactory)
    goals = "Sell the value-based purchasing strategy back home."
    enrollment = factory.RelatedFactory(
        EnrollmentFactory, factory_related_name="",
        coalition=factory.SelfAttribute("..coalition"), program=factory.SelfAttribute("..program"),
    )


class ActionPlanItemFactory(factory.django.DjangoModelFactory):
    """An item owned by a contact of the plan's coalition."""

    class Meta:
        model = ActionPlanItem

    plan = factory.SubFactory(ActionPlanFactory)
    category = ActionPlanItem.Category.LEGISLATOR_OUTREACH
    description = factory.Sequence(lambda n: f"Invite legislators on key committee {n}")
    owner_contact = factory.SubFactory(
        ContactFactory, coalition=factory.SelfAttribute("..plan.coalition")
    )
    due_date = date(2026, 6, 30)
