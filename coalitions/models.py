from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel

from .states import US_STATE_NAMES


class Program(TimeStampedModel):
    """A technical-assistance program over a period, with a capacity per tier."""

    name = models.CharField(max_length=200)
    code = models.SlugField(
        max_length=40, unique=True, help_text="Short code used in addresses, e.g. pps."
    )
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    support_capacity = models.PositiveSmallIntegerField(
        "information-and-support capacity",
        default=15,
        help_text="How many coalitions the information-and-support tier can take.",
    )
    intensive_capacity = models.PositiveSmallIntegerField(
        "intensive-assistance capacity",
        default=3,
        help_text="How many sites the intensive technical-assistance tier can take.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="program_ends_after_start",
                violation_error_message="The end date must be after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(support_capacity__gte=0) & Q(intensive_capacity__gte=0),
                name="program_capacities_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coalitions:program-detail", kwargs={"code": self.code})

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The end date must be after the start date."})

    def capacity_for(self, tier):
        return {
            Enrollment.Tier.SUPPORT: self.support_capacity,
            Enrollment.Tier.INTENSIVE: self.intensive_capacity,
        }[tier]


class Coalition(TimeStampedModel):
    """A purchaser or community coalition, public program, provider group or State team."""

    class Kind(models.TextChoices):
        PURCHASER = "purchaser", "Purchaser coalition"
        COMMUNITY = "community", "Community coalition"
        MEDICAID_SCHIP = "medicaid_schip", "Medicaid/SCHIP program"
        PROVIDER_GROUP = "provider_group", "Provider group"
        ALL_PAYER = "all_payer", "All-payer group"
        STATE_AGENCY = "state_agency", "State agency team"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    states = models.CharField(
        "state(s)",
        max_length=200,
        blank=True,
        help_text="USPS codes of the states it covers, separated by commas.",
    )
    market = models.CharField(
        max_length=200, blank=True, help_text="The market or region, where it is not a state."
    )
    website = models.URLField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="coalition_name_ci_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coalitions:coalition-detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        self.name = " ".join(self.name.split())
        codes = [code.strip().upper() for code in self.states.split(",") if code.strip()]
        unknown = [code for code in codes if code not in US_STATE_NAMES]
        if unknown:
            raise ValidationError({"states": f"Unknown state code: {', '.join(unknown)}."})
        self.states = ", ".join(dict.fromkeys(codes))
        if self.name:
            duplicate = Coalition.objects.filter(name__iexact=self.name).exclude(pk=self.pk)
            if duplicate.exists():
                raise ValidationError(
                    {"name": f"A coalition named “{self.name}” already exists."}
                )

    @property
    def state_list(self):
        return [code for code in (c.strip() for c in self.states.split(",")) if code]

    @property
    def place(self):
        """The states and market in one line, for lists."""
        return " · ".join(part for part in (self.states, self.market) if part)


class Enrollment(TimeStampedModel):
    """A coalition taking part in a program, in one tier."""

    class Tier(models.TextChoices):
        SUPPORT = "support", "Information and support"
        INTENSIVE = "intensive", "Intensive assistance"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    # A withdrawn coalition gives its place back; a completed one was served and keeps it.
    SEAT_HOLDING_STATUSES = (Status.ACTIVE, Status.COMPLETED)

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    coalition = models.ForeignKey(
        Coalition, on_delete=models.PROTECT, related_name="enrollments"
    )
    tier = models.CharField(max_length=10, choices=Tier.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    welcome_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    welcome_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the welcome e-mail went out."
    )

    history = HistoricalRecords(excluded_fields=["welcome_claimed_at", "welcome_sent_at"])

    class Meta:
        ordering = ["program", "tier", "coalition__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "coalition"], name="enrollment_once_per_program"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("enrolled_on")),
                name="enrollment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.coalition} in {self.program} ({self.get_tier_display()})"

    def clean(self):
        super().clean()
        if self.ended_on and self.enrolled_on and self.ended_on < self.enrolled_on:
            raise ValidationError({"ended_on": "The end date cannot be before the enrolment date."})

    @property
    def holds_seat(self):
        return self.status in self.SEAT_HOLDING_STATUSES


class Partner(TimeStampedModel):
    """An organisation that works with programs (an association, employer, agency...)."""

    class Kind(models.TextChoices):
        COALITION_ASSOCIATION = "coalition_association", "National coalition association"
        EMPLOYER_GROUP = "employer_group", "National employer group"
        STATE_OFFICIALS = "state_officials", "State officials' association"
        EMPLOYER = "employer", "Employer"
        FEDERAL_AGENCY = "federal_agency", "Federal agency"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgramPartner(TimeStampedModel):
    """A partner's role in one program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="partnerships")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="partnerships")
    role = models.CharField(max_length=300)

    class Meta:
        ordering = ["program", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "partner"], name="partner_once_per_program")
        ]

    def __str__(self):
        return f"{self.partner} — {self.role}"


class Contact(TimeStampedModel):
    """A person at a coalition; contacts need no login."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary contact"
        EXECUTIVE = "executive", "Executive"
        CLINICAL = "clinical", "Clinical or quality lead"
        DATA = "data", "Data and measurement lead"
        COMMUNICATIONS = "communications", "Communications"
        OTHER = "other", "Other"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    email = models.EmailField("e-mail address")
    title = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OTHER)

    class Meta:
        ordering = ["coalition", "name"]
        constraints = [
            models.UniqueConstraint(
                "coalition", Lower("email"), name="contact_email_once_per_coalition"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.coalition})"

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()
        if self.coalition_id and self.email:
            duplicate = Contact.objects.filter(
                coalition_id=self.coalition_id, email__iexact=self.email
            ).exclude(pk=self.pk)
            if duplicate.exists():
                raise ValidationError(
                    {"email": "This coalition already has a contact with that e-mail address."}
                )


class Membership(TimeStampedModel):
    """Links a user to the one coalition they lead or belong to."""

    class Role(models.TextChoices):
        LEAD = "lead", "Coalition lead"
        MEMBER = "member", "Coalition member"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["coalition", "user__email"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.coalition}"

    @property
    def is_lead(self):
        return self.role == self.Role.LEAD
