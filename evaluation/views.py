"""Evaluation pages. Rules live in ``services``; who may see what in ``permissions``."""

from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from core.views import HtmxResultsMixin, PermissionRequiredMixin, ServiceFormView

from . import compile, forms, indicators, permissions, selectors, services
from .models import Report

PAGE_SIZE = 25
FILES = {"html": "html_file", "pdf": "pdf_file", "xlsx": "xlsx_file"}


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- reports ----------------------------------------------------------------------------------


class ReportListView(PermissionRequiredMixin, HtmxResultsMixin, TemplateView):
    """Every report for staff and evaluators; a lead sees those shared with their coalition."""

    permission = permissions.can_view_reports
    template_name = "evaluation/report_list.html"
    results_template_name = "evaluation/_report_results.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.report_filter(user=self.request.user, data=self.request.GET)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            filter=filterset, page_obj=page, reports=page.object_list,
            query=_query_without_page(self.request),
            can_request=permissions.can_request_reports(self.request.user), **kwargs)


class ReportRequestView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_request_reports
    template_name = "evaluation/report_form.html"
    form_class = forms.ReportRequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        program = selectors.program_latest()
        if program is None:
            return {"kind": Report.Kind.PROCESS}
        start, end = selectors.default_period(program)
        return {"program": program.pk, "kind": Report.Kind.PROCESS,
                "period_start": start, "period_end": end}

    def perform(self, form):
        report, created = services.report_request(actor=self.request.user, **form.cleaned_data)
        self.success_message = ("Report requested: it is being compiled." if created else
                                "The same report is already being compiled: here it is.")
        return report


# The charts are SVG images in data: URIs (the same picture as in the PDF); only the report's
# page allows such images.
@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class ReportDetailView(PermissionRequiredMixin, TemplateView):
    """A report: its progress while it runs (the status fragment polls), its failure and a
    retry, or, once it succeeded, the report itself, its files and its findings."""

    permission = permissions.can_view_reports
    template_name = "evaluation/report_detail.html"

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user = self.request.user
        report = self.report
        findings = list(selectors.report_findings(report))
        return super().get_context_data(
            findings=findings,
            can_record=permissions.can_record_findings(user),
            can_share=permissions.can_share_reports(user) and report.coalition_id is not None,
            **_live_context(report, user), **kwargs)


def _live_context(report, user):
    """What the status fragment shows: progress, or failure, or the report and its files."""
    context = {"report": report, "can_retry": permissions.can_request_reports(user)}
    if report.status == Report.Status.SUCCEEDED and report.snapshot:
        context.update(snapshot=report.snapshot, rows=compile.report_rows(report.snapshot))
    return context


class ReportStatusView(PermissionRequiredMixin, TemplateView):
    """The fragment the report page polls every 2 s while the report is queued or running;
    the answer for a finished report carries no trigger, so the polling stops."""

    permission = permissions.can_view_reports
    template_name = "evaluation/_report_live.html"

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**_live_context(self.report, self.request.user),
                                        **kwargs)


class ReportRetryView(PermissionRequiredMixin, View):
    permission = permissions.can_request_reports

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        try:
            services.report_retry(report=self.report, actor=request.user)
            messages.success(request, "The report is queued again.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self.report)


class ReportShareView(PermissionRequiredMixin, View):
    permission = permissions.can_share_reports

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        shared = request.POST.get("shared") == "1"
        try:
            services.report_share(report=self.report, shared=shared, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            lead = f"the leads of {self.report.coalition}"
            messages.success(request, f"Shared with {lead}." if shared
                             else f"No longer shared with {lead}.")
        return redirect(self.report)


class ReportFileView(PermissionRequiredMixin, View):
    """A report's HTML, PDF or XLSX file, from storage, for someone who may read the report."""

    permission = permissions.can_view_reports

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        field = FILES.get(kwargs["fmt"])
        report = self.report
        if field is None or report.status != Report.Status.SUCCEEDED:
            raise Http404
        stored = getattr(report, field)
        if not stored:
            raise Http404
        name = f"{report.kind}-report-{report.program.code}-{report.period_start}-" \
               f"{report.period_end}.{kwargs['fmt']}"
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


# --- findings -------------------------------------------------------------------------------


class FindingCreateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_record_findings
    template_name = "evaluation/finding_form.html"
    form_class = forms.FindingForm
    success_message = "Course correction recorded."

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def get_initial(self):
        return {"owner": self.request.user.pk}

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.report, **kwargs)

    def perform(self, form):
        return services.finding_create(report=self.report, actor=self.request.user,
                                       **form.cleaned_data)

    def get_success_url(self):
        return self.report.get_absolute_url() + "#findings"


class FindingUpdateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_record_findings
    template_name = "evaluation/finding_form.html"
    form_class = forms.FindingForm
    success_message = "Course correction saved."

    def load(self):
        self.finding = selectors.finding_get_for(self.request.user, self.kwargs["pk"],
                                                 self.kwargs["finding_pk"])
        self.report = self.finding.report

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.finding}

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.report, finding=self.finding, **kwargs)

    def perform(self, form):
        return services.finding_update(self.finding, actor=self.request.user,
                                       **form.cleaned_data)

    def get_success_url(self):
        return self.report.get_absolute_url() + "#findings"


