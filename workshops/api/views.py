"""The REST API of events and registrations.

Views are interfaces: reads come from ``workshops.selectors`` (and ``.selectors`` here, which
add the caller's join-link right and waiting places to the same query), every write goes
through ``workshops.services`` (so the capacity, eligibility, duplicate and per-coalition
rules, and their messages, are the pages' own), and who may do what is
``workshops.permissions``.

Caching: an event shows ``seats_left``, which changes with every registration and also with
the clock alone (an offer or a pending approval stops holding its seat the moment it expires,
before any write records it), and ``join_url``, which depends on the caller. So an answer's
ETag is a hash of the answer itself (``ContentETagMixin``): always exact, 304 when nothing the
caller sees changed, and nothing stored server-side. Anonymous answers (never a join link) are
``public, no-cache`` (a shared cache may keep them but must revalidate); a signed-in caller's
are ``private, no-cache``; both vary on ``Authorization`` and ``Cookie``.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from coalitions.models import Coalition
from core.api.caching import ContentETagMixin
from core.api.filters import FilterBackend
from core.api.pagination import KeysetPagination
from core.api.renderers import ORJSONRenderer
from core.api.schema import CONDITIONAL, NOT_MODIFIED, errors
from core.api.serializers import ErrorSerializer
from core.api.views import JSONErrorsMixin, KeysetListMixin
from workshops import permissions, selectors, services

from . import selectors as api_selectors
from . import serializers
from .filters import EventFilter


class RegistrationBusy(APIException):
    """The event's lock was not free in time (``services.RegistrationBusy``)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = services.RegistrationBusy.MESSAGE
    default_code = "busy"
    wait = 2  # seconds; DRF's handler sends it as Retry-After


def _call(service, **kwargs):
    """Call a workshops service; its busy lock becomes a 503 with Retry-After (its other
    refusals are ValidationErrors, answered 400 by the API's one handler)."""
    try:
        return service(**kwargs)
    except services.RegistrationBusy as error:
        raise RegistrationBusy(" ".join(error.messages)) from error


