"""Forms for a coalition's adoption records; they check shape, the services keep the rules."""

from itertools import groupby

from django import forms
from django.utils import timezone

from core.forms import Form, ModelForm

from .models import IncentiveProgram, Measure, MeasureAdoption, Tool


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

    def __init__(self, *args, adoption, initial=None, **kwargs):
        # The form opens with the record as it is; what the caller passes comes on top
        # (a FormView always passes ``initial``, if only an empty one).
        initial = {
            "stage": adoption.stage, "incentive_program": adoption.incentive_program_id,
            "notes": adoption.notes, **(initial or {}),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["incentive_program"].queryset = adoption.coalition.incentive_programs.all()


class IncentiveProgramForm(ModelForm):
    measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
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
        # The checkboxes grouped by measure set (the field still checks against the queryset).
        self.fields["measures"].widget.choices = [
            (measure_set, [(measure.pk, str(measure)) for measure in measures])
            for measure_set, measures in groupby(
                _measure_choices().select_related("measure_set").order_by(
                    "measure_set__name", "code"
                ),
                key=lambda measure: measure.measure_set.name,
            )
        ]
        if self.instance.pk and not self.is_bound:
            self.initial["measures"] = list(self.instance.measures.values_list("pk", flat=True))


class CatalogLinksForm(Form):
    """The measures and tools a technical-assistance entry or an action item concerns."""

    measures = forms.ModelMultipleChoiceField(
        label="Measures", required=False, queryset=Measure.objects.order_by("code"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    tools = forms.ModelMultipleChoiceField(
        label="Tools and guides", required=False, queryset=Tool.objects.order_by("title"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].label_from_instance = lambda m: f"{m.code}: {m.title}"
        if not self.is_bound:
            self.initial["measures"] = [link.measure_id for link in links if link.measure_id]
            self.initial["tools"] = [link.tool_id for link in links if link.tool_id]
