"""Forms check the shape of input; the rules live in the models and services."""

import zoneinfo
from datetime import datetime

from django import forms
from django.conf import settings

from coalitions.models import Coalition, Contact
from core.forms import Form, ModelForm

from .models import Event, timezone_names

_LOCAL = {"type": "datetime-local"}
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_LOCAL_FIELDS = ("start", "end", "registration_opens_at", "registration_closes_at")


class EventForm(ModelForm):
    """Times are entered in the event's own time zone and stored as instants."""

    timezone = forms.ChoiceField(
        label="Time zone", choices=[(name, name) for name in timezone_names()],
        initial=settings.TIME_ZONE,
        help_text="The event's times are entered and shown in this zone.",
    )
    join_url = forms.URLField(label="Join link", required=False, assume_scheme="https",
                              help_text="Shown only to confirmed registrants and staff.")

    class Meta:
        model = Event
        fields = [
            "program", "kind", "title", "summary", "agenda", "timezone", "start", "end",
            "venue", "join_url", "capacity", "per_coalition_limit", "waiting_list",
            "offer_hours", "requires_approval", "pending_holds_seat", "approval_hours",
            "registration_opens_at", "registration_closes_at", "eligibility", "eligible_tier",
            "eligible_coalitions", "eligible_network", "attendance_threshold",
            "audience_count", "audience_kind",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "venue": forms.Textarea(attrs={"rows": 2}),
            "eligible_coalitions": forms.CheckboxSelectMultiple,
            **{name: forms.DateTimeInput(attrs=_LOCAL, format=_LOCAL_FORMAT)
               for name in _LOCAL_FIELDS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _LOCAL_FIELDS:
            self.fields[name].input_formats = [_LOCAL_FORMAT, "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = "In the event's time zone."
        self.fields["eligible_coalitions"].queryset = Coalition.objects.order_by("name")
        if self.instance.pk and not self.is_bound:
            zone = self.instance.zone
            for name in _LOCAL_FIELDS:
                value = getattr(self.instance, name)
                if value is not None:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("timezone")
        if name:
            zone = zoneinfo.ZoneInfo(name)
            for field in _LOCAL_FIELDS:
                value = cleaned.get(field)
                if isinstance(value, datetime):
                    cleaned[field] = value.replace(tzinfo=None).replace(tzinfo=zone)
        return cleaned


class RegistrationForm(Form):
    """Who to register: a contact of the coalition, or a person named here."""

    coalition = forms.ModelChoiceField(queryset=Coalition.objects.order_by("name"),
                                       required=False)
    contact = forms.ModelChoiceField(
        label="A contact of your coalition", queryset=Contact.objects.none(), required=False,
        empty_label="Someone else (name them below)",
    )
    name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(label="E-mail address", required=False)

    def __init__(self, *args, coalition=None, choose_coalition=False, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_coalition:
            self.fields["coalition"].required = True
            self.fields["coalition"].help_text = "The coalition the person comes for."
        else:
            del self.fields["coalition"]
        if coalition is not None:
            self.fields["contact"].queryset = coalition.contacts.order_by("name")
        else:
            del self.fields["contact"]

    def clean(self):
        cleaned = super().clean()
        contact = cleaned.get("contact")
        if contact is not None:
            cleaned["name"], cleaned["email"] = contact.name, contact.email
        else:
            if not cleaned.get("name"):
                self.add_error("name", "Give the person's name, or choose a contact.")
            if not cleaned.get("email") and "email" not in self.errors:
                self.add_error("email", "Give the person's e-mail address, or choose a contact.")
        return cleaned


class SubstituteForm(Form):
    name = forms.CharField(label="Colleague's name", max_length=150)
    email = forms.EmailField(label="Colleague's e-mail address")


class SelectRegistrationsForm(Form):
    registrations = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registrations"].choices = choices
