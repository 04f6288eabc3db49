"""The program's indicators, each defined once and computed in the database.

An indicator answers for a *scope*: a program, a period, and optionally one coalition, one
tier or one state. Counts and sums are aggregates; a rate names its numerator and
denominator and multiplies by a factor (100 for a percentage), as DHIS2 indicators do, and a
period whose denominator is empty answers "no data" (None), never 0 % or a division error.

The fact sheet judges success by three questions; each outcome indicator says which it
answers:
1. Do coalitions and purchasers mount more effective incentive programs using appropriate
   measures and tools?
2. Do provider organisations use more AHRQ and other measures and tools?
3. Do purchasers and providers in one community align their incentives and measures?
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import combinations

from django.db import connection
from django.db.models import Avg, Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from coalitions.models import (
    ActionPlanItem,
    Coalition,
    Enrollment,
    FollowUp,
    TechnicalAssistance,
)
from measures.models import AdoptionStageChange, IncentiveProgram, MeasureAdoption
from workshops.models import Event, Feedback, FeedbackIntention, Registration

QUESTIONS = {
    1: "Do coalitions and purchasers mount more effective incentive programs using "
       "appropriate measures and tools?",
    2: "Do provider organisations use more AHRQ and other measures and tools?",
    3: "Do purchasers and providers in one community align their incentives and measures?",
}


@dataclass(frozen=True)
class Scope:
    program: object
    start: date
    end: date
    coalition: object = None
    tier: str = ""
    state: str = ""

    def coalitions(self):
        """The coalitions the scope covers: those enrolled in the program (in the tier, the
        state, or the one coalition asked for)."""
        enrolled = Enrollment.objects.filter(
            program=self.program, status__in=Enrollment.SEAT_HOLDING_STATUSES,
            enrolled_on__lte=self.end,
        )
        if self.tier:
            enrolled = enrolled.filter(tier=self.tier)
        coalitions = Coalition.objects.filter(pk__in=enrolled.values("coalition_id"))
        if self.coalition is not None:
            coalitions = coalitions.filter(pk=self.coalition.pk)
        if self.state:
            coalitions = coalitions.filter(states__icontains=self.state)
        return coalitions

    def at_start(self):
        """The same scope, as it stood on the program's first day (for baselines)."""
        day = self.program.start_date
        return Scope(self.program, day, day, self.coalition, self.tier, self.state)


@dataclass(frozen=True)
class Result:
    value: Decimal | float | int | None
    breakdown: dict = field(default_factory=dict)
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    definition: str
    kind: str  # "process" or "outcome"
    unit: str  # "count", "hours", "percent", "mean (1-5)", "share"
    compute: object  # scope -> Result
    question: int | None = None
    numerator: str = ""
    denominator: str = ""
    factor: int = 1

    @property
    def question_text(self):
        return QUESTIONS.get(self.question, "")


REGISTRY = {}


def indicator(**meta):
    def register(compute):
        REGISTRY[meta["key"]] = Indicator(compute=compute, **meta)
        return compute
    return register


def rate(numerator, denominator, factor=100):
    """``numerator / denominator * factor``; no data when the denominator is empty."""
    if not denominator:
        return Result(None, numerator=numerator, denominator=denominator)
    return Result(round(Decimal(numerator) * factor / Decimal(denominator), 1),
                  numerator=numerator, denominator=denominator)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


# --- process --------------------------------------------------------------------------------


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _event_q(scope, path=""):
    # Started on a day of the period (in the portal's time zone), as a range of the column
    # itself: the planner estimates it and uses the (program, status, start) index.
    return Q(**{f"{path}program": scope.program,
                f"{path}start__gte": _midnight(scope.start),
                f"{path}start__lt": _midnight(scope.end + timedelta(days=1)),
                f"{path}status__in": (Event.Status.PUBLISHED, Event.Status.COMPLETED)})


def _events(scope):
    return Event.objects.filter(_event_q(scope))


def _registration_q(scope, path=""):
    """The scope's registrations, as a condition on ``path`` (``registration__`` from a
    feedback...): joins, which PostgreSQL hashes, rather than ``IN`` a subquery of events,
    which it ran as a nested loop over every registration."""
    q = _event_q(scope, f"{path}event__")
    if scope.coalition is not None or scope.tier or scope.state:
        q &= Q(**{f"{path}coalition__in": scope.coalitions()})
    return q


