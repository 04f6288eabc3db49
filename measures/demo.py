"""Demo adoption records and incentive programs for the demo coalitions.

The measures are real (from the catalog); which fictional coalition uses which, and when,
is invented for the demonstration.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from coalitions.models import Coalition

from . import services
from .models import IncentiveProgram, Measure, MeasureAdoption

# coalition name -> (program name, kind, measure codes, stage reached)
PROGRAMS = {
    "Hudson Valley Purchaser-Provider Collaborative": (
        "Hospital safety bonus", "p4p", ["PSI 90", "IQI 91"], "implemented"),
    "Chesapeake Employers Health Alliance": (
        "Employer hospital report card", "report_card", ["HCAHPS", "PSI 90"], "piloting"),
    "Ozark All-Payer Quality Collaborative": (
        "Ambulatory care incentive", "p4p", ["PQI 90", "PQI 92"], "planned"),
}
# Adoptions weighed without a program yet: (coalition, measure code, use).
CONSIDERING = [
    ("Great Lakes Purchasers for Quality", "PQI 01", "public_reporting"),
    ("Tidewater Medicaid and SCHIP Partnership", "PDI 90", "quality_improvement"),
    ("Green Mountain All-Payer Forum", "CAHPS Health Plan", "public_reporting"),
]


@transaction.atomic
def demo_load(*, program=None, today=None, **kwargs):
    staff = User.objects.get(email="staff@demo.test")
    today = today or timezone.localdate()
    start = program.start_date if program else today
    # Stages move a quarter into the program, or today if the program is younger than that.
    moved_on = min(start + timedelta(days=90), today)
    measures = {m.code: m for m in Measure.objects.all()}
    coalitions = {c.name: c for c in Coalition.objects.filter(
        name__in=[*PROGRAMS, *(name for name, _, _ in CONSIDERING)])}
    if not measures or not coalitions:
        return {}
    for name, (title, kind, codes, stage) in PROGRAMS.items():
        coalition = coalitions.get(name)
        chosen = [measures[code] for code in codes if code in measures]
        if coalition is None or IncentiveProgram.objects.filter(
            coalition=coalition, name=title
        ).exists():
            continue
        incentive = services.incentive_program_create(
            coalition=coalition, actor=staff, name=title, kind=kind,
            status="active" if stage == "implemented" else "planned",
            launch_date=moved_on if stage == "implemented" else None,
            measures=chosen,
        )
        for measure in chosen:
            adoption = services.adoption_create(
                coalition=coalition, measure=measure, actor=staff,
                use=services.USE_FOR_PROGRAM_KIND[kind], stage="considering",
                stage_since=start, incentive_program=incentive,
            )
            if stage != "considering":
                services.adoption_update(adoption=adoption, actor=staff, stage=stage,
                                         changed_on=moved_on)
    for name, code, use in CONSIDERING:
        coalition, measure = coalitions.get(name), measures.get(code)
        if coalition and measure and not MeasureAdoption.objects.filter(
            coalition=coalition, measure=measure, use=use
        ).exists():
            services.adoption_create(coalition=coalition, measure=measure, use=use,
                                     stage="considering", stage_since=start, actor=staff)
    return {}
