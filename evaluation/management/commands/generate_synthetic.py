"""``manage.py generate_synthetic --scale N``: a synthetic program, for benchmarks only.

At ``--scale 1``: 1,000 coalitions enrolled in one program, 20,000 events, 1,000,000
registrations (three in four attended; a third of those gave feedback, a third of which said
whether they mean to use a featured measure), 200,000 technical-assistance entries (a
quarter with a follow-up), and 100,000 adoption stage changes (40,000 adoption records),
with incentive programs, learning networks and action-plan items; other scales in
proportion. Everything is written with bulk inserts, and everything is named "Synthetic"
(e-mail addresses under ``synthetic.invalid``), in a program whose code is new to the
database, whose statistics are refreshed at the end (``ANALYZE``). It refuses to run in
production. Needs the measure catalog (``load_catalog``).
"""

import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from coalitions.models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Enrollment,
    FollowUp,
    LearningNetwork,
    Program,
    TechnicalAssistance,
)
from measures.models import AdoptionStageChange, IncentiveProgram, Measure, MeasureAdoption
from workshops.models import Event, Feedback, FeedbackIntention, Registration

PER_SCALE = {
    "coalitions": 1_000,
    "events": 20_000,
    "registrations": 1_000_000,
    "assistance": 200_000,
    "adoption_changes": 100_000,
}
BATCH = 5_000
STATES = ("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
          "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV",
          "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN",
          "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY")
START, END = date(2025, 1, 1), date(2026, 12, 31)
DAYS = (END - START).days + 1
STAGES = MeasureAdoption.Stage


class Command(BaseCommand):
    help = "Fill the database with a synthetic program proportional to --scale (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="1 = 1,000 coalitions, 20,000 events, 1,000,000 "
                                 "registrations... (default 1)")
        parser.add_argument("--code", default="",
                            help="the program's code (default synthetic-<scale>-<time>); "
                                 "refused if it exists")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale, code, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("generate_synthetic fills a database with synthetic data; it "
                               "never runs with DJANGO_ENV=production.")
        if scale <= 0:
            raise CommandError("--scale must be more than 0.")
        code = code or f"synthetic-{scale:g}-{int(time.time())}".replace(".", "_")
        if Program.objects.filter(code=code).exists():
            raise CommandError(f"A program with the code {code} exists already.")
        measures = list(Measure.objects.values_list("pk", flat=True).order_by("pk"))
        if not measures:
            raise CommandError("The measure catalog is empty: run manage.py load_catalog.")
        counts = {key: max(1, round(n * scale)) for key, n in PER_SCALE.items()}
        began = time.monotonic()
        generator = Generator(code, counts, measures, random.Random(seed),  # noqa: S311
                              self.stdout)
        with transaction.atomic():
            program = generator.run()
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner, as autovacuum would give them in time: with
            # none, it expects one row where there are a million.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"Program {program.code} (id {program.pk}) at scale {scale:g} in "
            f"{time.monotonic() - began:.0f} s."))


