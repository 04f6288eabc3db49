"""Query parameters of the list endpoints. A value the API does not know (a type, a set
code, a coalition the user cannot see...) answers 400 naming the parameter; it never
silently matches nothing."""

import django_filters as filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from coalitions.models import Coalition
from coalitions.permissions import coalitions_visible_to
from measures.catalog_selectors import measure_search
from measures.models import (
    IncentiveProgram,
    Measure,
    MeasureAdoption,
    MeasureSet,
    ProgramMembership,
    QualityProgram,
    Tool,
)


def _visible_coalitions(request):
    if request is None:  # the schema generator
        return Coalition.objects.none()
    return coalitions_visible_to(request.user)


class MeasureFilter(filters.FilterSet):
    set = extend_schema_field(
        {"type": "string", "description": "Measure set code, e.g. `PQI`; repeat for several."}
    )(filters.ModelMultipleChoiceFilter(
        field_name="measure_set__code", to_field_name="code",
        queryset=MeasureSet.objects.all(), distinct=False,
    ))
    code = extend_schema_field(
        {"type": "string", "description": "Measure code, e.g. `PQI 01`; repeat for several."}
    )(filters.ModelMultipleChoiceFilter(
        field_name="code", to_field_name="code", queryset=Measure.objects.all(), distinct=False
    ))
    program = extend_schema_field({
        "type": "string",
        "description": "A program's code, e.g. `MEDICAID-ADULT-CORE`: the measures it uses "
        "(any year); repeat for any of several.",
    })(filters.ModelMultipleChoiceFilter(
        to_field_name="code", queryset=QualityProgram.objects.all(), method="filter_program",
    ))
    type = filters.MultipleChoiceFilter(choices=Measure.Type.choices, distinct=False)
    level = filters.MultipleChoiceFilter(choices=Measure.Level.choices, distinct=False)
    status = filters.MultipleChoiceFilter(choices=Measure.Status.choices, distinct=False)
    domain = filters.CharFilter(
        lookup_expr="icontains", help_text="Part of the domain, any case: `patient safety`."
    )
    setting = filters.CharFilter(
        lookup_expr="icontains", help_text="Part of the care setting, any case: `inpatient`."
    )
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text="Only measures changed at or after this time (ISO 8601).",
    )
    search = filters.CharFilter(
        method="filter_search", max_length=200,
        help_text="Words of the code, title, description or domain, matched as the catalog "
        "page's search box matches them (the same selector): on PostgreSQL full-text, with "
        "stemming, \"quoted phrases\", OR and -exclusion; elsewhere every word somewhere.",
    )

    class Meta:
        model = Measure
        fields = []

    def filter_search(self, queryset, name, value):
        return measure_search(queryset, value)

    def filter_program(self, queryset, name, value):
        if not value:
            return queryset
        members = ProgramMembership.objects.filter(program__in=value)
        return queryset.filter(pk__in=members.values("measure_id"))


class ToolFilter(filters.FilterSet):
    kind = filters.CharFilter(help_text="The kind of tool, e.g. `guide`.")
    search = filters.CharFilter(method="filter_search", help_text="Words in the title or "
                                "description.")

    class Meta:
        model = Tool
        fields = []

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset


class AdoptionFilter(filters.FilterSet):
    coalition = filters.ModelChoiceFilter(
        queryset=_visible_coalitions, help_text="A coalition's id (one you may see)."
    )
    measure = filters.ModelChoiceFilter(
        to_field_name="code", queryset=Measure.objects.all(), help_text="A measure's code."
    )
    use = filters.MultipleChoiceFilter(choices=MeasureAdoption.Use.choices, distinct=False)
    stage = filters.MultipleChoiceFilter(
        choices=MeasureAdoption.Stage.choices, distinct=False, method="filter_stage",
        help_text="The stage (on the day `as_of`, when given).",
    )
    as_of = filters.DateFilter(
        method="filter_as_of",
        help_text="A day (YYYY-MM-DD): the adoptions recorded by then, each at the stage it "
        "had that day, with `stage_since` the day that stage began.",
    )

    class Meta:
        model = MeasureAdoption
        fields = []

    def filter_as_of(self, queryset, name, value):
        return queryset  # the view reads the day first: it changes the list itself

    def filter_stage(self, queryset, name, value):
        if not value:
            return queryset
        field = "stage_on_day" if self.form.cleaned_data.get("as_of") else "stage"
        return queryset.filter(**{f"{field}__in": value})


class IncentiveProgramFilter(filters.FilterSet):
    coalition = filters.ModelChoiceFilter(
        queryset=_visible_coalitions, help_text="A coalition's id (one you may see)."
    )
    kind = filters.MultipleChoiceFilter(choices=IncentiveProgram.Kind.choices, distinct=False)
    status = filters.MultipleChoiceFilter(
        choices=IncentiveProgram.Status.choices, distinct=False
    )

    class Meta:
        model = IncentiveProgram
        fields = []
