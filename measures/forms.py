"""Forms for a coalition's adoption records; they check shape, the services keep the rules."""

from django import forms
from django.utils import timezone

from core.forms import Form, ModelForm

from .models import IncentiveProgram, Measure, MeasureAdoption


def _measure_choices():
    return Measure.objects.order_by("code")


class AdoptionCreateForm(ModelForm):
    measure = forms.ModelChoiceField(queryset=Measure.objects.none(),
                                     empty_label="Choose a measure")

    class Meta:
        model = MeasureAdoption
        fields = ["measure", "use", "stage", "stage_since", "incentive_program", "notes"]
        labels = {"stage_since": "At this stage since", "use": "Used for"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = _measure_choices()
        self.fields["incentive_program"].queryset = coalition.incentive_programs.all()
        self.fields["incentive_program"].empty_label = "None"
        self.fields["stage_since"].initial = timezone.localdate
        self.fields["stage_since"].required = False


class AdoptionChangeForm(Form):
    stage = forms.ChoiceField(choices=MeasureAdoption.Stage.choices)
    changed_on = forms.DateField(
        label="Date of this stage", required=False, widget=forms.DateInput,
        help_text="When the coalition reached this stage; leave empty for today. "
                  "Only used when the stage changes.",
    )
    incentive_program = forms.ModelChoiceField(
        queryset=IncentiveProgram.objects.none(), required=False, empty_label="None"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, adoption, **kwargs):
        kwargs.setdefault("initial", {
            "stage": adoption.stage, "incentive_program": adoption.incentive_program,
            "notes": adoption.notes,
        })
        super().__init__(*args, **kwargs)
        self.fields["incentive_program"].queryset = adoption.coalition.incentive_programs.all()


class IncentiveProgramForm(ModelForm):
    measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Hold Ctrl (Cmd on a Mac) to choose more than one.",
    )
    record_stage = forms.ChoiceField(
        label="Record these measures as adopted",
        choices=[("", "No, not now"), *MeasureAdoption.Stage.choices[:4]],
        required=False,
        help_text="Adds (or moves) an adoption record for each chosen measure, for this "
                  "program's use, at the stage you pick.",
    )

    class Meta:
        model = IncentiveProgram
        fields = ["name", "kind", "status", "launch_date", "measures", "providers",
                  "purchasers"]
        widgets = {
            "providers": forms.Textarea(attrs={"rows": 3}),
            "purchasers": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = _measure_choices()
        if self.instance.pk and not self.is_bound:
            self.initial["measures"] = list(self.instance.measures.values_list("pk", flat=True))