class EventsETagMixin(ContentETagMixin):
    """A content ETag; public (but revalidated) for anonymous callers, private otherwise."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.has_header("ETag") and not request.user.is_authenticated:
            response["Cache-Control"] = "public, no-cache"
        return response


class EventPagination(KeysetPagination):
    orderings = {"start": ("start", "id"), "title": ("title", "id")}
    default_ordering = "start"


class RegistrationPagination(KeysetPagination):
    orderings = {"queued_at": ("queued_at", "id"), "name": ("name", "id")}
    default_ordering = "queued_at"


_READ_ERRORS = errors(400, 401, 429)
_WRITE_ERRORS = {
    **errors(400, 401, 403, 404, 429),
    (503, "application/json"): OpenApiResponse(
        ErrorSerializer,
        "Many people are registering for the event at once: try again after `Retry-After` "
        "seconds.",
    ),
}


@extend_schema_view(
    get=extend_schema(
        summary="List events",
        description="Workshops, web conferences, local workshops, peer-assist sessions, "
        "presentations and briefings: published, cancelled and completed ones for anyone, "
        "drafts too for program staff and evaluators. `seats_left` is counted now; "
        "`join_url` is there only for staff and for a caller with a confirmed registration "
        "(matched by the token's or session's e-mail address).",
        parameters=[*CONDITIONAL],
        responses={200: serializers.EventSerializer(many=True), **NOT_MODIFIED,
                   **_READ_ERRORS},
    ),
    post=extend_schema(
        summary="Create an event",
        description="Program staff. `status` may be `published` at once (default `draft`).",
        request=serializers.EventCreateSerializer,
        responses={201: serializers.EventSerializer, **errors(400, 401, 403, 429)},
    ),
)
class EventListView(JSONErrorsMixin, EventsETagMixin, KeysetListMixin,
                    generics.ListCreateAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    renderer_classes = [ORJSONRenderer]
    serializer_class = serializers.EventSerializer
    filter_backends = [FilterBackend]
    filterset_class = EventFilter
    pagination_class = EventPagination

    def get_queryset(self):
        return api_selectors.event_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        if not permissions.can_manage_events(request.user):
            raise PermissionDenied("Only program staff create events.")
        serializer = serializers.EventCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        event = services.event_create(actor=request.user, **serializer.validated_data)
        body = self.get_serializer(api_selectors.event_get_for(request.user, event.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={
            "Location": request.build_absolute_uri(
                reverse("api:event-detail", kwargs={"pk": event.pk})
            ),
        })


@extend_schema_view(get=extend_schema(
    summary="One event",
    description="A draft is 404 except to program staff and evaluators.",
    parameters=[*CONDITIONAL],
    responses={200: serializers.EventSerializer, **NOT_MODIFIED, **errors(401, 404, 429)},
))
class EventDetailView(JSONErrorsMixin, EventsETagMixin, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]
    serializer_class = serializers.EventSerializer

    def get_object(self):
        return api_selectors.event_get_for(self.request.user, self.kwargs["pk"])


class EventRegistrationsMixin:
    permission_classes = [IsAuthenticated]
    renderer_classes = [ORJSONRenderer]

    @property
    def event(self):
        if not hasattr(self, "_event"):
            # A draft is 404 to those who may not see it, as on the pages.
            self._event = selectors.event_get_for(self.request.user, self.kwargs["pk"])
        return self._event


@extend_schema_view(
    get=extend_schema(
        summary="List an event's registrations",
        description="Program staff and evaluators see every registration; a coalition's "
        "lead or member sees their coalition's. `position` is the place on the waiting "
        "list among all who wait.",
        parameters=[*CONDITIONAL],
        responses={200: serializers.RegistrationSerializer(many=True), **NOT_MODIFIED,
                   **errors(400, 401, 404, 429)},
    ),
    post=extend_schema(
        summary="Register someone",
        description="A coalition's lead registers themself or colleagues for their "
        "coalition; a member registers themself; program staff register anyone for any "
        "coalition (`coalition` required). The answer's `status` says whether the person "
        "has a seat (`confirmed`), awaits approval (`pending_approval`) or waits "
        "(`waiting`, with `position`). Refusals "
        "(closed, cancelled or draft event, e-mail already registered, per-coalition "
        "limit, ineligible coalition, full without a waiting list) are 400 with the "
        "pages' own message under the field concerned.",
        request=serializers.RegistrationCreateSerializer,
        responses={201: serializers.RegistrationSerializer, **_WRITE_ERRORS},
    ),
)
class RegistrationListView(JSONErrorsMixin, ContentETagMixin, EventRegistrationsMixin,
                           KeysetListMixin, generics.ListCreateAPIView):
    serializer_class = serializers.RegistrationSerializer
    pagination_class = RegistrationPagination
    filter_backends = []

    def get_queryset(self):
        return api_selectors.registration_list(user=self.request.user, event=self.event)

    def create(self, request, *args, **kwargs):
        event = selectors.event_to_register_for(request.user, self.kwargs["pk"])
        serializer = serializers.RegistrationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        coalition = self._coalition(request.user, data.get("coalition"), data["email"])
        registration = _call(
            services.registration_create, event=event, coalition=coalition,
            email=data["email"], name=data["name"], actor=request.user,
        )
        # The registration as the service left it, and its waiting place once committed.
        registration.position = api_selectors.waiting_place_of(registration)
        body = self.get_serializer(registration).data
        return Response(body, status=status.HTTP_201_CREATED, headers={
            "Location": request.build_absolute_uri(reverse(
                "api:event-registration-detail", kwargs={"pk": event.pk, "rid": registration.pk}
            )),
        })

    @staticmethod
    def _coalition(user, given, email):
        """Whom the registration is for: staff name a coalition; a lead or member registers
        for their own (the default), never another (400 naming ``coalition``, the same for
        an id that exists and one that does not)."""
        if permissions.can_manage_events(user):
            if given is None:
                raise ValidationError({"coalition": ["Give the id of the coalition the "
                                                     "person registers for."]})
            coalition = Coalition.objects.filter(pk=given).first()
            if coalition is None:
                raise ValidationError({"coalition": [f"No coalition has the id {given}."]})
            return coalition
        own = selectors.coalition_for(user)
        if own is None:
            raise PermissionDenied("Only program staff and coalition members register people.")
        if given is not None and given != own.pk:
            raise ValidationError({"coalition": [
                f"You register people for your own coalition only ({own.name}, id {own.pk})."
            ]})
        if not permissions.can_register_for(user, own) and (
            email.lower() != user.email.lower()
        ):
            raise PermissionDenied("A coalition member registers themself only; your "
                                   "coalition's lead registers colleagues.")
        return own


@extend_schema_view(
    get=extend_schema(
        summary="One registration",
        parameters=[*CONDITIONAL],
        responses={200: serializers.RegistrationSerializer, **NOT_MODIFIED,
                   **errors(401, 404, 429)},
    ),
    delete=extend_schema(
        summary="Cancel a registration",
        description="Program staff, the coalition's lead, or the person themself. A freed "
        "seat goes to the first person waiting at once (or is offered to them, as the event "
        "says). An already cancelled registration is 400; another coalition's is 404.",
        responses={204: OpenApiResponse(None, "Cancelled."), **_WRITE_ERRORS},
    ),
)
class RegistrationDetailView(JSONErrorsMixin, ContentETagMixin, EventRegistrationsMixin,
                             generics.GenericAPIView):
    serializer_class = serializers.RegistrationSerializer
    http_method_names = ["get", "delete", "head", "options"]

    def get_object(self):
        return api_selectors.registration_get_for(
            self.request.user, self.event, self.kwargs["rid"]
        )

    def get(self, request, pk, rid):
        return Response(self.get_serializer(self.get_object()).data)

    def delete(self, request, pk, rid):
        registration = self.get_object()
        if not permissions.can_change_registration(request.user, registration):
            raise PermissionDenied("Only program staff, the coalition's lead or the person "
                                   "themself cancel a registration.")
        _call(services.registration_cancel, registration=registration, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