def _registrations(scope):
    return Registration.objects.filter(_registration_q(scope))


@indicator(key="events_held", name="Events held", kind="process", unit="count",
           definition="Workshops, web conferences, local workshops, peer-assist sessions, "
                      "presentations and briefings held (published or completed) that started "
                      "in the period, by kind.")
def events_held(scope):
    rows = dict(_events(scope).values_list("kind").annotate(n=Count("pk")).order_by())
    return Result(sum(rows.values()), {Event.Kind(k).label: n for k, n in sorted(rows.items())})


@indicator(key="registrations", name="Registrations", kind="process", unit="count",
           definition="People registered for the period's events (any status but cancelled, "
                      "declined or lapsed), by status.")
def registrations(scope):
    rows = dict(_registrations(scope).values_list("status").annotate(n=Count("pk")).order_by())
    kept = {k: n for k, n in rows.items() if k not in ("cancelled", "declined", "lapsed")}
    return Result(sum(kept.values()), {Registration.Status(k).label: n
                                       for k, n in sorted(rows.items())})


@indicator(key="attendance", name="Attendance", kind="process", unit="count",
           definition="People who attended the period's events (checked in, or present for "
                      "the event's share of the session in a web conference's report).")
def attendance(scope):
    rows = _registrations(scope).filter(checked_in_at__isnull=False)
    by_kind = dict(rows.values_list("event__kind").annotate(n=Count("pk")).order_by())
    return Result(sum(by_kind.values()), {Event.Kind(k).label: n
                                          for k, n in sorted(by_kind.items())})


@indicator(key="attendance_rate", name="Attendance rate", kind="process", unit="percent",
           numerator="confirmed registrants who attended",
           denominator="confirmed registrants of events that ended in the period", factor=100,
           definition="Of the people with a confirmed seat at the period's events that have "
                      "ended, the share who attended.")
def attendance_rate(scope):
    rows = _registrations(scope).filter(status=Registration.Status.CONFIRMED,
                                        event__end__date__lte=scope.end)
    totals = rows.aggregate(all=Count("pk"),
                            came=Count("pk", filter=Q(checked_in_at__isnull=False)))
    return rate(totals["came"], totals["all"])


@indicator(key="web_conference_participation", name="Web-conference participation",
           kind="process", unit="count",
           definition="People who attended the period's web conferences, and their minutes "
                      "present in all (from the participant reports).")
def web_conference_participation(scope):
    rows = _registrations(scope).filter(event__kind=Event.Kind.WEB_CONFERENCE,
                                        checked_in_at__isnull=False)
    totals = rows.aggregate(people=Count("pk"), minutes=Sum("minutes_present"))
    return Result(totals["people"], {"Minutes present": totals["minutes"] or 0})


def _reached_ids(scope):
    """The scope's coalitions that attended an event or were given technical assistance in
    the period: for each coalition, whether one such row exists (an index look-up that stops
    at the first), not the set of every attendee's coalition (a hash of a million rows)."""
    attended = Registration.objects.filter(_registration_q(scope), coalition=OuterRef("pk"),
                                           checked_in_at__isnull=False)
    assisted = TechnicalAssistance.coalitions.through.objects.filter(
        coalition=OuterRef("pk"),
        technicalassistance__program=scope.program,
        technicalassistance__date__range=(scope.start, scope.end),
    )
    return scope.coalitions().filter(Exists(attended) | Exists(assisted))


@indicator(key="coalitions_reached", name="Coalitions reached", kind="process", unit="count",
           definition="Enrolled coalitions that attended an event or received technical "
                      "assistance in the period.")
def coalitions_reached(scope):
    return Result(_reached_ids(scope).count())


@indicator(key="share_reached", name="Share of enrolled coalitions reached", kind="process",
           unit="percent", numerator="enrolled coalitions reached",
           denominator="coalitions enrolled in the program", factor=100,
           definition="Coalitions reached in the period, as a share of those enrolled.")
def share_reached(scope):
    return rate(_reached_ids(scope).count(), scope.coalitions().count())


def _assistance(scope):
    rows = TechnicalAssistance.objects.filter(program=scope.program,
                                              date__range=(scope.start, scope.end))
    if scope.coalition is not None or scope.tier or scope.state:
        rows = rows.filter(coalitions__in=scope.coalitions()).distinct()
    return rows


