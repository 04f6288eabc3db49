"""Demo data: the Purchaser-Provider Synergies program as the AHRQ fact sheet describes it.

The program, its tiers and its partners come from the fact sheet (shared/seeds). The
coalitions, people and e-mail addresses are fictional: the fact sheet names none.
"""

from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.roles import EVALUATOR, PROGRAM_STAFF

from . import services
from .models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Contact,
    Enrollment,
    Invitation,
    LearningNetwork,
    Membership,
    NetworkMembership,
    Partner,
    Program,
    ProgramPartner,
    TechnicalAssistance,
)

DEMO_PASSWORD = "synergies-demo"  # noqa: S105 - shared by demo users only, printed by the loader

PROGRAM = {
    "code": "pps",
    "name": "Purchaser-Provider Synergies",
    "description": (
        "AHRQ helps purchasers and providers enhance their quality improvement, public "
        "reporting and pay-for-performance programs with quality measures, tools and research "
        "findings: information and support for 15 purchaser and community coalitions, "
        "intensive technical assistance for three local sites, and national dissemination "
        "of findings and lessons learned."
    ),
}

# (name, kind, tier, states, market, contacts: (name, title, role))
COALITIONS = [
    ("Chesapeake Employers Health Alliance", "purchaser", "support", "MD, VA", "", [
        ("Dana Whitfield", "Executive Director", "executive"),
        ("Marcus Lee", "Quality Programs Manager", "clinical")]),
    ("Great Lakes Purchasers for Quality", "purchaser", "support", "MI, OH", "", [
        ("Renee Kowalski", "President", "executive"),
        ("Tom Brandt", "Data Analyst", "data")]),
    ("Prairie Health Purchasing Coalition", "purchaser", "support", "KS, NE", "", [
        ("Alicia Romero", "Director", "primary")]),
    ("Cascadia Community Health Partnership", "community", "support", "WA, OR", "", [
        ("Jordan Pike", "Program Director", "primary"),
        ("Mei Tanaka", "Communications Lead", "communications")]),
    ("Rio Grande Community Health Coalition", "community", "support", "NM, TX", "", [
        ("Luis Ortega", "Coordinator", "primary")]),
    ("Piedmont Employers Quality Council", "purchaser", "support", "NC", "", [
        ("Grace Holloway", "Executive Director", "executive")]),
    ("Heartland Medicaid Quality Initiative", "medicaid_schip", "support", "IA", "", [
        ("Sam Nguyen", "Quality Director", "clinical")]),
    ("Bluegrass Children's Coverage Program", "medicaid_schip", "support", "KY", "", [
        ("Erin Castle", "SCHIP Program Manager", "primary")]),
    ("Sonoran Provider Quality Network", "provider_group", "support", "AZ", "", [
        ("Dr. Priya Raman", "Medical Director", "clinical")]),
    ("Twin Rivers Physician Collaborative", "provider_group", "support", "MN", "", [
        ("Ben Halvorsen", "Administrator", "primary")]),
    ("Green Mountain All-Payer Forum", "all_payer", "support", "VT", "", [
        ("Claire Dubois", "Facilitator", "primary")]),
    ("Gulf Coast Employers Health Coalition", "purchaser", "support", "LA, MS", "", [
        ("Andre Baptiste", "Executive Director", "executive")]),
    ("Front Range Community Health Alliance", "community", "support", "CO", "", [
        ("Hannah Stone", "Director", "primary")]),
    ("Keystone State Value Purchasing Team", "state_agency", "support", "PA", "", [
        ("Robert Ellis", "Deputy Secretary", "executive"),
        ("Nina Patel", "Policy Analyst", "data")]),
    ("Palmetto State Health Purchasing Team", "state_agency", "support", "SC", "", [
        ("Carla Jenkins", "Purchasing Director", "primary")]),
    ("Hudson Valley Purchaser-Provider Collaborative", "purchaser", "intensive", "NY",
     "Hudson Valley", [
        ("Michael Brennan", "Executive Director", "executive"),
        ("Sofia Alvarez", "Measurement Lead", "data")]),
    ("Ozark All-Payer Quality Collaborative", "all_payer", "intensive", "AR, MO", "Ozarks", [
        ("Wade Turner", "Chair", "primary")]),
    ("Tidewater Medicaid and SCHIP Partnership", "medicaid_schip", "intensive", "VA",
     "Hampton Roads", [
        ("Jasmine Ward", "Program Lead", "primary")]),
]

