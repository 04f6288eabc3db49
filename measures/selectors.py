"""Reads of the catalog and of coalitions' adoption records."""

import time

import django_filters
from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from coalitions.models import Coalition
from core.forms import Form
from core.versions import version_read

from .models import (
    AdoptionStageChange,
    IncentiveProgram,
    Measure,
    MeasureAdoption,
    MeasureSet,
    Tool,
)
from .permissions import adoption_coalitions_for, can_see_adopters

# The name of the catalog's version (core.versions).
CATALOG_VERSION = "measures.catalog"

_version_memo = {"value": None, "read_at": 0.0}


def catalog_version():
    """A short string that changes with every committed change to the catalog (measure
    sets, measures, their components, facts and programs, tools): the key of the API's
    ETags and of its response cache. ``services.catalog_changed()`` moves it, in the
    transaction of the change.

    Read from the database (one query) at most once every ``CATALOG_VERSION_SECONDS`` per
    process; a change made in this process forgets it at once (``catalog_version_forget``),
    and another process's change is seen within that time.
    """
    now = time.monotonic()
    fresh = now - _version_memo["read_at"] < settings.CATALOG_VERSION_SECONDS
    if _version_memo["value"] is not None and fresh:
        return _version_memo["value"]
    value = version_read(CATALOG_VERSION)
    _version_memo.update(value=value, read_at=now)
    return value


def catalog_version_forget(**kwargs):
    _version_memo["value"] = None


def measure_list():
    return Measure.objects.with_set()


def measure_get(slug):
    return get_object_or_404(
        Measure.objects.with_set().prefetch_related(
            Prefetch("components", queryset=Measure.objects.with_set()),
            Prefetch("composites", queryset=Measure.objects.with_set()),
            "facts",
            "program_memberships__program",
        ),
        slug=slug,
    )


def measure_set_list():
    return MeasureSet.objects.annotate(measure_count=Count("measures"))


def tool_list():
    return Tool.objects.all()


# --- adoption -------------------------------------------------------------------------------


def measure_adopters(measure, *, user):
    """Which coalitions use a measure and for what, among those whose records the user may
    read (as in the API): staff and evaluators see every coalition, a member their own.
    Empty for the public."""
    if not can_see_adopters(user):
        return MeasureAdoption.objects.none()
    return (
        MeasureAdoption.objects.filter(
            measure=measure, coalition__in=adoption_coalitions_for(user)
        )
        .exclude(stage=MeasureAdoption.Stage.DISCONTINUED)
        .select_related("coalition", "incentive_program")
        .order_by("coalition__name", "use")
    )


class AdoptionFilter(django_filters.FilterSet):
    coalition = django_filters.ModelChoiceFilter(
        queryset=Coalition.objects.all(), empty_label="Any coalition"
    )
    measure_set = django_filters.ModelChoiceFilter(
        label="Measure set", field_name="measure__measure_set", to_field_name="code",
        queryset=MeasureSet.objects.all(), empty_label="Any set",
    )
    use = django_filters.ChoiceFilter(choices=MeasureAdoption.Use.choices, empty_label="Any use")
    stage = django_filters.ChoiceFilter(
        choices=MeasureAdoption.Stage.choices, empty_label="Any stage"
    )

    class Meta:
        model = MeasureAdoption
        fields = ["coalition", "measure_set", "use", "stage"]
        form = Form


def adoption_filter(*, user, data=None):
    """All the adoption records a user may read, filtered (staff and evaluators' list)."""
    return AdoptionFilter(data=data, queryset=adoption_list(user=user))


def adoption_list(*, user, coalition=None):
    queryset = MeasureAdoption.objects.filter(
        coalition__in=adoption_coalitions_for(user)
    ).select_related("coalition", "measure__measure_set", "incentive_program")
    if coalition is not None:
        queryset = queryset.filter(coalition=coalition)
    return queryset


def adoption_get_for(user, pk):
    return get_object_or_404(adoption_list(user=user), pk=pk)


def adoption_stage_history(adoption):
    return adoption.stage_changes.select_related("recorded_by").order_by(
        "changed_on", "recorded_at"
    )


def adoptions_as_of(day, *, user=None, coalition=None):
    """Adoptions as they stood on ``day``: each with ``stage_on_day``, the stage of its latest
    change dated on or before that day, and ``stage_on_day_since``, the date of that change.
    Adoptions not yet recorded by then are left out, and so are those removed (archived) on
    or before that day; one removed later still answers for the days before. With ``user``,
    only the coalitions that user may see; without, the whole program (the evaluation's view).
    """
    latest = AdoptionStageChange.objects.filter(
        adoption=OuterRef("pk"), changed_on__lte=day
    ).order_by("-changed_on", "-recorded_at", "-pk")
    on_record = Q(archived_at__isnull=True) | Q(archived_at__date__gt=day)
    queryset = MeasureAdoption.all_objects.filter(on_record).annotate(
        stage_on_day=Subquery(latest.values("stage")[:1]),
        stage_on_day_since=Subquery(latest.values("changed_on")[:1]),
    ).filter(stage_on_day__isnull=False)
    if user is not None:
        queryset = queryset.filter(coalition__in=adoption_coalitions_for(user))
    if coalition is not None:
        queryset = queryset.filter(coalition=coalition)
    return queryset.select_related("coalition", "measure", "incentive_program")


def incentive_program_list(*, user, coalition=None):
    queryset = (
        IncentiveProgram.objects.filter(coalition__in=adoption_coalitions_for(user))
        .select_related("coalition")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("code")))
    )
    if coalition is not None:
        queryset = queryset.filter(coalition=coalition)
    return queryset


def incentive_program_get_for(user, pk):
    return get_object_or_404(incentive_program_list(user=user), pk=pk)