@indicator(key="ta_hours", name="Technical-assistance hours", kind="process", unit="hours",
           definition="Staff hours of technical assistance logged in the period, by kind and "
                      "by tier (an entry serving several coalitions counts once in the total).")
def ta_hours(scope):
    rows = _assistance(scope)
    total = TechnicalAssistance.objects.filter(pk__in=rows.values("pk")).aggregate(
        h=Sum("hours"))["h"] or Decimal(0)
    by_kind = {
        TechnicalAssistance.Kind(k).label: _number(h)
        for k, h in TechnicalAssistance.objects.filter(pk__in=rows.values("pk"))
        .values_list("kind").annotate(h=Sum("hours")).order_by("kind")
    }
    by_tier = {
        f"Tier: {Enrollment.Tier(t).label}": _number(h)
        for t, h in TechnicalAssistance.coalitions.through.objects.filter(
            technicalassistance__in=rows.values("pk"),
            coalition__enrollments__program=scope.program,
        ).values_list("coalition__enrollments__tier")
        .annotate(h=Sum("technicalassistance__hours")).order_by()
    }
    return Result(_number(total), {**by_kind, **by_tier})


@indicator(key="followups_on_time", name="Follow-ups done on time", kind="process",
           unit="percent", numerator="follow-ups done by their due date",
           denominator="follow-ups due in the period", factor=100,
           definition="Of the follow-ups of technical assistance due in the period, the share "
                      "done on or before their due date.")
def followups_on_time(scope):
    rows = FollowUp.objects.filter(entry__in=_assistance(scope).values("pk"),
                                   due_date__range=(scope.start, scope.end))
    totals = rows.aggregate(due=Count("pk"), on_time=Count("pk", filter=Q(
        status=FollowUp.Status.DONE, closed_on__lte=F("due_date"))))
    return rate(totals["on_time"], totals["due"])


@indicator(key="satisfaction", name="Satisfaction", kind="process", unit="mean (1-5)",
           definition="Mean rating attendees gave the period's events (1 poor to 5 excellent), "
                      "with the distribution of ratings.")
def satisfaction(scope):
    rows = Feedback.objects.filter(_registration_q(scope, "registration__"))
    mean = rows.aggregate(m=Avg("rating"))["m"]
    spread = dict(rows.values_list("rating").annotate(n=Count("pk")).order_by())
    return Result(None if mean is None else round(mean, 2),
                  {f"{r} star{'s' if r > 1 else ''}": spread.get(r, 0) for r in range(1, 6)})


@indicator(key="intention_to_use", name="Intention to use featured measures and tools",
           kind="process", unit="percent", numerator="answers saying they intend to use it",
           denominator="answers about a featured measure or tool", factor=100,
           definition="Of attendees' answers about the measures and tools an event featured, "
                      "the share saying they intend to use them.")
def intention_to_use(scope):
    rows = FeedbackIntention.objects.filter(_registration_q(scope, "feedback__registration__"))
    totals = rows.aggregate(all=Count("pk"), yes=Count("pk", filter=Q(intends_to_use=True)))
    return rate(totals["yes"], totals["all"])


@indicator(key="dissemination_reach", name="Dissemination reach", kind="process",
           unit="count",
           definition="People reached by national presentations and briefings held in the "
                      "period (the audience staff recorded), by kind.")
def dissemination_reach(scope):
    rows = _events(scope).filter(kind__in=Event.DISSEMINATION_KINDS)
    by_kind = dict(rows.values_list("kind").annotate(n=Sum("audience_count")).order_by())
    return Result(sum(n or 0 for n in by_kind.values()),
                  {Event.Kind(k).label: n or 0 for k, n in by_kind.items()})


@indicator(key="network_retention", name="Learning-network retention", kind="process",
           unit="percent", numerator="coalitions that came to two or more sessions",
           denominator="coalitions that came to a session", factor=100,
           definition="Across the period's peer-assist sessions of each learning network, the "
                      "share of coalitions that came back: attended at least two sessions of "
                      "the network, of those that attended one.")
def network_retention(scope):
    rows = (_registrations(scope).filter(checked_in_at__isnull=False,
                                         event__eligible_network__isnull=False)
            .values("event__eligible_network", "coalition")
            .annotate(sessions=Count("event", distinct=True)).order_by())
    came = rows.count()
    back = rows.filter(sessions__gte=2).count()
    return rate(back, came)


# --- outcome --------------------------------------------------------------------------------


