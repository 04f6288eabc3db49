from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from coalitions.models import Coalition
from core.models import TimeStampedModel


class MeasureSet(TimeStampedModel):
    """A family of measures from one steward: an AHRQ QI module, CAHPS, HEDIS..."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    steward = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        # Recent changes (updated_at) are found without a scan.
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self):
        return self.name


class MeasureQuerySet(models.QuerySet):
    def current(self):
        return self.filter(status=Measure.Status.CURRENT)

    def with_set(self):
        return self.select_related("measure_set")


class Measure(TimeStampedModel):
    """One quality measure, as its steward publishes it. Unconfirmed facts stay empty."""

    class Type(models.TextChoices):
        STRUCTURE = "structure", "Structure"
        PROCESS = "process", "Process"
        OUTCOME = "outcome", "Outcome"
        PATIENT_EXPERIENCE = "patient_experience", "Patient experience"
        EFFICIENCY = "efficiency", "Efficiency"
        COMPOSITE = "composite", "Composite"

    class Level(models.TextChoices):
        AREA = "area", "Area"
        HOSPITAL = "hospital", "Hospital"
        PLAN = "plan", "Health plan"
        CLINICIAN = "clinician", "Clinician or group"

    class ImprovementNotation(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        RETIRED = "retired", "Retired"

    measure_set = models.ForeignKey(MeasureSet, on_delete=models.PROTECT, related_name="measures")
    code = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    steward = models.CharField(max_length=200, blank=True)
    type = models.CharField(max_length=20, choices=Type.choices, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    setting = models.CharField("care setting", max_length=200, blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    numerator = models.TextField(blank=True)
    denominator = models.TextField(blank=True)
    improvement_notation = models.CharField(
        max_length=10, choices=ImprovementNotation.choices, blank=True
    )
    components = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="composites",
        help_text="For a composite: the measures it combines.",
    )
    endorsement_number = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    version = models.CharField(max_length=40, blank=True)
    source_url = models.URLField(
        "specification", max_length=500, blank=True,
        help_text="A specification page a person can read.",
    )
    software_url = models.URLField(
        "software", max_length=500, blank=True,
        help_text="Software that computes the measure (e.g. AHRQ's SAS programs).",
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["measure_set__code", "code"]
        indexes = [models.Index(fields=["status", "type"]), models.Index(fields=["updated_at"])]

    def __str__(self):
        return f"{self.code}: {self.title}"

    def save(self, *args, **kwargs):
        self.slug = slugify(self.code)
        if kwargs.get("update_fields") is not None and "code" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("measures:measure-detail", kwargs={"slug": self.slug})


class Tool(TimeStampedModel):
    """A guide, report or toolkit the program offers purchasers."""

    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=400)
    kind = models.CharField(max_length=40, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    publication_number = models.CharField(max_length=60, blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self):
        return self.title


class IncentiveProgram(TimeStampedModel):
    """A purchaser incentive a coalition runs: pay for performance, a report card..."""

    class Kind(models.TextChoices):
        PAY_FOR_PERFORMANCE = "p4p", "Pay for performance"
        REPORT_CARD = "report_card", "Public report card"
        TIERED_NETWORK = "tiered_network", "Tiered network"
        CENTERS_OF_EXCELLENCE = "centers_of_excellence", "Centers of excellence"
        VALUE_BASED_BENEFIT = "value_based_benefit", "Value-based benefit design"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="incentive_programs"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    launch_date = models.DateField(null=True, blank=True)
    measures = models.ManyToManyField(Measure, blank=True, related_name="incentive_programs")
    providers = models.TextField(
        "providers taking part", blank=True, help_text="One per line."
    )
    purchasers = models.TextField(
        "purchasers taking part", blank=True, help_text="One per line."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "name"], name="incentive_program_name_once_per_coalition"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.status == self.Status.ACTIVE and not self.launch_date:
            raise ValidationError({"launch_date": "An active program needs its launch date."})
        if self.coalition_id and self.name:
            same_name = IncentiveProgram.objects.filter(
                coalition_id=self.coalition_id, name__iexact=self.name
            ).exclude(pk=self.pk)
            if same_name.exists():
                raise ValidationError(
                    {"name": "This coalition already has a program by that name."}
                )


class CurrentAdoptionManager(models.Manager):
    """Adoptions still on record: an archived (removed) one is left out of every list."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class MeasureAdoption(TimeStampedModel):
    """A coalition's use of one measure for one purpose, at its current stage.

    Every change of stage is kept as an ``AdoptionStageChange`` with its date, so the
    evaluation can ask what was true on any day. Removing a record archives it: it leaves
    the lists, but its dated stages stay for the days before it was removed.
    """

    class Use(models.TextChoices):
        PAY_FOR_PERFORMANCE = "p4p", "Pay for performance"
        PUBLIC_REPORTING = "public_reporting", "Public reporting"
        QUALITY_IMPROVEMENT = "quality_improvement", "Quality improvement"
        NETWORK_DESIGN = "network_design", "Network design"
        BENEFIT_DESIGN = "benefit_design", "Benefit design"

    class Stage(models.TextChoices):
        CONSIDERING = "considering", "Considering"
        PLANNED = "planned", "Planned"
        PILOTING = "piloting", "Piloting"
        IMPLEMENTED = "implemented", "Implemented"
        DISCONTINUED = "discontinued", "Discontinued"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="adoptions")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="adoptions")
    use = models.CharField(max_length=30, choices=Use.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    stage_since = models.DateField()
    incentive_program = models.ForeignKey(
        IncentiveProgram, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="adoptions",
    )
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the record was removed; its stage history is kept.",
    )

    objects = CurrentAdoptionManager()
    all_objects = models.Manager()  # archived ones too: what was true on a past day
    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "measure__code", "use"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "measure", "use"],
                condition=models.Q(archived_at__isnull=True),
                name="adoption_once_per_use",
            )
        ]

    def __str__(self):
        return f"{self.coalition}: {self.measure.code} for {self.get_use_display()}"

    def clean(self):
        super().clean()
        if (
            self.incentive_program_id
            and self.coalition_id
            and self.incentive_program.coalition_id != self.coalition_id
        ):
            raise ValidationError(
                {"incentive_program": "That incentive program belongs to another coalition."}
            )


