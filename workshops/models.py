"""Events the program holds and the people registered for them.

An event's seats are counted from its registrations, never stored: a confirmed registration
holds a seat; an offer or a pending approval holds one only until it expires, so a lapsed
offer stops blocking its seat the moment it runs out, whether or not a sweep has run yet.
"""

import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coalitions.models import Coalition, Contact, Enrollment, LearningNetwork, Program
from core.models import TimeStampedModel


def timezone_names():
    return sorted(zoneinfo.available_timezones())


class Event(TimeStampedModel):
    """A workshop, web conference, local workshop, peer-assist session or dissemination."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", "Technical-assistance workshop"
        WEB_CONFERENCE = "web_conference", "Web conference"
        LOCAL_WORKSHOP = "local_workshop", "Local workshop"
        PEER_ASSIST = "peer_assist", "Peer-assist session"
        PRESENTATION = "presentation", "National presentation"
        BRIEFING = "briefing", "Briefing"

    # National dissemination: recorded with its audience reach, no registration.
    DISSEMINATION_KINDS = (Kind.PRESENTATION, Kind.BRIEFING)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    class Eligibility(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        TIER = "tier", "One program tier"
        COALITIONS = "coalitions", "Named coalitions"
        NETWORK = "network", "A learning network's members"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    agenda = models.TextField(blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    timezone = models.CharField(
        "time zone", max_length=64, default=settings.TIME_ZONE,
        help_text="The zone the event's times are shown in, e.g. America/Chicago.",
    )
    venue = models.TextField(blank=True, help_text="Where it takes place, for an in-person event.")
    join_url = models.URLField(
        "join link", max_length=500, blank=True,
        help_text="Shown only to confirmed registrants and staff.",
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Seats in all; empty for unlimited.",
    )
    per_coalition_limit = models.PositiveIntegerField(
        "seats per coalition", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Most registrations one coalition may hold; empty for no limit.",
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: registration closes when the event starts."
    )
    eligibility = models.CharField(
        max_length=20, choices=Eligibility.choices, default=Eligibility.EVERYONE
    )
    eligible_tier = models.CharField(
        max_length=10, choices=Enrollment.Tier.choices, blank=True,
        help_text="With eligibility “one program tier”.",
    )
    eligible_coalitions = models.ManyToManyField(
        Coalition, blank=True, related_name="eligible_events",
        help_text="With eligibility “named coalitions”.",
    )
    eligible_network = models.ForeignKey(
        LearningNetwork, on_delete=models.PROTECT, null=True, blank=True,
        related_name="events", help_text="With eligibility “a learning network's members”; "
        "a peer-assist session belongs to its network.",
    )
    waiting_list = models.BooleanField(
        default=True, help_text="When full, take people on a waiting list."
    )
    offer_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="Empty: the first person waiting gets a freed seat at once. A number: they "
                  "are offered it and must accept within that many hours.",
    )
    requires_approval = models.BooleanField(default=False)
    pending_holds_seat = models.BooleanField(
        "a pending registration holds a seat", default=True,
        help_text="With approval: whether a registration awaiting approval keeps a seat.",
    )
    approval_hours = models.PositiveSmallIntegerField(
        default=72, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="A registration awaiting approval lapses after this many hours.",
    )
    attendance_threshold = models.PositiveSmallIntegerField(
        "attended at (% of the session)", default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    audience_count = models.PositiveIntegerField(
        "audience reached", null=True, blank=True,
        help_text="For a presentation or briefing: how many people it reached.",
    )
    audience_kind = models.CharField(
        max_length=200, blank=True, help_text="For a presentation or briefing: who they were."
    )
    featured_measures = models.ManyToManyField("measures.Measure", blank=True,
                                               related_name="events")
    featured_tools = models.ManyToManyField("measures.Tool", blank=True, related_name="events")

    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "title"]
        indexes = [models.Index(fields=["program", "status", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="event_ends_after_start",
                violation_error_message="The end must be after the start.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workshops:event-detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The end must be after the start."
        if self.timezone not in zoneinfo.available_timezones():
            errors["timezone"] = (
                f"“{self.timezone}” is not a time zone we know (e.g. America/Chicago)."
            )
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = "Registration must close after it opens."
        if self.eligibility == self.Eligibility.TIER and not self.eligible_tier:
            errors["eligible_tier"] = "Choose the tier that may register."
        if self.eligibility == self.Eligibility.NETWORK and not self.eligible_network_id:
            errors["eligible_network"] = "Choose the learning network whose members may register."
        if errors:
            raise ValidationError(errors)

    @property
    def takes_registration(self):
        return self.kind not in self.DISSEMINATION_KINDS

    @property
    def has_ended(self):
        return self.end <= timezone.now()

    @property
    def is_online(self):
        return bool(self.join_url)

    @cached_property
    def zone(self):
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def local_start(self):
        return self.start.astimezone(self.zone)

    @property
    def local_end(self):
        return self.end.astimezone(self.zone)

    @property
    def closes_at(self):
        return self.registration_closes_at or self.start

    def registration_window_state(self, now=None):
        """``"open"``, ``"not_open"`` or ``"closed"``."""
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if now >= self.closes_at:
            return "closed"
        return "open"


def holding_seat_q(now, *, registration="registrations__", event=""):
    """The registrations that take a seat at ``now``: confirmed, and offers and pending
    approvals that have not expired (a pending one only where the event says it holds a
    seat). As a filter on events (the default: for counting them in an event's own query),
    or, with ``registration=""`` and ``event="event__"``, on registrations."""
    Status = Registration.Status
    return (
        Q(**{f"{registration}status": Status.CONFIRMED})
        | Q(**{f"{registration}status": Status.OFFERED, f"{registration}expires_at__gt": now})
        | Q(**{f"{registration}status": Status.PENDING_APPROVAL,
               f"{registration}expires_at__gt": now, f"{event}pending_holds_seat": True})
    )


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Registration.ACTIVE_STATUSES)

    def holding_seat(self, now=None):
        """Registrations that take a seat now (``holding_seat_q``)."""
        return self.filter(
            holding_seat_q(now or timezone.now(), registration="", event="event__")
        )

    def waiting(self):
        return self.filter(status=Registration.Status.WAITING).order_by("queued_at", "pk")


class Registration(TimeStampedModel):
    """One person's place at one event, for one coalition."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITING = "waiting", "On the waiting list"
        PENDING_APPROVAL = "pending_approval", "Awaiting approval"
        OFFERED = "offered", "Offered a seat"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Declined"
        LAPSED = "lapsed", "Lapsed"

    ACTIVE_STATUSES = (
        Status.CONFIRMED, Status.WAITING, Status.PENDING_APPROVAL, Status.OFFERED
    )

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    coalition = models.ForeignKey(
        Coalition, on_delete=models.PROTECT, related_name="event_registrations"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    email = models.EmailField("e-mail address")
    name = models.CharField(max_length=150)
    status = models.CharField(max_length=20, choices=Status.choices)
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="Place on the waiting list: the earliest goes first."
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When an offer or a pending approval lapses."
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    minutes_present = models.PositiveIntegerField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["event", "queued_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "queued_at"])]
        constraints = [
            models.UniqueConstraint(
                "event", Lower("email"),
                condition=Q(status__in=[
                    "confirmed", "waiting", "pending_approval", "offered",
                ]),
                name="registration_active_once_per_email",
                violation_error_message="That e-mail address is already registered.",
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}> at {self.event}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def attended(self):
        return self.checked_in_at is not None

    def holds_seat(self, now=None):
        now = now or timezone.now()
        if self.status == self.Status.CONFIRMED:
            return True
        if self.status == self.Status.OFFERED:
            return bool(self.expires_at and self.expires_at > now)
        if self.status == self.Status.PENDING_APPROVAL:
            return self.event.pending_holds_seat and bool(
                self.expires_at and self.expires_at > now
            )
        return False


class Notice(models.Model):
    """An e-mail a registration is owed, written in the transaction that made it due.

    The row is the record of what is owed (``core.outbox``): a task queued on commit sends it,
    and a sweep sends whatever the broker lost. ``key`` makes each notice once-only: a
    reminder or a feedback request asked for twice is still one row.
    """

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Registration confirmed"
        WAITING = "waiting", "On the waiting list"
        PENDING = "pending", "Awaiting approval"
        OFFERED = "offered", "Seat offered"
        PROMOTED = "promoted", "Moved up from the waiting list"
        CANCELLED = "cancelled", "Registration cancelled"
        DECLINED = "declined", "Registration declined"
        LAPSED = "lapsed", "Offer or request lapsed"
        EVENT_CANCELLED = "event_cancelled", "Event cancelled"
        REMINDER = "reminder", "Reminder"
        FEEDBACK = "feedback", "Feedback request"
        MISSED = "missed", "Sorry we missed you"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    mail_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    mail_claim = models.UUIDField(null=True, blank=True, editable=False)
    mail_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["mail_sent_at", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.registration}"


class Material(TimeStampedModel):
    """A file or a link handed out with an event (slides, a toolkit, a recording)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="event-materials/%Y/", blank=True)
    url = models.URLField("link", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.file and self.url:
            raise ValidationError("Give either a file or a link, not both.")
        if not self.file and not self.url:
            raise ValidationError({"file": "Choose a file, or give a link."})

    @property
    def href(self):
        """A file is served by the portal (as a download, to whoever may see the event)."""
        if self.file:
            return reverse("workshops:material-download", args=[self.event_id, self.pk])
        return self.url

    @property
    def file_name(self):
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class AttendanceImport(TimeStampedModel):
    """A participant report uploaded for an event: kept as it came, read on a preview, and
    applied once. The same file (by its SHA-256) is applied to an event only once."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Awaiting confirmation"
        APPLIED = "applied", "Applied"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    text = models.TextField(help_text="The file's text, decoded.")
    source = models.CharField(max_length=20, help_text="zoom, teams or csv")
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "sha256"], condition=Q(status="applied"),
                                    name="attendance_import_once_per_file"),
        ]

    def __str__(self):
        return f"{self.filename} for {self.event}"


class AttendanceInterval(models.Model):
    """One stretch a registrant was in a web conference; their time is the union of these."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="intervals")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField()
    source = models.ForeignKey(AttendanceImport, on_delete=models.SET_NULL, null=True,
                               related_name="intervals")

    class Meta:
        ordering = ["registration", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "joined_at", "left_at"],
                                    name="attendance_interval_once"),
        ]

    def __str__(self):
        return f"{self.registration.name}: {self.joined_at:%H:%M} to {self.left_at:%H:%M}"


class UnmatchedAttendee(models.Model):
    """A row of a participant report that matched no registration, kept for staff to match
    by hand or add as a walk-in: nothing in a report is lost."""

    source = models.ForeignKey(AttendanceImport, on_delete=models.CASCADE,
                               related_name="unmatched_rows")
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    intervals = models.JSONField(default=list, help_text="[[joined ISO, left ISO], ...]")
    resolved_registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["source", "name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "email", "name"],
                                    name="unmatched_attendee_once_per_import"),
        ]

    def __str__(self):
        return self.name or self.email


class Feedback(TimeStampedModel):
    """An attendee's feedback on an event, given once."""

    class Usefulness(models.TextChoices):
        VERY = "very", "Very useful"
        SOMEWHAT = "somewhat", "Somewhat useful"
        NOT = "not", "Not useful"

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE,
                                        related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (poor) to 5 (excellent)")
    usefulness = models.CharField(max_length=10, choices=Usefulness.choices)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"Feedback from {self.registration.name}"


class FeedbackIntention(models.Model):
    """Whether an attendee intends to use one featured measure or tool (one of the two)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="intentions")
    measure = models.ForeignKey("measures.Measure", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    tool = models.ForeignKey("measures.Tool", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    intends_to_use = models.BooleanField()

    class Meta:
        ordering = ["feedback", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False, tool__isnull=True)
                | Q(measure__isnull=True, tool__isnull=False),
                name="intention_names_a_measure_or_a_tool",
            ),
        ]

    def __str__(self):
        return f"{self.measure or self.tool}: {'yes' if self.intends_to_use else 'no'}"