def _stage_on(day):
    """The stage each adoption was at on ``day``: its latest change on or before it."""
    return Subquery(
        AdoptionStageChange.objects.filter(adoption=OuterRef("pk"), changed_on__lte=day)
        .order_by("-changed_on", "-recorded_at", "-pk").values("stage")[:1]
    )


def _adoptions_on(scope, day):
    return (MeasureAdoption.all_objects.filter(coalition__in=scope.coalitions())
            .exclude(archived_at__date__lte=day)
            .annotate(stage_then=_stage_on(day)).exclude(stage_then=None))


ADOPTED = (MeasureAdoption.Stage.PILOTING, MeasureAdoption.Stage.IMPLEMENTED)


@indicator(key="adoptions_by_stage", name="Measures adopted, by stage and use", kind="outcome",
           unit="count", question=2,
           definition="Coalitions' measure adoption records at the period's end, by stage and "
                      "by use; the value counts those piloting or implemented.")
def adoptions_by_stage(scope):
    rows = _adoptions_on(scope, scope.end)
    stages = dict(rows.values_list("stage_then").annotate(n=Count("pk")).order_by())
    uses = dict(rows.filter(stage_then__in=ADOPTED).values_list("use")
                .annotate(n=Count("pk")).order_by())
    return Result(sum(stages.get(s, 0) for s in ADOPTED), {
        **{f"Stage: {MeasureAdoption.Stage(s).label}": stages.get(s, 0)
           for s in MeasureAdoption.Stage.values},
        **{f"Use: {MeasureAdoption.Use(u).label}": n for u, n in sorted(uses.items())},
    })


@indicator(key="adoption_change", name="Change in measures adopted since the program began",
           kind="outcome", unit="count", question=2,
           definition="Adoption records piloting or implemented at the period's end, less "
                      "those at the program's start.")
def adoption_change(scope):
    now = _adoptions_on(scope, scope.end).filter(stage_then__in=ADOPTED).count()
    then = _adoptions_on(scope, scope.program.start_date).filter(stage_then__in=ADOPTED).count()
    return Result(now - then, {"At the start": then, "At the period's end": now})


@indicator(key="ahrq_share", name="Share of adopted measures that are AHRQ measures",
           kind="outcome", unit="percent", question=2, factor=100,
           numerator="adopted records of a measure stewarded by AHRQ",
           denominator="adopted records (piloting or implemented)",
           definition="Of the measures coalitions pilot or have implemented at the period's "
                      "end, the share whose measure set AHRQ stewards (the Quality Indicators "
                      "and CAHPS).")
def ahrq_share(scope):
    rows = _adoptions_on(scope, scope.end).filter(stage_then__in=ADOPTED)
    totals = rows.aggregate(all=Count("pk"), ahrq=Count("pk", filter=Q(
        measure__measure_set__steward__icontains="AHRQ")))
    return rate(totals["ahrq"], totals["all"])


@indicator(key="incentive_programs_launched", name="Incentive programs launched",
           kind="outcome", unit="count", question=1,
           definition="Incentive programs (pay for performance, report cards...) the "
                      "coalitions launched in the period, by kind, and the measures they use.")
def incentive_programs_launched(scope):
    rows = IncentiveProgram.objects.filter(coalition__in=scope.coalitions(),
                                           launch_date__range=(scope.start, scope.end))
    by_kind = dict(rows.values_list("kind").annotate(n=Count("pk")).order_by())
    measures = IncentiveProgram.measures.through.objects.filter(
        incentiveprogram__in=rows).values("measure").distinct().count()
    return Result(sum(by_kind.values()), {
        **{IncentiveProgram.Kind(k).label: n for k, n in sorted(by_kind.items())},
        "Distinct measures they use": measures,
    })


@indicator(key="alignment", name="Alignment of measures within a state", kind="outcome",
           unit="percent", question=3,
           definition="For each pair of coalitions that share a state, the overlap of the "
                      "measures each has implemented (measures both use, as a share of "
                      "measures either uses: the Jaccard index); the value is the mean over all "
                      "pairs, by state. No pair in a state: no data.")
