"""The baseline: the least a Django view can do to answer the measure list's first page."""

from django.db.models import F
from django.http import HttpResponse

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