# The partners the fact sheet names under "With Whom?".
PARTNERS = [
    ("National Business Coalition on Health", "coalition_association",
     "National association of purchaser coalitions; works with the program"),
    ("National Business Group on Health", "employer_group",
     "National employer group; works with the program"),
    ("State Medicaid directors", "state_officials", "Works with the program"),
    ("General Motors", "employer", "Employer; works with the program"),
    ("Centers for Medicare & Medicaid Services", "federal_agency", "AHRQ's partner"),
]


def _slug(name):
    return name.split()[0].lower().replace("'", "")


def _user(email, full_name, *, staff=False):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, is_staff=staff
        )
    return user


@transaction.atomic
def demo_load(*, today=None):
    """Create the demo program, coalitions, partners and users; a re-run changes nothing."""
    today = today or timezone.localdate()
    staff = _user("staff@demo.test", "Pat Program-Staff", staff=True)
    staff.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    evaluator = _user("evaluator@demo.test", "Eve Evaluator")
    evaluator.groups.add(Group.objects.get(name=EVALUATOR))

    program = Program.objects.filter(code=PROGRAM["code"]).first()
    if program is None:
        start = date(today.year, 1, 1)
        program = services.program_create(
            actor=staff,
            start_date=start,
            end_date=date(start.year + 2, 1, 1) - timedelta(days=1),
            **PROGRAM,
        )

    for name, kind, role in PARTNERS:
        partner, _ = Partner.objects.get_or_create(name=name, defaults={"kind": kind})
        ProgramPartner.objects.get_or_create(
            program=program, partner=partner, defaults={"role": role}
        )

    leads = []
    for name, kind, tier, states, market, contacts in COALITIONS:
        coalition = Coalition.objects.filter(name=name).first()
        if coalition is None:
            coalition = services.coalition_create(
                actor=staff, name=name, kind=kind, states=states, market=market
            )
        slug = _slug(name)
        for person, title, role in contacts:
            email = f"{person.split()[-1].lower()}@{slug}.example.org"
            if not Contact.objects.filter(coalition=coalition, email=email).exists():
                services.contact_create(
                    coalition=coalition, actor=staff, name=person, email=email,
                    title=title, role=role,
                )
        if not Enrollment.objects.filter(program=program, coalition=coalition).exists():
            # A tier filled by hand since the last load is left as it is.
            with suppress(services.RegistryError):
                services.enrollment_create(
                    program=program, coalition=coalition, tier=tier, actor=staff,
                    enrolled_on=program.start_date,
                )
        lead = _user(f"lead.{slug}@demo.test", f"{contacts[0][0]}")
        Membership.objects.get_or_create(
            user=lead, defaults={"coalition": coalition, "role": Membership.Role.LEAD}
        )
        leads.append((lead.email, coalition.name))
    facilitator = _user("facilitator@demo.test", "Fran Network-Facilitator", staff=True)
    facilitator.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    demo_engagement(program=program, staff=staff, facilitator=facilitator, today=today)
    demo_action_plans(program=program)
    demo_invitation(staff=staff)
    # Other apps' demo data (adoption records...) builds on this program and its coalitions.
    for loader in settings.DEMO_LOADERS:
        import_string(loader)(program=program, today=today)
    return {"staff": staff.email, "evaluator": evaluator.email, "leads": leads}


# --- technical assistance and learning networks ---------------------------------------------
# Fictional contacts of a plausible kind: what staff of such a program do with its sites. The
# offsets are days from the program's start; nothing dated after "today" is logged.

