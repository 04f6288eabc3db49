import hashlib

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
    staff_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="staffed_coalitions",
        help_text="The program staff member the coalition turns to first.",
    )

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
    # The welcome e-mail it owes (core.outbox: claimed by one sender at a time, then sent).
    welcome_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    welcome_claim = models.UUIDField(null=True, blank=True, editable=False)
    welcome_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the welcome e-mail went out."
    )

    history = HistoricalRecords(
        excluded_fields=["welcome_claimed_at", "welcome_claim", "welcome_sent_at"]
    )

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

    history = HistoricalRecords()

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

    history = HistoricalRecords()

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

    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "user__email"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.coalition}"

    @property
    def is_lead(self):
        return self.role == self.Role.LEAD


# --- invitations ----------------------------------------------------------------------------


def invitation_token_hash(raw):
    """The stored form of an invitation link's token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(TimeStampedModel):
    """An e-mailed, single-use link that lets a person sign in for a coalition."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("e-mail address")
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    # The link's token is made when the e-mail is sent (so a resend or the outbox sweep can
    # mint one); only its hash is kept, and a new one replaces the old. Unique, so "no link
    # yet" is NULL rather than "".
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The invitation e-mail, owed until sent (core.outbox).
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_claim = models.UUIDField(null=True, blank=True, editable=False)
    email_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the e-mail with the link went out."
    )
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["coalition", "-created_at", "-pk"]
        constraints = [
            # One open invitation per address and coalition: a second would be a second key.
            models.UniqueConstraint(
                "coalition",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_once_per_coalition",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.coalition} as {self.get_role_display().lower()}"

    def state_at(self, now):
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.PENDING


# --- action plans ---------------------------------------------------------------------------


class ActionPlan(TimeStampedModel):
    """A coalition's or State team's plan to sell its strategy back home, for one program."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="action_plans"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="action_plans")
    goals = models.TextField(blank=True, help_text="What the coalition means to achieve.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "coalition__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "program"], name="action_plan_once_per_program"
            ),
        ]

    def __str__(self):
        return f"Action plan of {self.coalition} for {self.program}"

    def get_absolute_url(self):
        return reverse(
            "coalitions:action-plan",
            kwargs={"pk": self.coalition_id, "code": self.program.code},
        )


class ActionPlanItemQuerySet(models.QuerySet):
    def overdue(self, today):
        return self.filter(due_date__lt=today, status__in=ActionPlanItem.OPEN_STATUSES)


class ActionPlanItem(TimeStampedModel):
    """One dated step of an action plan, with its owner and status."""

    class Category(models.TextChoices):
        # The mechanisms the State teams chose in the workshop brief.
        LEGISLATOR_OUTREACH = "legislator_outreach", "Legislator outreach"
        SHARING_SUCCESSES = "sharing_successes", "Sharing successful initiatives"
        PRIVATE_PURCHASERS = "private_purchasers", "Private-purchaser involvement"
        DATA_USEFULNESS = "data_usefulness", "Assessing whether data are useful for decisions"
        DATA_GAPS = "data_gaps", "Filling outcome and quality data gaps"
        PARTNERS = "partners", "Partners for small projects"
        HEALTH_SUMMIT = "health_summit", "Health summit"
        HEALTH_GOALS = "health_goals", "Health goals"
        INCREMENTAL_PILOT = "incremental_pilot", "Incremental pilot"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField()
    owner_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="owner (contact)",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="owner (person who signs in)",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    notes = models.TextField(blank=True)

    objects = ActionPlanItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_contact__isnull=True) | Q(owner_user__isnull=True),
                name="action_item_one_owner",
            ),
        ]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        return reverse("coalitions:action-item-detail", kwargs={"pk": self.pk})

    @property
    def owner(self):
        return self.owner_contact or self.owner_user

    @property
    def owner_name(self):
        if self.owner_contact_id:
            return self.owner_contact.name
        if self.owner_user_id:
            return self.owner_user.get_full_name()
        return ""

    def is_overdue(self, today):
        return self.status in self.OPEN_STATUSES and self.due_date < today


# --- peer-assist learning networks ----------------------------------------------------------


class LearningNetwork(TimeStampedModel):
    """A peer-assist learning network: coalitions of one program learning from each other."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="learning_networks"
    )
    name = models.CharField(max_length=200)
    topic = models.CharField(max_length=300, help_text="What the network works on.")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_networks",
        help_text="The program staff member who runs its sessions.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(
                "program", Lower("name"), name="learning_network_name_once_per_program"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coalitions:network-detail", kwargs={"pk": self.pk})


class NetworkMembership(TimeStampedModel):
    """A coalition's time in a learning network, from the day it joined to the day it left."""

    network = models.ForeignKey(
        LearningNetwork, on_delete=models.CASCADE, related_name="memberships"
    )
    coalition = models.ForeignKey(
        Coalition, on_delete=models.PROTECT, related_name="network_memberships"
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "coalition__name", "-joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="network_membership_leaves_after_joining",
                violation_error_message="The day it left cannot be before the day it joined.",
            ),
            models.UniqueConstraint(
                fields=["network", "coalition"],
                condition=Q(left_on__isnull=True),
                name="network_membership_open_once",
                violation_error_message="That coalition is already a member of this network.",
            ),
        ]

    def __str__(self):
        return f"{self.coalition} in {self.network}"

    @property
    def is_current(self):
        return self.left_on is None


