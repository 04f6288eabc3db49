"""Reads of the public catalog: the searchable, faceted measure list and the comparison.

Facets follow the usual rule of faceted search: values ticked within one facet widen the
results (any of them), facets narrow each other (all of them), and the count beside a value
is what the results would be with that value ticked, that is the count under every active
filter except its own facet's.
"""

from dataclasses import dataclass

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.utils.text import slugify

from core.forms import Form

from .models import Measure, ProgramMembership, QualityProgram

SEARCH_CONFIG = "english"
COMPARE_MIN = 2
COMPARE_MAX = 3


def _using_postgres():
    return connection.vendor == "postgresql"


def search_has_syntax():
    """Whether the search understands "phrases", OR and -exclusion (PostgreSQL's websearch)."""
    return _using_postgres()


def _search_vector():
    # Computed in the query: 138 measures need no stored, indexed vector (nor a migration).
    return (
        SearchVector("code", "title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG)
        + SearchVector("domain", weight="C", config=SEARCH_CONFIG)
    )


def _search_query(text):
    # websearch syntax: "quoted phrase", either OR other, -excluded.
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def measure_search(queryset, text):
    """Measures matching ``text``, the one search of the catalog page and the API's
    ``?search=``: full-text over the code, title, description and domain on PostgreSQL;
    elsewhere every word somewhere in those fields."""
    text = text.strip()
    if not text:
        return queryset
    if _using_postgres():
        return queryset.alias(document=_search_vector()).filter(document=_search_query(text))
    for word in text.split():
        queryset = queryset.filter(
            Q(code__icontains=word) | Q(title__icontains=word) | Q(description__icontains=word)
            | Q(domain__icontains=word)
        )
    return queryset


class FacetFilter(django_filters.MultipleChoiceFilter):
    """Any of the ticked values of one facet; no join, so no DISTINCT."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class ProgramFacetFilter(FacetFilter):
    """Measures in any of the ticked programs (any year): a subquery, so no duplicates."""

    def filter(self, qs, value):
        if not value:
            return qs
        members = ProgramMembership.objects.filter(program__code__in=value)
        return qs.filter(pk__in=members.values("measure_id"))


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    id: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list



class CatalogFilter(django_filters.FilterSet):
    """Search and facets of the public measure list.

    The values a facet accepts are the values the catalog holds (one query, when the
    filter is built); an unknown value makes that facet's field invalid, and the facet is
    then left out of the filtering (the page says so) rather than failing the page.
    """

    q = django_filters.CharFilter(label="Search", method="filter_search", max_length=200)
    set = FacetFilter(label="Measure set", field_name="measure_set__code")
    type = FacetFilter(label="Type", field_name="type")
    level = FacetFilter(label="Level", field_name="level")
    status = FacetFilter(label="Status", field_name="status")
    domain = FacetFilter(label="Domain", field_name="domain")
    setting = FacetFilter(label="Care setting", field_name="setting")
    program = ProgramFacetFilter(label="Federal program", field_name="program")

    FACETS = ("set", "program", "type", "level", "status", "domain", "setting")
    _CHOICE_LABELS = {
        "type": dict(Measure.Type.choices),
        "level": dict(Measure.Level.choices),
        "status": dict(Measure.Status.choices),
    }

    class Meta:
        model = Measure
        fields = ["q", "set", "program", "type", "level", "status", "domain", "setting"]
        form = Form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._labels = self._catalog_values()
        for name in self.FACETS:
            self.filters[name].extra.update(
                choices=list(self._labels[name].items()),
                error_messages={
                    "invalid_choice": "the catalog has no “%(value)s”, so this filter was "
                    "left out."
                },
            )

    def _catalog_values(self):
        """Every value each facet can take, with its label: one query for the free-text
        fields and the sets; the choice fields' values come from the model."""
        labels = {name: {} for name in self.FACETS}
        for name, choices in self._CHOICE_LABELS.items():
            labels[name].update(choices)
        rows = (
            Measure.objects.order_by()
            .values_list("measure_set__code", "measure_set__name", "domain", "setting")
            .distinct()
        )
        for set_code, set_name, domain, setting in rows:
            labels["set"][set_code] = set_name
            if domain:
                labels["domain"][domain] = domain
            if setting:
                labels["setting"][setting] = setting
        labels["program"] = dict(
            QualityProgram.objects.order_by("name").values_list("code", "name")
        )
        labels["set"] = dict(sorted(labels["set"].items()))
        labels["domain"] = dict(sorted(labels["domain"].items()))
        labels["setting"] = dict(sorted(labels["setting"].items()))
        return labels

    def filter_search(self, queryset, name, value):
        return measure_search(queryset, value)

    def _cleaned(self, name):
        """The valid value of one field; None if it is absent or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()  # validates once; cleaned_data then holds the valid fields
        return self.form.cleaned_data.get(name)

    @property
    def search_text(self):
        return (self._cleaned("q") or "").strip()

    def _selected(self, name):
        return self._cleaned(name) or []

    @property
    def qs(self):
        """The matching measures with their set; by relevance when there is a search on
        PostgreSQL, else in catalog order."""
        queryset = super().qs.select_related("measure_set")
        text = self.search_text
        if text and _using_postgres():
            queryset = queryset.annotate(
                rank=SearchRank(_search_vector(), _search_query(text))
            ).order_by("-rank", *Measure._meta.ordering)
        return queryset

    def facets(self):
        """Each facet with its values and counts: one grouped count query per facet."""
        base = self.queryset.all()
        text = self.search_text
        if text:
            base = measure_search(base, text)
        selected = {name: self._selected(name) for name in self.FACETS}
        facets = []
        for name in self.FACETS:
            queryset = base
            for other in self.FACETS:
                if other != name:
                    queryset = self.filters[other].filter(queryset, selected[other])
            field_name = self.filters[name].field_name
            if name == "program":
                counts = dict(
                    ProgramMembership.objects.filter(measure__in=queryset.values("pk"))
                    .order_by().values_list("program__code")
                    .annotate(n=Count("measure", distinct=True))
                )
            else:
                counts = dict(
                    queryset.order_by().values_list(field_name).annotate(n=Count("pk"))
                )
            options = [
                FacetOption(
                    value=value,
                    label=label,
                    count=counts.get(value, 0),
                    selected=value in selected[name],
                    id=f"facet-{name}-{slugify(value)}",
                )
                for value, label in self._labels[name].items()
                if counts.get(value) or value in selected[name]
            ]
            facets.append(Facet(name=name, label=self.filters[name].label, options=options))
        return facets


def catalog_measure_list(*, data=None):
    """The public measure list, searched and filtered; returns the FilterSet (form, rows
    and facets)."""
    return CatalogFilter(data=data, queryset=Measure.objects.all())


# --- comparison -----------------------------------------------------------------------------


def measure_compare_choices():
    """Every measure, lightly, for the comparison's pickers and to check the slugs asked for."""
    return Measure.objects.with_set().only(
        "slug", "code", "title", "status", "measure_set__code", "measure_set__name"
    )


def measure_compare_list(slugs):
    """The measures to compare, in the order asked for, with their components and the
    composites they belong to."""
    measures = Measure.objects.with_set().prefetch_related(
        Prefetch("components", queryset=Measure.objects.with_set()),
        Prefetch("composites", queryset=Measure.objects.with_set()),
        "facts",
        "program_memberships__program",
    ).filter(slug__in=slugs)
    by_slug = {measure.slug: measure for measure in measures}
    return [by_slug[slug] for slug in slugs if slug in by_slug]
