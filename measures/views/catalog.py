"""The public catalog: measures (searched and faceted), one measure, a comparison, tools.

No page here needs a login. Only the adopters section of a measure's page depends on who
is looking, and ``measure_adopters`` decides that.
"""

from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from core.views import HtmxResultsMixin

from .. import catalog_selectors
from ..permissions import can_see_adopters
from ..selectors import measure_adopters, measure_get, tool_list

PAGE_SIZE = 25
NOT_STATED = "Not recorded: no source we read confirmed it"


def measure_facts(measure):
    """(label, value) for each published field of a measure, in reading order; the value
    is empty where the source says nothing (the page then says so, it never guesses)."""
    return [
        ("Measure set", f"{measure.measure_set.name} ({measure.measure_set.code})"),
        ("Description", measure.description),
        ("Steward", measure.steward),
        ("Type", measure.get_type_display()),
        ("Level", measure.get_level_display()),
        ("Domain", measure.domain),
        ("Care setting", measure.setting),
        ("Data source", measure.data_source),
        ("Numerator", measure.numerator),
        ("Denominator", measure.denominator),
        ("Improvement notation", measure.get_improvement_notation_display()),
        ("Endorsement number", measure.endorsement_number),
        ("Status", measure.get_status_display()),
        ("Version", measure.version),
    ]


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
            components=list(measure.components.all()),
            composites=list(measure.composites.all()),
            show_adopters=show_adopters,
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
            (label, [facts[row][1] for facts in columns])
            for row, (label, _) in enumerate(columns[0])
        ]


class ToolListView(TemplateView):
    template_name = "measures/tool_list.html"

    def get_context_data(self, **kwargs):
        tools = list(tool_list())
        for tool in tools:
            tool.kind_label = tool.kind.replace("_", " ").capitalize()
            tool.source_host = source_host(tool.source_url)
        return super().get_context_data(tools=tools, **kwargs)