# --- indicators and targets -------------------------------------------------------------------


class _IndicatorScopeMixin:
    """The program and period from the query (defaults: the latest program, from its start
    to today); errors in them show beside the fields."""

    def scope(self):
        data = self.request.GET.copy()
        if not data.get("program"):
            latest = selectors.program_latest()
            data["program"] = latest.code if latest else ""
        form = forms.IndicatorScopeForm(data)
        if not form.is_valid():
            return form, None, None, None
        program = form.cleaned_data["program"]
        start, end = selectors.default_period(program)
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        if end < start:
            form.add_error("end", "The period cannot end before it starts.")
            return form, None, None, None
        return form, program, start, end


class IndicatorListView(PermissionRequiredMixin, _IndicatorScopeMixin, TemplateView):
    permission = permissions.can_view_indicators
    template_name = "evaluation/indicator_list.html"

    def get_context_data(self, **kwargs):
        form, program, start, end = self.scope()
        rows = selectors.indicator_values(program, start, end) if program else [
            {"indicator": i, "key": i.key} for i in indicators.REGISTRY.values()]
        query = urlencode({"program": program.code, "start": start, "end": end}) \
            if program else ""
        return super().get_context_data(
            form=form, program=program, start=start, end=end, rows=rows, query=query,
            questions=indicators.QUESTIONS,
            can_set_targets=permissions.can_set_targets(self.request.user), **kwargs)


class IndicatorDetailView(PermissionRequiredMixin, _IndicatorScopeMixin, TemplateView):
    """One indicator for a program and period, by coalition (a page of them) and quarter."""

    permission = permissions.can_view_indicators
    template_name = "evaluation/indicator_detail.html"

    def load(self):
        self.indicator = indicators.REGISTRY.get(self.kwargs["key"])
        if self.indicator is None:
            raise Http404

    def get_context_data(self, **kwargs):
        form, program, start, end = self.scope()
        context = {"form": form, "indicator": self.indicator, "program": program,
                   "start": start, "end": end}
        if program is not None:
            page = Paginator(selectors.enrolled_coalitions(program), PAGE_SIZE).get_page(
                self.request.GET.get("page"))
            context.update(
                page_obj=page, query=_query_without_page(self.request),
                total=indicators.compute(self.indicator, indicators.Scope(program, start, end)),
                by_coalition=selectors.indicator_by_coalition(
                    self.indicator, program, start, end, page.object_list),
                by_quarter=selectors.indicator_by_quarter(self.indicator, program, start, end),
            )
        return super().get_context_data(**context, **kwargs)


class TargetListView(PermissionRequiredMixin, ServiceFormView):
    """Targets per indicator and period; staff set one with the form beside the list."""

    permission = permissions.can_view_indicators
    template_name = "evaluation/target_list.html"
    form_class = forms.TargetForm
    success_message = "Target set: {object}."

    def get_initial(self):
        program = selectors.program_latest()
        if program is None:
            return {}
        return {"program": program.pk, "period_start": program.start_date,
                "period_end": program.end_date, "indicator": self.request.GET.get("indicator")}

    def post(self, request, *args, **kwargs):
        if not permissions.can_set_targets(request.user):
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        names = {i.key: i.name for i in indicators.REGISTRY.values()}
        targets = [(t, names.get(t.indicator, t.indicator)) for t in selectors.target_list()]
        return super().get_context_data(
            targets=targets, can_set=permissions.can_set_targets(self.request.user), **kwargs)

    def perform(self, form):
        return services.target_set(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("evaluation:target-list")
