"""Targets for the indicators, reports compiled by Celery, and the findings they lead to.

Indicators themselves are code (``evaluation.indicators``): each is defined once, with its
plain-language definition, and computed in the database.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from coalitions.models import Coalition, Program
from core.models import TimeStampedModel


class Target(TimeStampedModel):
    """What staff aim for on one indicator over one period of a program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(max_length=60)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        ordering = ["program", "indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["program", "indicator", "period_start", "period_end"],
                                    name="target_once_per_indicator_and_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="target_period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.period_start} to {self.period_end}: {self.value}"

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})


class Report(TimeStampedModel):
    """An evaluation report: requested, compiled once by a Celery job, kept with its numbers.

    The snapshot holds every number the report showed, so it reads the same after the data
    change. Files are stored through Django's storage and served only after a permission check.
    """

    class Kind(models.TextChoices):
        PROCESS = "process", "Quarterly process report"
        OUTCOME = "outcome", "Outcome report"
        FORMAL = "formal", "Formal end-of-program analysis"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    coalition = models.ForeignKey(Coalition, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="reports")
    include_names = models.BooleanField(
        "appendix with names", default=False,
        help_text="Staff only: add an appendix naming people. Reports are de-identified "
                  "otherwise.",
    )
    shared_with_coalition = models.BooleanField(
        default=False, help_text="A report about one coalition can be shared with its lead.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    scheduled = models.BooleanField(default=False, help_text="Produced by the scheduler.")
    # The worker running it and when it last showed life: a redelivered job takes over a
    # report whose worker has been silent longer than REPORT_STALE_SECONDS.
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    html_file = models.FileField(upload_to="reports/", blank=True)
    pdf_file = models.FileField(upload_to="reports/", blank=True)
    xlsx_file = models.FileField(upload_to="reports/", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "kind", "period_start", "period_end",
                                        "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="report_period_ends_after_start"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max"),
        ]

    def __str__(self):
        scope = f", {self.coalition}" if self.coalition_id else ""
        return f"{self.get_kind_display()} for {self.program}, {self.period_start} to " \
               f"{self.period_end}{scope}"

    def get_absolute_url(self):
        return reverse("evaluation:report-detail", kwargs={"pk": self.pk})

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES


class Finding(TimeStampedModel):
    """What an evaluator found in a report, and the course correction decided on it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="findings")
    finding = models.TextField(help_text="What the data show.")
    decision = models.TextField("course correction", help_text="What will change because of it.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_findings")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.decision[:80]