INTENSIVE_PLAN = [
    # (day, kind, hours, topics, summary, follow-ups: (what, owner "staff"|"lead", due in days))
    (20, "site_visit", 6, "program goals, measure selection",
     "Kickoff visit with the site's steering group: agreed the goals for the intensive-"
     "assistance year and reviewed the quality measures its purchasers already collect.",
     [("Send a crosswalk of the site's current measures to the AHRQ Quality Indicators",
       "staff", 21),
      ("Share the list of hospitals willing to take part in a first public report", "lead",
       30)]),
    (45, "consultation", 1.5, "data sources",
     "Call on the data a hospital quality report could draw on and who would need to agree "
     "to its use.",
     [("Confirm access to the state's hospital discharge data", "lead", 30)]),
    (75, "consultation", 1, "pay-for-performance design",
     "Walked through design options for a first performance incentive: what to reward, how "
     "much, and how to phase it in.",
     [("Draft two incentive options for the steering group", "lead", 35)]),
    (110, "site_visit", 5, "public report design",
     "Reviewed a draft public report with purchasers and hospital representatives and "
     "collected their comments on its layout and wording.",
     [("Send consumer-testing guidance for the draft report", "staff", 14),
      ("Revise the report's explanation of risk adjustment", "lead", 45)]),
    (140, "data_support", 3, "AHRQ Quality Indicators",
     "Helped the site's analyst run the Quality Indicators software on a test extract and "
     "read the first results.",
     [("Check the test extract for missing admission types", "lead", 21)]),
    (170, "consultation", 1, "provider engagement",
     "Talked through how to share results with hospitals before publication.",
     [("Schedule a preview meeting with participating hospitals", "lead", 30)]),
    (200, "site_visit", 6, "mid-year review",
     "Mid-year review of the site's progress against its goals; agreed what to change for "
     "the second half of the year.",
     [("Write up the mid-year review and agreed changes", "staff", 14)]),
    (230, "document_review", 2, "incentive contract language",
     "Reviewed draft contract language for the site's performance incentive and suggested "
     "clearer definitions of the measures and the payment rules.", []),
    (260, "consultation", 1, "patient experience surveys",
     "Call on adding a patient experience survey to the site's measure set.",
     [("Share vendor questions to ask about CAHPS survey administration", "staff", 10)]),
    (290, "consultation", 1, "evaluation",
     "Call on how the site will judge whether its first report and incentive made a "
     "difference.",
     [("Agree the baseline year for the site's measures", "lead", 30)]),
    (320, "site_visit", 5, "sustaining the work",
     "Visit on sustaining the public report and incentive after the program's assistance "
     "ends.",
     [("Outline a budget for the report's second year", "lead", 40),
      ("Send examples of how other communities fund a public report", "staff", 21)]),
]

SUPPORT_TOPICS = [
    "Introduction to the program and its resources",
    "Selecting measures for public reporting",
    "Patient experience surveys",
    "Designing pay-for-performance incentives",
    "Engaging providers in measurement",
    "Using the AHRQ Quality Indicators",
    "Aligning measures across purchasers",
    "Reporting quality to consumers",
    "Evaluating incentive programs",
    "Sustaining coalition work",
    "Lessons from the intensive-assistance sites",
]

NETWORKS = [
    ("Public reporting", "Building and sustaining public reports on hospital and physician "
     "quality", ["Chesapeake", "Great", "Cascadia", "Front", "Hudson"]),
    ("Pay-for-performance design", "Designing, paying for and evaluating performance "
     "incentives", ["Piedmont", "Gulf", "Ozark", "Prairie", "Twin"]),
    ("Measure alignment", "Aligning the measures purchasers, plans and providers use in one "
     "market", ["Heartland", "Bluegrass", "Keystone", "Palmetto", "Tidewater", "Green"]),
]


def _log(program, staff, today, *, day, kind, hours, topics, summary, served, follow_ups=(),
         network=None, owners=None):
    """Log one demo contact unless it is in the future or already logged (idempotent)."""
    when = program.start_date + timedelta(days=day)
    if when > today or TechnicalAssistance.objects.filter(
        program=program, date=when, kind=kind, summary=summary
    ).exists():
        return None
    rows = []
    for what, owner, due_in in follow_ups:
        due = when + timedelta(days=due_in)
        row = {"description": what, "owner": (owners or {}).get(owner, staff), "due_date": due,
               "status": "open"}
        if due < today - timedelta(days=14):
            row.update(status="done", closed_on=due - timedelta(days=2))
        rows.append(row)
    return services.assistance_create(
        actor=staff, program=program, kind=kind, date=when, hours=Decimal(str(hours)),
        staff_member=staff, topics=topics, summary=summary, network=network,
        coalitions=served, follow_ups=rows,
    )


