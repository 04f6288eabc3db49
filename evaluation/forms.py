"""The evaluation's forms: they check the shape of input; the rules are in ``services``."""

from django import forms

from coalitions.models import Coalition, Program
from core.forms import Form, ModelForm

from . import indicators, selectors
from .models import Finding, Report, Target


class ReportRequestForm(Form):
    program = forms.ModelChoiceField(queryset=Program.objects.order_by("name"))
    kind = forms.ChoiceField(choices=Report.Kind.choices, label="Kind of report")
    period_start = forms.DateField(label="Period starts")
    period_end = forms.DateField(label="Period ends")
    coalition = forms.ModelChoiceField(
        queryset=Coalition.objects.order_by("name"), required=False,
        label="Only about one coalition",
        help_text="Leave empty for the whole program.")
    include_names = forms.BooleanField(
        required=False, label="Add an appendix with names",
        help_text="Reports name no one unless staff ask for this appendix.")
    allow_early_formal = forms.BooleanField(
        required=False, label="Formal analysis before the program ends",
        help_text="The formal analysis is due at the program's end; tick to ask for it now.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_program_staff:
            del self.fields["include_names"]
            del self.fields["allow_early_formal"]


class FindingForm(ModelForm):
    class Meta:
        model = Finding
        fields = ["finding", "decision", "owner", "due_date", "status"]
        widgets = {"due_date": forms.DateInput(),
                   "finding": forms.Textarea(attrs={"rows": 3}),
                   "decision": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.finding_owners()


class FindingStatusForm(ModelForm):
    class Meta:
        model = Finding
        fields = ["status"]


class IndicatorScopeForm(Form):
    program = forms.ModelChoiceField(queryset=Program.objects.order_by("name"),
                                     to_field_name="code", empty_label=None)
    start = forms.DateField(label="From", required=False)
    end = forms.DateField(label="To", required=False)


class TargetForm(ModelForm):
    indicator = forms.ChoiceField(choices=[("", "---------")] + [
        (i.key, i.name) for i in indicators.REGISTRY.values()])

    class Meta:
        model = Target
        fields = ["program", "indicator", "period_start", "period_end", "value"]
        widgets = {"period_start": forms.DateInput(), "period_end": forms.DateInput()}
