"""The evaluation's REST API: reports (request, follow, list) and indicators.

Views are interfaces: a request goes to ``evaluation.services.report_request`` (its refusals
are 400s naming the field), reads come from ``evaluation.selectors`` scoped to the caller (a
report the caller may not see is 404), and who may do what is ``evaluation.permissions``.
"""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, renderers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import KeysetPagination
from core.api.renderers import ORJSONRenderer
from core.api.schema import errors
from core.api.views import JSONErrorsMixin, KeysetListMixin

from .. import indicators, permissions, selectors, services
from ..models import Report
from . import serializers


class ReportPagination(KeysetPagination):
    orderings = {"created_at": ("created_at", "id")}
    default_ordering = "-created_at"


@extend_schema_view(
    get=extend_schema(
        summary="List reports",
        description="Every report for program staff and evaluators; for a coalition's lead, "
        "the reports about that coalition that staff shared; for anyone else, none.",
        responses={200: serializers.ReportSerializer(many=True), **errors(400, 401, 429)},
    ),
    post=extend_schema(
        summary="Request a report",
        description="Program staff and evaluators. Answers 202: the report is compiled in the "
        "background; follow `url` until `status` is `succeeded` (then `files`) or `failed` "
        "(then `error`). The same program, kind, period and coalition asked again while one "
        "is queued or running answers that one.",
        request=serializers.ReportRequestSerializer,
        responses={202: serializers.ReportSerializer, **errors(400, 401, 403, 429)},
    ),
)
class ReportListView(JSONErrorsMixin, KeysetListMixin, generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer]
    serializer_class = serializers.ReportSerializer
    pagination_class = ReportPagination

    def get_queryset(self):
        return selectors.report_list(self.request.user)

    def create(self, request, *args, **kwargs):
        if not permissions.can_request_reports(request.user):
            raise PermissionDenied("Only program staff and evaluators request reports.")
        serializer = serializers.ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, _ = services.report_request(actor=request.user, **serializer.validated_data)
        body = self.get_serializer(selectors.report_get_for(request.user, report.pk)).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


@extend_schema_view(get=extend_schema(
    summary="One report: its status, progress and files",
    responses={200: serializers.ReportSerializer, **errors(401, 404, 429)},
))
class ReportDetailView(JSONErrorsMixin, generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer]
    serializer_class = serializers.ReportSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(selectors.report_get_for(request.user, pk)).data)


class FileRenderer(renderers.BaseRenderer):
    """Lets a request for a file accept anything; the file itself is a FileResponse."""

    media_type = "*/*"
    format = "file"


FILE_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@extend_schema_view(get=extend_schema(
    summary="One of a report's files",
    description="The HTML, PDF or XLSX of a report that succeeded, with the same token or "
    "session and the same scope as the report (anything else is 404).",
    responses={**{(200, media): OpenApiResponse(OpenApiTypes.BINARY, f"The {fmt} file.")
                  for fmt, media in FILE_TYPES.items()}, **errors(400, 401, 404, 429)},
))
class ReportFileView(JSONErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer, FileRenderer]

    def get(self, request, pk, fmt):
        report = selectors.report_get_for(request.user, pk)
        field = {"html": "html_file", "pdf": "pdf_file", "xlsx": "xlsx_file"}.get(fmt)
        stored = getattr(report, field) if field else None
        if report.status != Report.Status.SUCCEEDED or not stored:
            raise Http404
        name = f"{report.kind}-report-{report.program.code}-{report.period_start}-" \
               f"{report.period_end}.{fmt}"
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name,
                            content_type=FILE_TYPES[fmt])


class IndicatorListView(JSONErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(
        summary="List the indicators, and their values for a program",
        description="Program staff and evaluators. Each indicator's definition; with "
        "`program` (and optionally `period_start`, `period_end`: the program's start to "
        "today by default), its value, baseline and target over the period. A rate whose "
        "denominator is empty has no data (null).",
        parameters=[serializers.IndicatorQuerySerializer],
        responses={200: serializers.IndicatorListSerializer, **errors(400, 401, 403, 429)},
    )
    def get(self, request):
        if not permissions.can_view_indicators(request.user):
            raise PermissionDenied("Only program staff and evaluators read the indicators.")
        query = serializers.IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        program = query.validated_data.get("program")
        start = end = None
        values = {}
        if program is not None:
            start, end = selectors.default_period(program)
            start = query.validated_data.get("period_start", start)
            end = query.validated_data.get("period_end", end)
            if end < start:
                raise services.EvaluationError(
                    {"period_end": "The period cannot end before it starts."})
            values = {row["key"]: row for row in selectors.indicator_values(program, start, end)}
        results = []
        for indicator in indicators.REGISTRY.values():
            row = values.get(indicator.key)
            results.append({
                "key": indicator.key, "name": indicator.name,
                "definition": indicator.definition, "kind": indicator.kind,
                "question": indicator.question, "question_text": indicator.question_text,
                "unit": indicator.unit, "numerator": indicator.numerator,
                "denominator": indicator.denominator, "factor": indicator.factor,
                "values": None if row is None else {
                    name: row[name] for name in ("value", "baseline", "target", "numerator",
                                                 "denominator", "breakdown")},
            })
        return Response({"program": program.code if program else None,
                         "period_start": start, "period_end": end, "results": results})