# --- technical-assistance log ---------------------------------------------------------------


class TechnicalAssistance(TimeStampedModel):
    """One contact in which program staff helped one or more coalitions."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", "Workshop"
        WEB_CONFERENCE = "web_conference", "Web conference"
        PEER_ASSIST = "peer_assist", "Peer-assist session"
        SITE_VISIT = "site_visit", "Site visit"
        CONSULTATION = "consultation", "Consultation call"
        DOCUMENT_REVIEW = "document_review", "Document review"
        DATA_SUPPORT = "data_support", "Data or analysis support"
        NATIONAL_PRESENTATION = "national_presentation", "National presentation or briefing"

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="assistance_entries"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField()
    hours = models.DecimalField(
        "duration (hours)", max_digits=4, decimal_places=2,
        help_text="Staff time on the day, more than 0 and at most 24.",
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assistance_given"
    )
    coalitions = models.ManyToManyField(
        Coalition, related_name="assistance_entries", verbose_name="coalitions served"
    )
    network = models.ForeignKey(
        LearningNetwork, on_delete=models.PROTECT, null=True, blank=True,
        related_name="sessions", verbose_name="learning network",
        help_text="For a peer-assist session: the network that met.",
    )
    topics = models.CharField(
        max_length=300, blank=True, help_text="A few words or phrases, separated by commas."
    )
    summary = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "technical-assistance entry"
        verbose_name_plural = "technical-assistance entries"
        indexes = [models.Index(fields=["program", "date"], name="assistance_program_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="assistance_hours_in_a_day",
                violation_error_message="Hours must be more than 0 and at most 24.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("coalitions:assistance-detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        errors = {}
        if self.hours is not None and not 0 < self.hours <= 24:
            errors["hours"] = "Hours must be more than 0 and at most 24 in a day."
        if self.network_id and self.kind != self.Kind.PEER_ASSIST:
            errors["network"] = "Only a peer-assist session is linked to a learning network."
        if errors:
            raise ValidationError(errors)


class FollowUp(TimeStampedModel):
    """Something a technical-assistance contact left to do, by whom and by when."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    entry = models.ForeignKey(
        TechnicalAssistance, on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField("what", max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True, help_text="When it was done or dropped.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="follow_up_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open", closed_on__isnull=True)
                           | (~Q(status="open") & Q(closed_on__isnull=False))),
                name="follow_up_closed_when_not_open",
            ),
        ]

    def __str__(self):
        return self.description

    def is_overdue(self, today):
        return self.status == self.Status.OPEN and self.due_date < today