class Generator:
    def __init__(self, code, counts, measures, rng, out):
        self.code, self.counts, self.measures, self.rng, self.out = (
            code, counts, measures, rng, out)

    def step(self, label, count):
        self.out.write(f"  {label}: {count:,}")

    def run(self):
        self.staff, _ = User.objects.get_or_create(
            email="staff@synthetic.invalid",
            defaults={"full_name": "Synthetic staff member", "is_active": False})
        self.program = Program.objects.create(
            name=f"Synthetic program {self.code}", code=self.code, start_date=START,
            end_date=END, description="Synthetic data for benchmarks; not a real program.",
            support_capacity=self.counts["coalitions"], intensive_capacity=self.counts[
                "coalitions"])
        self.coalitions()
        self.networks()
        self.events_and_registrations()
        self.assistance()
        self.adoptions()
        self.action_plans()
        return self.program

    def day(self):
        return START + timedelta(days=self.rng.randrange(DAYS))

    def coalitions(self):
        n = self.counts["coalitions"]
        rows = Coalition.objects.bulk_create(
            [Coalition(name=f"Synthetic coalition {self.code} {i:05d}",
                       kind=self.rng.choice(Coalition.Kind.values),
                       states=",".join(self.rng.sample(STATES, self.rng.choice((1, 1, 1, 2)))))
             for i in range(n)], batch_size=BATCH)
        self.coalition_ids = [c.pk for c in rows]
        Enrollment.objects.bulk_create(
            [Enrollment(program=self.program, coalition_id=pk,
                        tier=self.rng.choice(Enrollment.Tier.values),
                        enrolled_on=START + timedelta(days=self.rng.randrange(90)))
             for pk in self.coalition_ids], batch_size=BATCH)
        self.step("coalitions, each enrolled", n)

    def networks(self):
        count = max(1, len(self.coalition_ids) // 50)
        self.networks = [
            LearningNetwork.objects.create(program=self.program,
                                           name=f"Synthetic learning network {i}",
                                           topic="Synthetic topic", facilitator=self.staff).pk
            for i in range(count)]

    def events_and_registrations(self):
        n_events = self.counts["events"]
        per_event = max(1, self.counts["registrations"] // n_events)
        kinds = [k for k in Event.Kind.values if k not in Event.DISSEMINATION_KINDS]
        registrations = feedback = intentions = 0
        for first in range(0, n_events, 500):
            events = []
            for i in range(first, min(first + 500, n_events)):
                kind = (Event.Kind.PRESENTATION if i % 40 == 0 else kinds[i % len(kinds)])
                start = timezone.make_aware(datetime.combine(self.day(), datetime.min.time())
                                            + timedelta(hours=14))
                events.append(Event(
                    program=self.program, kind=kind, title=f"Synthetic event {i}",
                    start=start, end=start + timedelta(hours=2),
                    status=Event.Status.COMPLETED,
                    audience_count=self.rng.randrange(20, 400)
                    if kind in Event.DISSEMINATION_KINDS else None,
                    eligible_network_id=self.rng.choice(self.networks)
                    if kind == Event.Kind.PEER_ASSIST else None,
                ))
            events = Event.objects.bulk_create(events)
            rows = []
            for event in events:
                if event.kind in Event.DISSEMINATION_KINDS:
                    continue
                for j in range(per_event):
                    status = (Registration.Status.CONFIRMED if self.rng.random() < 0.9
                              else Registration.Status.CANCELLED)
                    came = status == Registration.Status.CONFIRMED and self.rng.random() < 0.75
                    rows.append(Registration(
                        event=event, coalition_id=self.rng.choice(self.coalition_ids),
                        email=f"attendee{j}.{event.pk}@synthetic.invalid",
                        name=f"Synthetic attendee {j}", status=status,
                        queued_at=event.start - timedelta(days=7),
                        checked_in_at=event.start if came else None,
                        minutes_present=self.rng.randrange(30, 121)
                        if came and event.kind == Event.Kind.WEB_CONFERENCE else None,
                    ))
            rows = Registration.objects.bulk_create(rows, batch_size=BATCH)
            registrations += len(rows)
            answers = [Feedback(registration=r, rating=self.rng.choice((3, 4, 4, 5, 5, 2, 1)),
                                usefulness=self.rng.choice(Feedback.Usefulness.values))
                       for r in rows if r.checked_in_at and self.rng.random() < 1 / 3]
            answers = Feedback.objects.bulk_create(answers, batch_size=BATCH)
            feedback += len(answers)
            said = FeedbackIntention.objects.bulk_create(
                [FeedbackIntention(feedback=f, measure_id=self.rng.choice(self.measures),
                                   intends_to_use=self.rng.random() < 0.6)
                 for f in answers if self.rng.random() < 1 / 3], batch_size=BATCH)
            intentions += len(said)
        self.step("events", n_events)
        self.step("registrations", registrations)
        self.step("feedback", feedback)
        self.step("intentions to use", intentions)

    def assistance(self):
        n = self.counts["assistance"]
        links = TechnicalAssistance.coalitions.through
        followups = 0
        for first in range(0, n, BATCH):
            entries = TechnicalAssistance.objects.bulk_create([
                TechnicalAssistance(
                    program=self.program, kind=self.rng.choice(TechnicalAssistance.Kind.values),
                    date=self.day(), hours=Decimal(self.rng.choice((5, 10, 15, 20, 40))) / 10,
                    staff_member=self.staff, summary="Synthetic technical assistance.")
                for _ in range(first, min(first + BATCH, n))])
            links.objects.bulk_create([
                links(technicalassistance_id=e.pk,
                      coalition_id=self.rng.choice(self.coalition_ids)) for e in entries])
            rows = []
            for e in entries:
                if self.rng.random() < 0.25:
                    due = e.date + timedelta(days=14)
                    done = self.rng.random() < 0.7
                    rows.append(FollowUp(
                        entry=e, description="Synthetic follow-up", owner=self.staff,
                        due_date=due,
                        status=FollowUp.Status.DONE if done else FollowUp.Status.OPEN,
                        closed_on=due + timedelta(days=self.rng.randrange(-10, 6))
                        if done else None))
            followups += len(FollowUp.objects.bulk_create(rows))
        self.step("technical-assistance entries", n)
        self.step("follow-ups", followups)

    def adoptions(self):
        target = self.counts["adoption_changes"]
        n_records = max(1, target * 2 // 5)  # 2.5 changes a record on average
        uses = MeasureAdoption.Use.values
        seen, records = set(), []
        incentives = IncentiveProgram.objects.bulk_create([
            IncentiveProgram(coalition_id=pk, name=f"Synthetic incentive program {pk}",
                             kind=self.rng.choice(IncentiveProgram.Kind.values),
                             status=IncentiveProgram.Status.ACTIVE, launch_date=self.day())
            for pk in self.coalition_ids[::4]])
        IncentiveProgram.measures.through.objects.bulk_create([
            IncentiveProgram.measures.through(incentiveprogram_id=p.pk, measure_id=m)
            for p in incentives for m in self.rng.sample(self.measures,
                                                         min(5, len(self.measures)))])
        while len(records) < n_records and len(seen) < n_records * 3:
            key = (self.rng.choice(self.coalition_ids), self.rng.choice(self.measures),
                   self.rng.choice(uses))
            if key in seen:
                continue
            seen.add(key)
            records.append(key)
        changes = 0
        for first in range(0, len(records), BATCH):
            chunk = records[first:first + BATCH]
            plans = []
            for coalition, measure, use in chunk:
                path = [STAGES.CONSIDERING, STAGES.PLANNED, STAGES.PILOTING, STAGES.IMPLEMENTED]
                steps = self.rng.choice((1, 2, 2, 3, 4))
                day = START - timedelta(days=180) + timedelta(days=self.rng.randrange(DAYS))
                dated = []
                for stage in path[:steps]:
                    dated.append((stage, day))
                    day += timedelta(days=self.rng.randrange(30, 200))
                plans.append(((coalition, measure, use), dated))
            adoptions = MeasureAdoption.all_objects.bulk_create([
                MeasureAdoption(coalition_id=c, measure_id=m, use=u, stage=dated[-1][0],
                                stage_since=dated[-1][1])
                for (c, m, u), dated in plans])
            rows = AdoptionStageChange.objects.bulk_create([
                AdoptionStageChange(adoption=a, stage=stage, changed_on=day,
                                    recorded_by=self.staff)
                for a, (_, dated) in zip(adoptions, plans, strict=True) for stage, day in dated
            ], batch_size=BATCH)
            changes += len(rows)
        self.step("adoption records", len(records))
        self.step("adoption stage changes", changes)
        self.step("incentive programs", len(incentives))

    def action_plans(self):
        plans = ActionPlan.objects.bulk_create([
            ActionPlan(coalition_id=pk, program=self.program, goals="Synthetic goals.")
            for pk in self.coalition_ids])
        items = ActionPlanItem.objects.bulk_create([
            ActionPlanItem(plan=plan, category=self.rng.choice(ActionPlanItem.Category.values),
                           description="Synthetic action item", due_date=self.day(),
                           status=self.rng.choice(ActionPlanItem.Status.values))
            for plan in plans for _ in range(5)], batch_size=BATCH)
        self.step("action-plan items", len(items))