class AdoptionStageChange(models.Model):
    """One dated stage of an adoption; the latest on or before a day is the stage that day."""

    adoption = models.ForeignKey(
        MeasureAdoption, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(max_length=20, choices=MeasureAdoption.Stage.choices)
    changed_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["adoption", "changed_on", "recorded_at"]
        indexes = [models.Index(fields=["adoption", "changed_on"])]

    def __str__(self):
        return f"{self.get_stage_display()} on {self.changed_on}"


class MeasureFact(models.Model):
    """One fact about a measure as one source states it: its value, where it was read (URL
    and publisher) and which version of the specification (or which date) it describes."""

    class Name(models.TextChoices):
        DESCRIPTION = "description", "Description"
        NUMERATOR = "numerator", "Numerator"
        DENOMINATOR = "denominator", "Denominator"
        EXCLUSIONS = "exclusions", "Key exclusions"
        TYPE = "type", "Measure type"
        SETTING = "setting", "Care setting"
        DATA_SOURCE = "data_source", "Data source"
        IMPROVEMENT_NOTATION = "improvement_notation", "Improvement notation"
        ENDORSEMENT_NUMBER = "endorsement_number", "Endorsement (CBE) number"
        ENDORSEMENT_STATUS = "endorsement_status", "Endorsement status"
        STEWARD = "steward", "Steward"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="facts")
    name = models.CharField(max_length=30, choices=Name.choices)
    value = models.TextField()
    source_url = models.URLField(max_length=500)
    publisher = models.CharField(max_length=200)
    version = models.CharField(
        max_length=200, help_text="The specification version the source describes, or the "
        "date it was read when it names none.",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["measure", "name"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "name"], name="measure_fact_once")
        ]

    def __str__(self):
        return f"{self.measure.code} {self.get_name_display()}"


class QualityProgram(TimeStampedModel):
    """A federal or national program or list that uses measures: a Medicaid Core Set, the
    Hospital Value-Based Purchasing program, the CMS Universal Foundation..."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_url = models.URLField(max_length=500)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgramMembership(models.Model):
    """A measure's place in a program for one year, with the source that says so."""

    program = models.ForeignKey(
        QualityProgram, on_delete=models.CASCADE, related_name="memberships"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="program_memberships"
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="The year the program uses the measure; empty when the source names none.",
    )
    identifier = models.CharField(
        max_length=40, blank=True, help_text="The program's own ID, e.g. BCS-AD."
    )
    source_url = models.URLField(max_length=500)

    class Meta:
        ordering = ["program__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "measure", "year"], name="program_membership_once_a_year"
            )
        ]

    def __str__(self):
        return f"{self.measure.code} in {self.program} ({self.year or 'year not stated'})"


class CatalogLink(TimeStampedModel):
    """A technical-assistance entry or an action-plan item naming a measure or tool it concerns.

    The link lives here, on the catalog's side: ``measures`` knows ``coalitions``, never the
    other way round, so the registry's entries and items stay free of the catalog, and a link
    follows the catalog row by key (a measure's code may be corrected by a catalog reload).
    """

    assistance = models.ForeignKey(
        "coalitions.TechnicalAssistance", on_delete=models.CASCADE, null=True, blank=True,
        related_name="catalog_links",
    )
    action_item = models.ForeignKey(
        "coalitions.ActionPlanItem", on_delete=models.CASCADE, null=True, blank=True,
        related_name="catalog_links",
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="links"
    )
    tool = models.ForeignKey(
        Tool, on_delete=models.PROTECT, null=True, blank=True, related_name="links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(assistance__isnull=False, action_item__isnull=True)
                           | models.Q(assistance__isnull=True, action_item__isnull=False)),
                name="catalog_link_one_target",
            ),
            models.CheckConstraint(
                condition=(models.Q(measure__isnull=False, tool__isnull=True)
                           | models.Q(measure__isnull=True, tool__isnull=False)),
                name="catalog_link_one_catalog_row",
            ),
            *[
                models.UniqueConstraint(
                    fields=[target, row],
                    condition=models.Q(**{f"{target}__isnull": False, f"{row}__isnull": False}),
                    name=f"catalog_link_{target}_{row}_once",
                )
                for target in ("assistance", "action_item")
                for row in ("measure", "tool")
            ],
        ]

    def __str__(self):
        return str(self.measure or self.tool)
