"""The benchmarks' baselines: the least a Django view can do to answer the measure list's
first page (``python -m bench``) or to take a registration (``python -m bench
registrations``), and the registrations API's floor."""

import json

from django.db.models import F
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.renderers import json_dumps
from measures.api.selectors import MEASURE_VALUE_FIELDS
from measures.models import Measure


def measures_bare(request):
    """The same 100 rows as ``/api/v1/measures/?page_size=100``, straight from ``.values()``
    and the API's JSON encoder: no DRF, filters, pagination, ETag or cache."""
    rows = list(
        Measure.objects.order_by("code").values(
            "id", *MEASURE_VALUE_FIELDS, set=F("measure_set__code")
        )[:100]
    )
    return HttpResponse(json_dumps(rows), content_type="application/json")


@csrf_exempt
def signup_bare(request):
    """The registration baseline: read a JSON body, insert one row, answer 201 in JSON. No
    DRF, authentication, throttle, lock or rule."""
    if request.method != "POST":
        return HttpResponse(status=405)
    from .models import BareSignup  # only with bench.settings, where the app is installed

    body = json.loads(request.body)
    row = BareSignup.objects.create(email=body["email"], name=body["name"])
    return HttpResponse(json_dumps({"id": row.pk, "email": row.email, "name": row.name}),
                        status=201, content_type="application/json")


class SignupFloor(APIView):
    """The registrations API's floor: what every request to ``/api/v1/`` pays before its view
    does anything (the bearer token's look-up, the throttle's count, JSON in and out, DRF's
    error handling), then 201 with the body's address and name. It writes nothing, so no
    API view that registers someone can be faster."""

    def post(self, request):
        data = request.data
        return Response({"email": data.get("email"), "name": data.get("name")},
                        status=status.HTTP_201_CREATED)
