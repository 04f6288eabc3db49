"""Forms check the shape of input; the rules live in the models and services."""

import zoneinfo
from datetime import datetime

from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator

from coalitions.models import Coalition, Contact
from core.forms import Form, ModelForm
from measures.models import Measure, Tool

from . import attendance
from .models import Event, Feedback, Material, timezone_names

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
            "audience_count", "audience_kind", "featured_measures", "featured_tools",
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
        measures = self.fields["featured_measures"]
        measures.queryset = Measure.objects.order_by("code")
        measures.label_from_instance = lambda measure: f"{measure.code}: {measure.title}"
        measures.help_text = "Measures from the catalog this event presents."
        self.fields["featured_tools"].queryset = Tool.objects.order_by("title")
        self.fields["featured_tools"].label = "Featured tools and guides"
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


_YES_NO = [("yes", "Yes"), ("no", "No")]


class FeedbackForm(Form):
    """An attendee's feedback. A yes/no question is asked for each measure and tool the event
    featured (``featured``: the measures and tools); leaving one unanswered is allowed."""

    rating = forms.TypedChoiceField(
        label="How would you rate the event?", coerce=int, widget=forms.RadioSelect,
        choices=[(5, "5 (excellent)"), (4, "4"), (3, "3"), (2, "2"), (1, "1 (poor)")],
        error_messages={"required": "Choose a rating from 1 to 5.",
                        "invalid_choice": "Choose a rating from 1 to 5."},
    )
    usefulness = forms.ChoiceField(
        label="How useful was it for your coalition's work?", widget=forms.RadioSelect,
        choices=Feedback.Usefulness.choices,
        error_messages={"required": "Say how useful the event was.",
                        "invalid_choice": "Say how useful the event was."},
    )
    comments = forms.CharField(
        label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="What worked, what did not, what you would like next time (optional).",
    )

    def __init__(self, *args, featured=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.featured = {}
        for item in featured:
            name = f"{item._meta.model_name}_{item.pk}"
            # A measure is known by its code; a tool's code is the catalog's own, by title.
            named = f"{item.code}: {item.title}" if name.startswith("measure") else item.title
            self.fields[name] = forms.ChoiceField(
                label=f"Do you intend to use {named}?",
                choices=_YES_NO, required=False, widget=forms.RadioSelect,
            )
            self.featured[name] = item
        # Comments last, after the questions about the featured measures and tools.
        self.order_fields(["rating", "usefulness", *self.featured, "comments"])

    def intentions(self):
        """(measure or tool, intends) for each question answered."""
        return [(item, self.cleaned_data[name] == "yes")
                for name, item in self.featured.items() if self.cleaned_data.get(name)]


# --- attendance -----------------------------------------------------------------------------


class AttendanceUploadForm(Form):
    file = forms.FileField(
        label="Participant report",
        help_text="Zoom's participant export or Microsoft Teams' attendance report (CSV), or "
                  "any CSV with a row per person: you choose its columns on the next step. "
                  f"At most {attendance.MAX_REPORT_BYTES // 1024 // 1024} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > attendance.MAX_REPORT_BYTES:
            raise forms.ValidationError(attendance.too_large_message(upload.size))
        return upload


class AttendanceColumnsForm(Form):
    """Which column of a report holds what, and the time zone its times are written in."""

    LABELS = {
        "name": "Name", "email": "E-mail address", "join": "Join time",
        "leave": "Leave time", "duration": "Duration (minutes, or like 1h 5m)",
    }

    zone = forms.ChoiceField(
        label="The file's times are in", choices=[(name, name) for name in timezone_names()],
        help_text="Times written without a zone are read in this one; Zoom writes them in "
                  "the time zone of the account that ran the meeting.",
    )

    def __init__(self, *args, header=(), **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", "Not in this file")] + [
            (str(index), f"{cell or '(no heading)'} (column {index + 1})")
            for index, cell in enumerate(header)
        ]
        for name, label in self.LABELS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=columns, coerce=int, empty_value=None, required=False,
            )
        self.order_fields([*self.LABELS, "zone"])
        # USWDSFormMixin styled the fields made in its __init__; style these the same way.
        for name in self.LABELS:
            widget = self.fields[name].widget
            widget.attrs["class"] = "usa-select"
            widget.template_name = "forms/widgets/select.html"

    def columns(self):
        return {name: self.cleaned_data.get(name) for name in self.LABELS}


class UnmatchedMatchForm(Form):
    registration = forms.ModelChoiceField(
        label="This was", queryset=None, empty_label="Choose a registration",
        help_text="Their time in the session joins this registration.",
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["registration"]
        field.queryset = registrations
        field.label_from_instance = (
            lambda r: f"{r.name} <{r.email}>, {r.coalition.name} ({r.get_status_display()})")


class WalkInForm(Form):
    coalition = forms.ModelChoiceField(
        queryset=Coalition.objects.order_by("name"), help_text="The coalition they came for.")
    email = forms.EmailField(label="E-mail address")


# --- materials ------------------------------------------------------------------------------

MATERIAL_MAX_BYTES = 25 * 1024 * 1024
MATERIAL_EXTENSIONS = ["pdf", "ppt", "pptx", "doc", "docx", "xls", "xlsx", "csv", "txt",
                       "odt", "odp", "ods", "rtf", "png", "jpg", "jpeg", "zip"]


class MaterialForm(ModelForm):
    url = forms.URLField(label="Or a link", required=False, assume_scheme="https",
                         help_text="A recording, a web page or a document kept elsewhere.")

    class Meta:
        model = Material
        fields = ["title", "file", "url"]
        help_texts = {
            "file": f"Slides, a handout or a toolkit ({', '.join(MATERIAL_EXTENSIONS)}); at "
                    f"most {MATERIAL_MAX_BYTES // 1024 // 1024} MB.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(
            FileExtensionValidator(allowed_extensions=MATERIAL_EXTENSIONS))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MATERIAL_MAX_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB; the largest we take is "
                f"{MATERIAL_MAX_BYTES // 1024 // 1024} MB.")
        return upload
