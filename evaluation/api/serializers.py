"""Shapes of the evaluation API. They check the shape of input only: the rules (a period,
a kind the program cannot have yet, who may ask for names) are ``evaluation.services``'."""

from django.urls import reverse
from rest_framework import serializers

from coalitions.models import Coalition, Program
from core.api.serializers import UTCDateTimeField

from ..models import Report

FILES = ("html", "pdf", "xlsx")


class ReportRequestSerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(
        slug_field="code", queryset=Program.objects.all(), help_text="The program's code.")
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    coalition = serializers.PrimaryKeyRelatedField(
        queryset=Coalition.objects.all(), required=False, allow_null=True,
        help_text="A coalition's id, for a report about it alone.")
    include_names = serializers.BooleanField(
        default=False, help_text="Staff only: an appendix naming people.")
    allow_early_formal = serializers.BooleanField(
        default=False, help_text="Staff only: the formal analysis before the program ends.")


class ReportSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="This report in the API.")
    page = serializers.SerializerMethodField(help_text="This report's page in the portal.")
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    coalition = serializers.PrimaryKeyRelatedField(read_only=True)
    error = serializers.SerializerMethodField(help_text="Why it failed (only when failed).")
    files = serializers.SerializerMethodField(
        help_text="Once it succeeded: its HTML, PDF and XLSX, each behind the same "
                  "authorisation (token or session) as the report.")
    created_at = UTCDateTimeField(read_only=True)
    finished_at = UTCDateTimeField(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "url", "page", "program", "kind", "period_start", "period_end",
                  "coalition", "status", "progress", "step", "error", "files",
                  "shared_with_coalition", "scheduled", "created_at", "finished_at"]

    def _absolute(self, path):
        return self.context["request"].build_absolute_uri(path)

    def get_url(self, report) -> str:
        return self._absolute(reverse("api:report-detail", args=[report.pk]))

    def get_page(self, report) -> str:
        return self._absolute(report.get_absolute_url())

    def get_error(self, report) -> str | None:
        return report.error if report.status == Report.Status.FAILED else None

    def get_files(self, report) -> dict[str, str] | None:
        if report.status != Report.Status.SUCCEEDED:
            return None
        return {fmt: self._absolute(reverse("api:report-file", args=[report.pk, fmt]))
                for fmt in FILES}


class IndicatorQuerySerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(
        slug_field="code", queryset=Program.objects.all(), required=False,
        help_text="A program's code: with it, each indicator's values.")
    period_start = serializers.DateField(required=False,
                                         help_text="The program's start unless given.")
    period_end = serializers.DateField(required=False, help_text="Today (or the program's "
                                                                 "end) unless given.")

    def validate(self, data):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"period_end": "The period cannot end before it starts."})
        return data


class IndicatorValuesSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="Null: no data.")
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    breakdown = serializers.DictField(child=serializers.FloatField(allow_null=True))


class IndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.ChoiceField(choices=[("process", "Process"), ("outcome", "Outcome")])
    question = serializers.IntegerField(allow_null=True)
    question_text = serializers.CharField()
    unit = serializers.CharField()
    numerator = serializers.CharField(help_text="What a rate counts (empty for a count).")
    denominator = serializers.CharField(help_text="What a rate divides by.")
    factor = serializers.IntegerField()
    values = IndicatorValuesSerializer(
        allow_null=True, help_text="With `program`: the values over the period.")


class IndicatorListSerializer(serializers.Serializer):
    program = serializers.CharField(allow_null=True)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    results = IndicatorSerializer(many=True)