def demo_engagement(*, program, staff, facilitator, today):
    """Learning networks and the technical assistance of the program's months so far."""
    enrollments = list(program.enrollments.select_related("coalition"))
    by_word = {e.coalition.name.split()[0]: e.coalition for e in enrollments}
    intensive = [e.coalition for e in enrollments if e.tier == Enrollment.Tier.INTENSIVE]
    support = [e.coalition for e in enrollments if e.tier == Enrollment.Tier.SUPPORT]
    leads = {
        m.coalition_id: m.user
        for m in Membership.objects.filter(role=Membership.Role.LEAD).select_related("user")
    }
    for index, coalition in enumerate(sorted(intensive + support, key=lambda c: c.name)):
        if coalition.staff_contact_id is None:
            services.coalition_update(
                coalition=coalition, actor=staff,
                staff_contact=staff if coalition in intensive or index % 2 else facilitator,
            )

    joined = program.start_date + timedelta(days=30)
    networks = []
    for name, topic, members in NETWORKS:
        network = LearningNetwork.objects.filter(program=program, name=name).first()
        if network is None:
            network = services.network_create(
                actor=staff, program=program, name=name, topic=topic, facilitator=facilitator
            )
        for word in members:
            coalition = by_word.get(word)
            if coalition and joined <= today and not NetworkMembership.objects.filter(
                network=network, coalition=coalition
            ).exists():
                services.network_member_add(
                    network=network, coalition=coalition, joined_on=joined, actor=staff
                )
        networks.append(network)

    for shift, site in enumerate(intensive):
        owners = {"staff": staff, "lead": leads.get(site.pk, staff)}
        for day, kind, hours, topics, summary, follow_ups in INTENSIVE_PLAN:
            _log(program, staff, today, day=day + 3 * shift, kind=kind, hours=hours,
                 topics=topics, summary=f"{site.name}: {summary}", served=[site],
                 follow_ups=follow_ups, owners=owners)

    for month, topic in enumerate(SUPPORT_TOPICS):
        _log(program, facilitator, today, day=28 + 30 * month, kind="web_conference",
             hours=1.5, topics=topic.lower(),
             summary=f"Web conference for the information-and-support coalitions: {topic}.",
             served=support,
             follow_ups=[("Post the slides and recording for the coalitions", "staff", 7)],
             owners={"staff": facilitator})
    for day, topic in ((55, "Measures, data and public reporting"),
                       (235, "Selling the strategy back home: action planning")):
        _log(program, staff, today, day=day, kind="workshop", hours=7, topics=topic.lower(),
             summary=f"One-day workshop for the information-and-support coalitions and State "
                     f"teams: {topic}.",
             served=support,
             follow_ups=[("Send each team its workshop notes and action-plan template",
                          "staff", 10)])
    for day in (150, 300):
        _log(program, staff, today, day=day, kind="national_presentation", hours=2,
             topics="national dissemination",
             summary="Presented early lessons from the intensive-assistance sites at a "
                     "national meeting of purchaser coalitions.",
             served=intensive)

    for network in networks:
        members = [m.coalition for m in network.memberships.filter(left_on__isnull=True)]
        for number, day in enumerate((90, 180, 270), start=1):
            if members:
                _log(program, facilitator, today, day=day, kind="peer_assist", hours=1.5,
                     topics=network.name.lower(), network=network, served=members,
                     summary=f"{network.name} network, session {number}: members shared what "
                             "worked and what did not since the last session.")


# --- action plans and an invitation ---------------------------------------------------------
# The items are the mechanisms the State teams chose in the workshop brief ("Realizing the
# Promise of Value-based Purchasing", shared/seeds), in its own words; which site chose which,
# the owners and the dates are fictional. Due dates are days from the program's start.

PLAN_GOALS = (
    "Sell the value-based purchasing strategy back home: secure the support of legislators "
    "and the other key parties, and the resources its implementation needs."
)

