"""The API's shapes. Serializers check shape only; the rules are in ``measures.services``.

The measure list is rendered from ``.values()`` rows (see ``selectors.measure_rows``) for
speed; ``MeasureSerializer`` still declares that shape, for the schema and for the test that
keeps the two the same.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coalitions.models import Coalition
from coalitions.permissions import coalitions_visible_to
from core.api.serializers import ApiModelSerializer
from measures import selectors
from measures.models import (
    AdoptionStageChange,
    IncentiveProgram,
    Measure,
    MeasureAdoption,
    MeasureFact,
    MeasureSet,
    Tool,
)

# --- the catalog ------------------------------------------------------------------------------

# The fields of a measure, in the order the API (JSON and CSV) gives them.
MEASURE_FIELDS = (
    "url", "code", "slug", "set", "title", "description", "steward", "type", "level",
    "domain", "setting", "data_source", "numerator", "denominator", "improvement_notation",
    "components", "endorsement_number", "status", "version", "source_url", "software_url",
    "programs", "updated_at",
)


def _optional_choice(choices, help_text):
    """A choice the steward may not state: its value, or an empty string."""
    return serializers.ChoiceField(
        choices=choices, allow_blank=True, read_only=True, help_text=help_text
    )


def _optional_link():
    return serializers.CharField(read_only=True, help_text="A link to the source, or empty.")


class MeasureSerializer(ApiModelSerializer):
    url = serializers.URLField(help_text="This measure in the API.")
    type = _optional_choice(Measure.Type.choices, "Empty where the steward states none.")
    level = _optional_choice(Measure.Level.choices, "Whose quality it measures, or empty.")
    improvement_notation = _optional_choice(
        Measure.ImprovementNotation.choices, "Whether higher or lower is better, or empty."
    )
    source_url = serializers.CharField(
        read_only=True, help_text="A specification page a person can read, or empty."
    )
    software_url = serializers.CharField(
        read_only=True,
        help_text="Software that computes the measure (AHRQ's SAS programs), or empty.",
    )
    programs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the federal or national programs that use the measure (any "
        "year), e.g. `MEDICAID-ADULT-CORE`; filter with `?program=`.",
    )
    set = serializers.CharField(
        source="measure_set.code", help_text="The code of the measure set (`measure-sets/`)."
    )
    components = serializers.ListField(
        child=serializers.CharField(),
        help_text="For a composite: the codes of the measures it combines, else empty.",
    )

    class Meta:
        model = Measure
        fields = MEASURE_FIELDS
        read_only_fields = MEASURE_FIELDS


class MeasureFactSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=MeasureFact.Name.choices)
    value = serializers.CharField()
    source_url = serializers.URLField(help_text="Where the fact was read.")
    publisher = serializers.CharField(help_text="Who published that source.")
    version = serializers.CharField(
        help_text="The specification version the source describes, or the day it was read."
    )
    note = serializers.CharField(allow_blank=True)


class ProgramMembershipSerializer(serializers.Serializer):
    program = serializers.CharField(help_text="The program's code.")
    name = serializers.CharField(help_text="The program's name.")
    year = serializers.IntegerField(
        allow_null=True, help_text="The year; null when the source names none."
    )
    identifier = serializers.CharField(
        allow_blank=True, help_text="The program's own ID of the measure, e.g. `BCS-AD`."
    )
    source_url = serializers.URLField(help_text="The source that lists the measure.")


class MeasureDetailSerializer(MeasureSerializer):
    composites = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the composites that include it."
    )
    facts = MeasureFactSerializer(
        many=True, help_text="Each fact the catalog holds with its own source and version."
    )
    program_memberships = ProgramMembershipSerializer(
        many=True, help_text="Each program and year that uses the measure, with its source."
    )

    class Meta(MeasureSerializer.Meta):
        fields = (*MEASURE_FIELDS, "composites", "facts", "program_memberships")
        read_only_fields = fields


class MeasureSetSerializer(ApiModelSerializer):
    url = serializers.SerializerMethodField(help_text="This measure set in the API.")
    measures_url = serializers.SerializerMethodField(help_text="Its measures in the API.")
    measure_count = serializers.IntegerField(help_text="How many measures it holds.")
    source_url = _optional_link()

    class Meta:
        model = MeasureSet
        fields = (
            "url", "code", "name", "steward", "version", "description", "source_url",
            "measure_count", "measures_url", "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.URLField)
    def get_url(self, measure_set):
        return self.context["request"].build_absolute_uri(
            reverse("api:measure-set-detail", kwargs={"code": measure_set.code})
        )

    @extend_schema_field(serializers.URLField)
    def get_measures_url(self, measure_set):
        return self.context["request"].build_absolute_uri(
            reverse("api:measure-list") + "?set=" + measure_set.code
        )


class ToolSerializer(ApiModelSerializer):
    url = serializers.SerializerMethodField(help_text="This tool in the API.")
    source_url = _optional_link()

    class Meta:
        model = Tool
        fields = (
            "url", "code", "title", "kind", "publisher", "year", "description",
            "publication_number", "source_url", "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.URLField)
    def get_url(self, tool):
        return self.context["request"].build_absolute_uri(
            reverse("api:tool-detail", kwargs={"code": tool.code})
        )


# --- adoption and incentive programs ----------------------------------------------------------


class _UserScopedFieldsMixin:
    """Related fields offer only what the requesting user may see: another coalition's id
    is refused like an id that does not exist."""

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        if "coalition" in fields and not fields["coalition"].read_only:
            fields["coalition"].queryset = coalitions_visible_to(user)
        if "incentive_program" in fields and not fields["incentive_program"].read_only:
            fields["incentive_program"].queryset = IncentiveProgram.objects.filter(
                coalition__in=coalitions_visible_to(user)
            )
        return fields


class StageChangeSerializer(ApiModelSerializer):
    class Meta:
        model = AdoptionStageChange
        fields = ("stage", "changed_on", "recorded_at")
        read_only_fields = fields


class AdoptionSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:adoption-detail")
    coalition_name = serializers.CharField(source="coalition.name", read_only=True)
    measure = serializers.CharField(source="measure.code", read_only=True,
                                    help_text="The measure's code.")
    measure_title = serializers.CharField(source="measure.title", read_only=True)

    class Meta:
        model = MeasureAdoption
        fields = (
            "id", "url", "coalition", "coalition_name", "measure", "measure_title", "use",
            "stage", "stage_since", "incentive_program", "notes", "created_at", "updated_at",
        )
        read_only_fields = fields

    def to_representation(self, adoption):
        data = super().to_representation(adoption)
        stage_on_day = getattr(adoption, "stage_on_day", None)
        if stage_on_day is not None:  # ?as_of=: the stage that day, and since when
            data["stage"] = stage_on_day
            data["stage_since"] = adoption.stage_on_day_since.isoformat()
        return data


class AdoptionDetailSerializer(AdoptionSerializer):
    stage_history = serializers.SerializerMethodField(
        help_text="Every stage the adoption went through, oldest first."
    )

    class Meta(AdoptionSerializer.Meta):
        fields = (*AdoptionSerializer.Meta.fields, "stage_history")
        read_only_fields = fields

    @extend_schema_field(StageChangeSerializer(many=True))
    def get_stage_history(self, adoption):
        return StageChangeSerializer(selectors.adoption_stage_history(adoption), many=True).data


class AdoptionCreateSerializer(_UserScopedFieldsMixin, ApiModelSerializer):
    coalition = serializers.PrimaryKeyRelatedField(queryset=Coalition.objects.none())
    measure = serializers.SlugRelatedField(
        slug_field="code", queryset=Measure.objects.all(), help_text="The measure's code."
    )
    incentive_program = serializers.PrimaryKeyRelatedField(
        queryset=IncentiveProgram.objects.none(), required=False, allow_null=True,
        help_text="One of the coalition's incentive programs, or null.",
    )
    stage_since = serializers.DateField(
        required=False, help_text="When it reached this stage; today if left out."
    )

    class Meta:
        model = MeasureAdoption
        fields = (
            "coalition", "measure", "use", "stage", "stage_since", "incentive_program", "notes"
        )
        # The rules (one adoption per coalition, measure and use...) are the service's.
        validators = []


class AdoptionUpdateSerializer(_UserScopedFieldsMixin, ApiModelSerializer):
    stage = serializers.ChoiceField(choices=MeasureAdoption.Stage.choices, required=False)
    changed_on = serializers.DateField(
        required=False, help_text="When the stage changed; today if left out."
    )
    incentive_program = serializers.PrimaryKeyRelatedField(
        queryset=IncentiveProgram.objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = MeasureAdoption
        fields = ("stage", "changed_on", "incentive_program", "notes")
        extra_kwargs = {"notes": {"required": False}}


class IncentiveProgramSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:incentive-program-detail")
    coalition_name = serializers.CharField(source="coalition.name", read_only=True)
    measures = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Codes of its measures."
    )

    class Meta:
        model = IncentiveProgram
        fields = (
            "id", "url", "coalition", "coalition_name", "name", "kind", "status",
            "launch_date", "measures", "providers", "purchasers", "created_at", "updated_at",
        )
        read_only_fields = fields


class IncentiveProgramWriteSerializer(_UserScopedFieldsMixin, ApiModelSerializer):
    coalition = serializers.PrimaryKeyRelatedField(queryset=Coalition.objects.none())
    measures = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Measure.objects.all(), required=False,
        help_text="Codes of the measures it pays or reports on.",
    )

    class Meta:
        model = IncentiveProgram
        fields = (
            "coalition", "name", "kind", "status", "launch_date", "measures", "providers",
            "purchasers",
        )
        validators = []  # the name's uniqueness in its coalition is the service's rule


class IncentiveProgramUpdateSerializer(IncentiveProgramWriteSerializer):
    coalition = None  # a program stays with its coalition

    class Meta(IncentiveProgramWriteSerializer.Meta):
        fields = tuple(f for f in IncentiveProgramWriteSerializer.Meta.fields if f != "coalition")
        extra_kwargs = {name: {"required": False} for name in ("name", "kind")}
