"""Views and view parts every app's API builds on: the list in JSON pages or CSV, errors in
JSON, public reads with ETags and the cache, the API's root and its 404."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .caching import VersionedCacheMixin
from .filters import FilterBackend
from .renderers import CSVRenderer, ORJSONRenderer, json_dumps
from .schema import errors


@csrf_exempt  # nothing here to protect: every method gets the same 404
def not_found(request, *args, **kwargs):
    """An address under the API that names nothing: a 404 a client can read."""
    return HttpResponse(
        json_dumps({"detail": "Not found."}), status=404, content_type="application/json"
    )


class KeysetListMixin:
    """A list: JSON in pages (``core.api.pagination``), or CSV with every matching row."""

    csv_filename = "export.csv"

    @property
    def csv_fields(self):
        return list(self.get_serializer().fields)

    def rows(self, objects):
        return self.get_serializer(objects, many=True).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == CSVRenderer.format:
            rows = self.rows(list(self.paginator.order(queryset, request)))
            return Response(
                rows, headers={"Content-Disposition": f'attachment; filename="{self.csv_filename}"'}
            )
        page = self.paginate_queryset(queryset)
        return Response(self.paginator.get_paginated_data(self.rows(page)))


class JSONErrorsMixin:
    """Errors are answered in JSON, even to a request for CSV."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and renderer.format != "json":
            request.accepted_renderer = ORJSONRenderer()
            request.accepted_media_type = ORJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class RetrieveMixin:
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


class PublicDetailView(JSONErrorsMixin, VersionedCacheMixin, RetrieveMixin,
                       generics.GenericAPIView):
    """A public read of one record, cached by its ``version()``; the throttles still apply."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]
    pagination_class = None


class PublicListView(JSONErrorsMixin, VersionedCacheMixin, KeysetListMixin,
                     generics.ListAPIView):
    """A public list in JSON pages or CSV, cached by its ``version()``."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer, CSVRenderer]
    filter_backends = [FilterBackend]


class ApiRootView(APIView):
    """``GET /api/v1/``: each resource's name and its absolute URL, so that a client finds
    them from the root. ``resources`` maps a name to a URL name (``api:measure-list``)."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]
    resources = {}

    @extend_schema(
        summary="The API's resources",
        description="Each resource's name and the absolute URL of its list.",
        responses={
            200: OpenApiResponse(
                {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
                "Name: URL.",
            ),
            **errors(401, 429),
        },
    )
    def get(self, request):
        return Response({
            name: request.build_absolute_uri(reverse(url_name))
            for name, url_name in self.resources.items()
        })
