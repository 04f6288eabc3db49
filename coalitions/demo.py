"""Demo data: the Purchaser-Provider Synergies program as the AHRQ fact sheet describes it.

The program, its tiers and its partners come from the fact sheet (shared/seeds). The
coalitions, people and e-mail addresses are fictional: the fact sheet names none.
"""

from contextlib import suppress
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.roles import EVALUATOR, PROGRAM_STAFF

from . import services
from .models import Coalition, Contact, Enrollment, Membership, Partner, Program, ProgramPartner

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
    # Other apps' demo data (adoption records...) builds on this program and its coalitions.
    for loader in settings.DEMO_LOADERS:
        import_string(loader)(program=program, today=today)
    return {"staff": staff.email, "evaluator": evaluator.email, "leads": leads}
