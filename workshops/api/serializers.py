"""The events API's shapes. Serializers check shape only; the rules (times, capacity, who
may register, seats) are in ``workshops.services`` and ``workshops.permissions``."""

import zoneinfo

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coalitions.models import Program
from core.api.serializers import UTCDateTimeField
from workshops import permissions
from workshops.models import Event, Registration

EVENT_FIELDS = (
    "id", "program", "kind", "title", "start", "end", "timezone", "capacity",
    "per_coalition_limit", "waiting_list", "offer_hours", "requires_approval", "status",
    "seats_left", "ics_url", "join_url",
)
# What a POST may set.
EVENT_WRITABLE = (
    "program", "kind", "title", "start", "end", "timezone", "capacity",
    "per_coalition_limit", "waiting_list", "offer_hours", "requires_approval", "status",
)


class ProgramCodeField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "No program has the code {value}.",
        "invalid": "A program's code, e.g. pps.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Program.objects.all(), **kwargs)


class EventSerializer(serializers.ModelSerializer):
    """An event as a client sees it; ``join_url`` only for staff and for a caller with a
    confirmed registration (``permissions.can_see_join_link``)."""

    program = ProgramCodeField(help_text="The program's code, e.g. `pps`.")
    start = UTCDateTimeField(help_text="When it starts (UTC; `timezone` is the event's own).")
    end = UTCDateTimeField(help_text="When it ends; after the start.")
    timezone = serializers.CharField(
        max_length=64, help_text="The IANA zone the event is shown in, e.g. `America/Chicago`."
    )
    capacity = serializers.IntegerField(
        min_value=0, allow_null=True, required=False,
        help_text="Seats in all; null for unlimited.",
    )
    per_coalition_limit = serializers.IntegerField(
        min_value=1, allow_null=True, required=False,
        help_text="Most registrations one coalition may hold; null for no limit.",
    )
    offer_hours = serializers.IntegerField(
        min_value=1, max_value=720, allow_null=True, required=False,
        help_text="Null: the first person waiting is promoted at once. A number: they are "
        "offered the seat and must accept within that many hours.",
    )
    seats_left = serializers.SerializerMethodField(
        help_text="Free seats now; null for an unlimited event."
    )
    ics_url = serializers.SerializerMethodField(help_text="The event as an iCalendar file.")
    join_url = serializers.URLField(
        read_only=True, required=False,
        help_text="The web conference's join link (empty for an in-person event). Present "
        "only for program staff and for a caller with a confirmed registration.",
    )

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        read_only_fields = ("id",)

    def validate_timezone(self, value):
        # The model's clean() says the same; here so a bad zone never reaches the service.
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(
                f"“{value}” is not a time zone we know (e.g. America/Chicago)."
            )
        return value

    @extend_schema_field({"type": "integer", "nullable": True, "minimum": 0})
    def get_seats_left(self, event):
        if event.capacity is None:
            return None
        return max(0, event.capacity - event.seats_held)

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_ics_url(self, event):
        return self.context["request"].build_absolute_uri(
            reverse("workshops:event-ics", kwargs={"pk": event.pk})
        )

    def to_representation(self, event):
        data = super().to_representation(event)
        user = self.context["request"].user
        confirmed = (user.email.lower(),) if getattr(event, "caller_confirmed", False) else ()
        if not permissions.can_see_join_link(user, event, confirmed_emails=confirmed):
            del data["join_url"]
        return data


class EventCreateSerializer(EventSerializer):
    """What a POST takes; the answer is an ``EventSerializer``."""

    seats_left = ics_url = join_url = None

    class Meta(EventSerializer.Meta):
        fields = EVENT_WRITABLE
        extra_kwargs = {"kind": {"required": True}, "status": {"required": False}}


class RegistrationSerializer(serializers.ModelSerializer):
    coalition = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The id of the coalition the person registers for."
    )
    position = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="The place on the waiting list (1 first) while waiting; null otherwise.",
    )

    class Meta:
        model = Registration
        fields = ("id", "email", "name", "coalition", "status", "position")
        read_only_fields = fields


class RegistrationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150)
    coalition = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="Program staff: the coalition's id (required). A lead or member: their own "
        "coalition, the default; another coalition's id answers 400.",
    )