def alignment(scope):
    implemented = _adoptions_on(scope, scope.end).filter(
        stage_then=MeasureAdoption.Stage.IMPLEMENTED)
    # Two grouped queries: each coalition's number of implemented measures, and for each
    # pair of coalitions the number of measures both have implemented.
    sizes = dict(implemented.values_list("coalition").annotate(
        n=Count("measure", distinct=True)).order_by())
    # The pairs join the implemented (coalition, measure) set to itself once, in a CTE:
    # joining the adoptions to themselves had PostgreSQL work out each row's stage again for
    # every other row, which grew faster than the data.
    sql, params = (implemented.values_list("coalition", "measure").distinct().order_by()
                   .query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH implemented (coalition_id, measure_id) AS ({sql}) "  # noqa: S608
            "SELECT a.coalition_id, b.coalition_id, COUNT(*) FROM implemented a "
            "JOIN implemented b ON b.measure_id = a.measure_id "
            "AND b.coalition_id > a.coalition_id GROUP BY a.coalition_id, b.coalition_id",
            params)
        pairs = {(a, b): n for a, b, n in cursor.fetchall()}
    # Pairs within each state only (not every pair of the program's coalitions, which grows
    # with their number squared).
    members = defaultdict(set)
    for c in scope.coalitions().only("pk", "states"):
        for state in c.state_list:
            members[state].add(c.pk)
    by_state = defaultdict(list)
    for state, coalitions in members.items():
        for a, b in combinations(sorted(coalitions), 2):
            union = sizes.get(a, 0) + sizes.get(b, 0) - pairs.get((a, b), 0)
            by_state[state].append(pairs.get((a, b), 0) / union if union else 0.0)
    all_pairs = [v for values in by_state.values() for v in values]
    if not all_pairs:
        return Result(None)
    return Result(round(Decimal(sum(all_pairs) / len(all_pairs) * 100), 1), {
        state: round(sum(v) / len(v) * 100, 1) for state, v in sorted(by_state.items())})


@indicator(key="action_items_on_time", name="Action-plan items completed on time",
           kind="outcome", unit="percent", question=1, factor=100,
           numerator="items done by their due date", denominator="items due in the period",
           definition="Of the action-plan items due in the period, the share marked done by "
                      "their due date (the date of the change to done, from the item's history).")
def action_items_on_time(scope):
    items = ActionPlanItem.objects.filter(plan__program=scope.program,
                                          plan__coalition__in=scope.coalitions(),
                                          due_date__range=(scope.start, scope.end))
    done_by_due = ActionPlanItem.history.model.objects.filter(
        id=OuterRef("pk"), status=ActionPlanItem.Status.DONE,
        history_date__date__lte=OuterRef("due_date"))
    totals = items.aggregate(due=Count("pk"),
                             on_time=Count("pk", filter=Q(Exists(done_by_due),
                                                          status=ActionPlanItem.Status.DONE)))
    return rate(totals["on_time"], totals["due"])


# --- reading ---------------------------------------------------------------------------------


def process_indicators():
    return [i for i in REGISTRY.values() if i.kind == "process"]


def outcome_indicators():
    return [i for i in REGISTRY.values() if i.kind == "outcome"]


def attendees(scope):
    """The people who attended the scope's events, one row each (address, name, coalition),
    with the number of events they attended: the only names a report ever carries, in the
    appendix staff may ask for."""
    return (
        Registration.objects.filter(_registration_q(scope), checked_in_at__isnull=False)
        .values(address=Lower("email"))  # one person: one address, whatever its spelling
        .annotate(person_name=Min("name"), coalition_name=Min("coalition__name"),
                  coalitions=Count("coalition", distinct=True),
                  events=Count("event", distinct=True))
        .order_by("person_name", "address")
    )


def baseline_scope(scope):
    """The baseline: the same indicator over the period of the same length that ended the
    day before the program started (for outcome stocks, the state on the first day)."""
    length = scope.end - scope.start
    end = scope.program.start_date - timedelta(days=1)
    return Scope(scope.program, end - length, end, scope.coalition, scope.tier, scope.state)


def compute(indicator, scope):
    result = indicator.compute(scope)
    return {
        "value": _number(result.value),
        "breakdown": {k: _number(v) for k, v in result.breakdown.items()},
        "numerator": _number(result.numerator),
        "denominator": _number(result.denominator),
    }


def values_for(scope, *, keys=None):
    """Every indicator's value (or those in ``keys``) with its baseline."""
    rows = []
    for indicator in REGISTRY.values():
        if keys is not None and indicator.key not in keys:
            continue
        current = compute(indicator, scope)
        baseline = compute(indicator, baseline_scope(scope))
        rows.append({"indicator": indicator, **current, "baseline": baseline["value"]})
    return rows
