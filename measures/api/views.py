"""The REST API of the measure catalog and of coalitions' adoption records.

Views are interfaces: reads come from ``measures.selectors`` (and ``.selectors`` here),
every write goes through ``measures.services``, and who may do what is
``measures.permissions``. The catalog is public and cached by its version
(``core.api.caching``); adoption and incentive-program records need a token or a session and
are scoped to the user, so another coalition's id answers 404.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.caching import ContentETagMixin, absolute_url
from core.api.filters import FilterBackend
from core.api.pagination import KeysetPagination
from core.api.renderers import CSVRenderer, ORJSONRenderer
from core.api.schema import CONDITIONAL, NOT_MODIFIED, errors, format_parameter, list_ok
from core.api.views import JSONErrorsMixin, KeysetListMixin, PublicDetailView, PublicListView
from measures import selectors, services
from measures.permissions import can_manage_adoption

from . import serializers
from .filters import (
    AdoptionFilter,
    IncentiveProgramFilter,
    MeasureFilter,
    ToolFilter,
)
from .selectors import (
    UPDATED_AT_TEXT,
    measure_row_get,
    measure_rows,
    measure_values,
)


def _code(code):
    """A code from the path; one with a NUL cannot exist (and PostgreSQL refuses to look)."""
    if "\x00" in code:
        raise Http404
    return code


class CatalogVersionMixin:
    """The catalog's answers move with its version: any committed change to a measure set,
    measure or tool moves every catalog ETag and cache key."""

    def version(self):
        return selectors.catalog_version()


class CatalogDetailView(CatalogVersionMixin, PublicDetailView):
    """A public read of one catalog record; the throttles still apply."""


class CatalogListView(CatalogVersionMixin, PublicListView):
    """A public list of the catalog, in JSON pages or CSV."""


# --- the catalog ---------------------------------------------------------------------------


class MeasurePagination(KeysetPagination):
    orderings = {
        "code": ("code",),
        "title": ("title", "code"),
        "set": ("set", "code"),
        "type": ("type", "code"),
        "level": ("level", "code"),
        "status": ("status", "code"),
        "updated_at": ("updated_at", "code"),
    }
    row_keys = {"updated_at": UPDATED_AT_TEXT}
    default_ordering = "code"


@extend_schema_view(get=extend_schema(
    summary="List measures",
    description="The catalog's measures: filter, search, order, page with a cursor; "
    "`?format=csv` for a spreadsheet. Public, cached, and answered with an ETag.",
    parameters=[format_parameter("json", "csv"), *CONDITIONAL],
    responses={**list_ok(serializers.MeasureSerializer), **NOT_MODIFIED,
               **errors(400, 401, 429)},
))
class MeasureListView(CatalogListView):
    serializer_class = serializers.MeasureSerializer
    filterset_class = MeasureFilter
    pagination_class = MeasurePagination
    csv_filename = "measures.csv"
    csv_fields = serializers.MEASURE_FIELDS

    def get_queryset(self):
        return measure_values()

    def rows(self, objects):
        # Rows straight from .values(): no model instance or serializer per measure.
        return measure_rows(objects, detail_url=absolute_url(self.request).partition("?")[0],
                            version=self.request_version(self.request))


@extend_schema_view(get=extend_schema(
    summary="One measure",
    description="A measure by its code (`PQI%2001`) or its slug (`pqi-01`).",
    parameters=[*CONDITIONAL],
    responses={200: serializers.MeasureDetailSerializer, **NOT_MODIFIED,
               **errors(401, 404, 429)},
))
class MeasureDetailView(CatalogDetailView):
    serializer_class = serializers.MeasureDetailSerializer

    def retrieve(self, request, code):
        row = measure_row_get(
            _code(code), version=self.request_version(request),
            detail_url=request.build_absolute_uri(reverse("api:measure-list")),
        )
        if row is None:
            raise Http404
        return Response(row)


class MeasureSetPagination(KeysetPagination):
    orderings = {"code": ("code",), "name": ("name", "code")}
    default_ordering = "code"


@extend_schema_view(get=extend_schema(
    summary="List measure sets",
    description="The families of measures (AHRQ QI modules, CAHPS, HEDIS...), with how many "
    "measures each holds.",
    parameters=[format_parameter("json", "csv"), *CONDITIONAL],
    responses={**list_ok(serializers.MeasureSetSerializer), **NOT_MODIFIED,
               **errors(400, 401, 429)},
))
class MeasureSetListView(CatalogListView):
    serializer_class = serializers.MeasureSetSerializer
    pagination_class = MeasureSetPagination
    filter_backends = []
    csv_filename = "measure-sets.csv"

    def get_queryset(self):
        return selectors.measure_set_list()


@extend_schema_view(get=extend_schema(
    summary="One measure set",
    parameters=[*CONDITIONAL],
    responses={200: serializers.MeasureSetSerializer, **NOT_MODIFIED,
               **errors(401, 404, 429)},
))
class MeasureSetDetailView(CatalogDetailView):
    serializer_class = serializers.MeasureSetSerializer

    def retrieve(self, request, code):
        measure_set = get_object_or_404(selectors.measure_set_list(), code=_code(code))
        return Response(self.get_serializer(measure_set).data)


class ToolPagination(KeysetPagination):
    orderings = {"title": ("title", "code"), "code": ("code",)}
    default_ordering = "title"


@extend_schema_view(get=extend_schema(
    summary="List tools",
    description="The guides, reports and toolkits the program offers purchasers.",
    parameters=[format_parameter("json", "csv"), *CONDITIONAL],
    responses={**list_ok(serializers.ToolSerializer), **NOT_MODIFIED,
               **errors(400, 401, 429)},
))
class ToolListView(CatalogListView):
    serializer_class = serializers.ToolSerializer
    filterset_class = ToolFilter
    pagination_class = ToolPagination
    csv_filename = "tools.csv"

    def get_queryset(self):
        return selectors.tool_list()


@extend_schema_view(get=extend_schema(
    summary="One tool",
    parameters=[*CONDITIONAL],
    responses={200: serializers.ToolSerializer, **NOT_MODIFIED, **errors(401, 404, 429)},
))
class ToolDetailView(CatalogDetailView):
    serializer_class = serializers.ToolSerializer

    def retrieve(self, request, code):
        tool = get_object_or_404(selectors.tool_list(), code=_code(code))
        return Response(self.get_serializer(tool).data)


# --- adoption and incentive programs -------------------------------------------------------


def _require_manage(user, coalition):
    if not can_manage_adoption(user, coalition):
        raise PermissionDenied(
            f"Only program staff and the leads of {coalition.name} change its records."
        )


class RecordsListView(
    JSONErrorsMixin, ContentETagMixin, KeysetListMixin, generics.ListCreateAPIView
):
    """A coalition-scoped list: a token or a session, and only what the user may see."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer, CSVRenderer]
    filter_backends = [FilterBackend]
    # What a POST takes (shape only), and what the 201 answers with.
    write_serializer_class = None
    created_serializer_class = None

    def create_record(self, *, coalition, actor, **fields):
        """Call the service that records one row for ``coalition``."""
        raise NotImplementedError

    def get_record(self, pk):
        """The row just written, read back as the user may see it."""
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.write_serializer_class(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        coalition = fields.pop("coalition")
        _require_manage(request.user, coalition)
        record = self.create_record(coalition=coalition, actor=request.user, **fields)
        body = self.created_serializer_class(
            self.get_record(record.pk), context=self.get_serializer_context()
        ).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class RecordDetailView(JSONErrorsMixin, ContentETagMixin, generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer]

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def reread(self):
        """The answer to a write: the record as a fresh read shows it."""
        return self.get_serializer(self.get_object()).data


class AdoptionPagination(KeysetPagination):
    orderings = {
        "coalition": ("coalition__name", "measure__code", "use", "id"),
        "measure": ("measure__code", "coalition__name", "use", "id"),
        "updated_at": ("updated_at", "id"),
    }
    default_ordering = "coalition"


_WRITE_ERRORS = errors(400, 401, 403, 429)


@extend_schema_view(
    get=extend_schema(
        summary="List adoptions",
        description="Which measures coalitions use, for what and at what stage: all of them "
        "for program staff and evaluators, their own coalition's for its members. "
        "`?as_of=` gives each as it stood on that day.",
        parameters=[format_parameter("json", "csv"), *CONDITIONAL],
        responses={**list_ok(serializers.AdoptionSerializer), **NOT_MODIFIED,
                   **errors(400, 401, 429)},
    ),
    post=extend_schema(
        summary="Record an adoption",
        description="Program staff, and the leads of the coalition. One adoption per "
        "coalition, measure and use; a later stage is a change of the existing one.",
        request=serializers.AdoptionCreateSerializer,
        responses={201: serializers.AdoptionDetailSerializer, **_WRITE_ERRORS},
    ),
)
class AdoptionListView(RecordsListView):
    serializer_class = serializers.AdoptionSerializer
    write_serializer_class = serializers.AdoptionCreateSerializer
    created_serializer_class = serializers.AdoptionDetailSerializer
    filterset_class = AdoptionFilter
    pagination_class = AdoptionPagination
    csv_filename = "adoptions.csv"

    def get_queryset(self):
        try:
            day = forms.DateField(required=False).clean(self.request.query_params.get("as_of"))
        except ValidationError:
            day = None  # the filter set answers 400 naming as_of
        if day is None:
            return selectors.adoption_list(user=self.request.user)
        return selectors.adoptions_as_of(day, user=self.request.user)

    def create_record(self, **fields):
        return services.adoption_create(**fields)

    def get_record(self, pk):
        return selectors.adoption_get_for(self.request.user, pk)


@extend_schema_view(
    get=extend_schema(
        summary="One adoption, with its stage history",
        parameters=[*CONDITIONAL],
        responses={200: serializers.AdoptionDetailSerializer, **NOT_MODIFIED,
                   **errors(401, 404, 429)},
    ),
    patch=extend_schema(
        summary="Change an adoption's stage, program or notes",
        description="A new stage is kept in the history with the day it changed "
        "(`changed_on`, today if left out; not before the current stage began).",
        request=serializers.AdoptionUpdateSerializer,
        responses={200: serializers.AdoptionDetailSerializer, **_WRITE_ERRORS,
                   **errors(404)},
    ),
    delete=extend_schema(
        summary="Remove an adoption",
        description="The record is archived: it leaves the lists, and its stage history "
        "still answers `as_of` a day before the removal.",
        responses={204: OpenApiResponse(None, "Removed (archived)."),
                   **errors(401, 403, 404, 429)},
    ),
)
class AdoptionDetailView(RecordDetailView):
    serializer_class = serializers.AdoptionDetailSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self):
        return selectors.adoption_get_for(self.request.user, self.kwargs["pk"])

    def patch(self, request, pk):
        adoption = self.get_object()
        _require_manage(request.user, adoption.coalition)
        serializer = serializers.AdoptionUpdateSerializer(
            adoption, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        services.adoption_update(
            adoption=adoption, actor=request.user, **serializer.validated_data
        )
        return Response(self.reread())

    def delete(self, request, pk):
        adoption = self.get_object()
        _require_manage(request.user, adoption.coalition)
        services.adoption_archive(adoption=adoption, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IncentiveProgramPagination(KeysetPagination):
    orderings = {
        "coalition": ("coalition__name", "name", "id"),
        "name": ("name", "id"),
        "updated_at": ("updated_at", "id"),
    }
    default_ordering = "coalition"


@extend_schema_view(
    get=extend_schema(
        summary="List incentive programs",
        description="The pay-for-performance programs, report cards and other incentives "
        "coalitions run, scoped like adoptions.",
        parameters=[format_parameter("json", "csv"), *CONDITIONAL],
        responses={**list_ok(serializers.IncentiveProgramSerializer), **NOT_MODIFIED,
                   **errors(400, 401, 429)},
    ),
    post=extend_schema(
        summary="Record an incentive program",
        description="Program staff, and the leads of the coalition. An active program needs "
        "its launch date; names are unique within a coalition.",
        request=serializers.IncentiveProgramWriteSerializer,
        responses={201: serializers.IncentiveProgramSerializer, **_WRITE_ERRORS},
    ),
)
class IncentiveProgramListView(RecordsListView):
    serializer_class = serializers.IncentiveProgramSerializer
    write_serializer_class = serializers.IncentiveProgramWriteSerializer
    created_serializer_class = serializers.IncentiveProgramSerializer
    filterset_class = IncentiveProgramFilter
    pagination_class = IncentiveProgramPagination
    csv_filename = "incentive-programs.csv"

    def get_queryset(self):
        return selectors.incentive_program_list(user=self.request.user)

    def create_record(self, **fields):
        return services.incentive_program_create(**fields)

    def get_record(self, pk):
        return selectors.incentive_program_get_for(self.request.user, pk)


@extend_schema_view(
    get=extend_schema(
        summary="One incentive program",
        parameters=[*CONDITIONAL],
        responses={200: serializers.IncentiveProgramSerializer, **NOT_MODIFIED,
                   **errors(401, 404, 429)},
    ),
    patch=extend_schema(
        summary="Change an incentive program",
        request=serializers.IncentiveProgramUpdateSerializer,
        responses={200: serializers.IncentiveProgramSerializer, **_WRITE_ERRORS,
                   **errors(404)},
    ),
)
class IncentiveProgramDetailView(RecordDetailView):
    serializer_class = serializers.IncentiveProgramSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.incentive_program_get_for(self.request.user, self.kwargs["pk"])

    def patch(self, request, pk):
        program = self.get_object()
        _require_manage(request.user, program.coalition)
        serializer = serializers.IncentiveProgramUpdateSerializer(
            program, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        services.incentive_program_update(
            program=program, actor=request.user, measures=fields.pop("measures", None),
            **fields,
        )
        return Response(self.reread())
