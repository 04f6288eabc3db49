"""The public catalog: measures (searched and faceted), one measure, a comparison, tools.

No page here needs a login. Only the adopters section of a measure's page depends on who
is looking, and ``measure_adopters`` decides that.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from coalitions.permissions import can_view_programs
from core.views import HtmxResultsMixin

from .. import catalog_selectors
from ..permissions import can_see_adopters
from ..selectors import measure_adopters, measure_get, tool_list

PAGE_SIZE = 25
NOT_STATED = "Not recorded: no source we read confirmed it"


@dataclass(frozen=True)
class FactRow:
    label: str
    value: str
    source: object = None  # the MeasureFact the value comes from, when the catalog has one


def _display(measure, name):
    display = getattr(measure, f"get_{name}_display", None)
    return display() if display else getattr(measure, name)


def measure_facts(measure):
    """A row for each published field of a measure, in reading order, with the source of
    its value where the catalog records one (``measure.facts`` prefetched). The value is
    empty where no source says anything (the page then says so, it never guesses)."""
    sources = {fact.name: fact for fact in measure.facts.all()}

    def row(label, name, value=None):
        return FactRow(label, _display(measure, name) if value is None else value,
                       sources.get(name))

    return [
        FactRow("Measure set", f"{measure.measure_set.name} ({measure.measure_set.code})"),
        row("Description", "description"),
        row("Steward", "steward"),
        row("Type", "type"),
        FactRow("Level", measure.get_level_display()),
        FactRow("Domain", measure.domain),
        row("Care setting", "setting"),
        row("Data source", "data_source"),
        row("Numerator", "numerator"),
        row("Denominator", "denominator"),
        row("Key exclusions", "exclusions", getattr(sources.get("exclusions"), "value", "")),
        row("Improvement notation", "improvement_notation"),
        row("Endorsement number", "endorsement_number"),
        row("Endorsement status", "endorsement_status",
            getattr(sources.get("endorsement_status"), "value", "")),
        FactRow("Status", measure.get_status_display()),
        FactRow("Version", measure.version),
        FactRow("Programs", measure_programs_text(measure)),
    ]


def measure_programs(measure):
    """(program, [membership, ...] newest year first) for each program using the measure
    (``program_memberships__program`` prefetched)."""
    grouped = {}
    for membership in measure.program_memberships.all():
        grouped.setdefault(membership.program, []).append(membership)
    return [
        (program, sorted(memberships, key=lambda m: -(m.year or 0)))
        for program, memberships in sorted(grouped.items(), key=lambda item: item[0].name)
    ]


def measure_programs_text(measure):
    return "; ".join(
        f"{program.name} ({', '.join(str(m.year or 'year not stated') for m in memberships)})"
        for program, memberships in measure_programs(measure)
    )


def source_host(url):
    return urlsplit(url).netloc.removeprefix("www.") if url else ""


class MeasureListView(HtmxResultsMixin, TemplateView):
    """Search and facets over the catalog; htmx swaps the results and refreshes the counts."""

    template_name = "measures/measure_list.html"
    results_template_name = "measures/_measure_results.html"

    def get_context_data(self, **kwargs):
        filterset = catalog_selectors.catalog_measure_list(data=self.request.GET)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset,
            facets=filterset.facets(),
            filter_errors=[
                (filterset.filters[name].label, " ".join(errors))
                for name, errors in filterset.errors.items()
            ],
            search_syntax=catalog_selectors.search_has_syntax(),
            page_obj=page,
            measures=page.object_list,
            query=query.urlencode(),
            results_only=self.results_only(),
            **kwargs,
        )


class MeasureDetailView(TemplateView):
    template_name = "measures/measure_detail.html"

    def get_context_data(self, **kwargs):
        measure = measure_get(self.kwargs["slug"])
        user = self.request.user
        show_adopters = can_see_adopters(user)
        return super().get_context_data(
            measure=measure,
            facts=measure_facts(measure),
            source_host=source_host(measure.source_url),
            software_host=source_host(measure.software_url),
            programs=measure_programs(measure),
            components=list(measure.components.all()),
            composites=list(measure.composites.all()),
            show_adopters=show_adopters,
            adopters_own_only=show_adopters and not can_view_programs(user),
            adopters=list(measure_adopters(measure, user=user)) if show_adopters else [],
            **kwargs,
        )


class MeasureCompareView(TemplateView):
    """Two or three measures side by side: a row per attribute, a column per measure.

    ``?m=<slug>`` two or three times; anything else (too few, too many, an unknown slug)
    shows the pickers with a message saying what to change.
    """

    template_name = "measures/measure_compare.html"
    PICKERS = ("First measure", "Second measure", "Third measure (optional)")

    def get_context_data(self, **kwargs):
        asked = list(dict.fromkeys(
            slug.strip() for slug in self.request.GET.getlist("m") if slug.strip()
        ))
        choices = list(catalog_selectors.measure_compare_choices())
        known = {measure.slug: measure for measure in choices}
        unknown = [slug for slug in asked if slug not in known]
        chosen = [slug for slug in asked if slug in known]
        errors = [f"The catalog has no measure “{slug}”." for slug in unknown]
        if len(asked) > catalog_selectors.COMPARE_MAX:
            errors.append(
                f"You chose {len(asked)} measures; compare two or three at a time."
            )
        notice = ""
        if not errors and len(chosen) < catalog_selectors.COMPARE_MIN:
            notice = (
                f"Choose at least one more measure to compare with {known[chosen[0]].code}."
                if chosen
                else "Choose two or three measures to compare."
            )
        measures = []
        if not errors and not notice:
            measures = catalog_selectors.measure_compare_list(chosen)
        picked = chosen[: catalog_selectors.COMPARE_MAX]
        pickers = [
            {"label": label, "id": f"compare-{n}", "selected": picked[n] if n < len(picked) else ""}
            for n, label in enumerate(self.PICKERS)
        ]
        return super().get_context_data(
            errors=errors,
            notice=notice,
            measures=measures,
            rows=self._rows(measures),
            sources=[(m, source_host(m.source_url)) for m in measures],
            choices=choices,
            pickers=pickers,
            **kwargs,
        )

    @staticmethod
    def _rows(measures):
        columns = [measure_facts(measure) for measure in measures]
        if not columns:
            return []
        return [
            (fact.label, [facts[row].value for facts in columns])
            for row, fact in enumerate(columns[0])
        ]


class ToolListView(TemplateView):
    template_name = "measures/tool_list.html"

    def get_context_data(self, **kwargs):
        tools = list(tool_list())
        for tool in tools:
            tool.kind_label = tool.kind.replace("_", " ").capitalize()
            tool.source_host = source_host(tool.source_url)
        return super().get_context_data(tools=tools, **kwargs)