# (category, description, owner: index of the coalition's contact or "lead", due day, status)
PLAN_ITEMS = {
    "Keystone State Value Purchasing Team": [
        ("legislator_outreach", "Invite legislators on key committees to meetings about "
         "value-based purchasing, to keep them informed about new purchasing strategies.",
         0, 90, "done"),
        ("sharing_successes", "Share examples of successful value-based purchasing "
         "initiatives that might sell the message, not downplaying smaller pilot projects "
         "that have worked.", 1, 150, "in_progress"),
        ("private_purchasers", "Involve private sector purchasers in selling the message to "
         "legislators.", 0, 240, "not_started"),
        ("health_summit", "Hold a State health summit to develop strategies with key "
         "players.", "lead", 420, "not_started"),
    ],
    "Palmetto State Health Purchasing Team": [
        ("data_usefulness", "Assess whether the data currently being collected are useful "
         "for decisionmaking.", 0, 120, "done"),
        ("data_gaps", "Gather more data on outcomes and quality to fill gaps.", 0, 270,
         "in_progress"),
        ("health_goals", "Identify the health goals for the State's citizens.", "lead", 300,
         "not_started"),
        ("other", "Talk with agency heads who share similar work.", "lead", 200,
         "dropped"),
    ],
    "Hudson Valley Purchaser-Provider Collaborative": [
        ("data_usefulness", "Assess whether the data the purchasers collect today are useful "
         "for decisionmaking.", 1, 100, "done"),
        ("partners", "Identify partners that can be enlisted on small, specific projects.",
         0, 180, "in_progress"),
        ("incremental_pilot", "Pursue an incremental strategy: tackle one discrete piece of "
         "the purchasing puzzle first rather than attempt widespread reform.", 0, 300,
         "not_started"),
    ],
    "Ozark All-Payer Quality Collaborative": [
        ("other", "Continue dialoguing about purchasing objectives among the payers.", 0, 60,
         "done"),
        ("data_gaps", "Gather more data on outcomes and quality to fill gaps.", "lead", 210,
         "not_started"),
        ("sharing_successes", "Share examples of successful initiatives, including smaller "
         "pilot projects that have worked.", 0, 330, "not_started"),
    ],
    "Tidewater Medicaid and SCHIP Partnership": [
        ("incremental_pilot", "Begin with joint purchasing efforts around one service for "
         "children before attempting widespread reform.", 0, 150, "in_progress"),
        ("legislator_outreach", "Invite legislators on key committees to a meeting about the "
         "partnership's purchasing strategy.", "lead", 240, "not_started"),
        ("health_goals", "Identify the health goals for the children the partnership "
         "covers.", 0, 365, "not_started"),
    ],
}

# One invitation left pending: a measurement lead asked to sign in beside her site's lead.
PENDING_INVITATION = (
    "Hudson Valley Purchaser-Provider Collaborative", "alvarez@hudson.example.org"
)


def demo_action_plans(*, program):
    """The plans of the three intensive sites and two State agency teams; each made once, by
    the coalition's lead, its items as they stand (a finished item is marked done after it
    was added, so its history shows the change)."""
    for name, items in PLAN_ITEMS.items():
        coalition = Coalition.objects.filter(name=name).first()
        if coalition is None or ActionPlan.objects.filter(
            coalition=coalition, program=program
        ).exists():
            continue
        lead = User.objects.get(email=f"lead.{_slug(name)}@demo.test")
        contacts = list(coalition.contacts.order_by("pk"))
        # Not enrolled (changed by hand since): no plan, and nothing half-made.
        with suppress(services.RegistryError), transaction.atomic():
            plan = services.action_plan_create(
                coalition=coalition, program=program, actor=lead, goals=PLAN_GOALS
            )
            for category, description, owner, day, status in items:
                owner_fields = (
                    {"owner_user": lead} if owner == "lead" else {"owner_contact": contacts[owner]}
                )
                item = services.action_item_create(
                    plan=plan, actor=lead, category=category, description=description,
                    due_date=program.start_date + timedelta(days=day), **owner_fields,
                )
                if status != ActionPlanItem.Status.NOT_STARTED:
                    services.action_item_update(item=item, actor=lead, status=status)


def demo_invitation(*, staff):
    name, email = PENDING_INVITATION
    coalition = Coalition.objects.filter(name=name).first()
    if coalition is None or Invitation.objects.filter(coalition=coalition, email=email).exists():
        return
    with suppress(services.RegistryError):  # the address signs in already
        services.invitation_create(
            coalition=coalition, email=email, role=Membership.Role.MEMBER, actor=staff
        )
