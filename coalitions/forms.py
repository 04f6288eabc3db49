"""Forms check the shape of input; the rules live in the models and services."""

from django import forms

from core.forms import ModelForm

from .models import Coalition, Contact, Enrollment, Program
from .states import US_STATES


class ProgramForm(ModelForm):
    class Meta:
        model = Program
        fields = [
            "name", "code", "description", "start_date", "end_date",
            "support_capacity", "intensive_capacity",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class CoalitionForm(ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")
    states = forms.MultipleChoiceField(
        label="State(s)",
        choices=US_STATES,
        required=False,
        help_text="Hold Ctrl (Cmd on a Mac) to choose more than one.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Coalition
        fields = ["name", "kind", "states", "market", "website", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a kind"), *Coalition.Kind.choices]
        if self.instance.pk and not self.is_bound:
            self.initial["states"] = self.instance.state_list

    def clean_states(self):
        return ", ".join(self.cleaned_data["states"])


class EnrollmentForm(ModelForm):
    coalition = forms.ModelChoiceField(
        queryset=Coalition.objects.filter(status=Coalition.Status.ACTIVE),
        empty_label="Choose a coalition",
    )

    class Meta:
        model = Enrollment
        fields = ["coalition", "tier", "enrolled_on"]
        help_texts = {"enrolled_on": "Leave empty for today."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolled_on"].required = False


class EnrollmentChangeForm(ModelForm):
    class Meta:
        model = Enrollment
        fields = ["tier", "status", "ended_on"]


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "title", "role"]
