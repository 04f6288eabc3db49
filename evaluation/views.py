"""Evaluation pages. Rules live in ``services``; who may see what in ``permissions``."""

from django.views.generic import TemplateView

from core.views import PermissionRequiredMixin

from . import selectors


class ReportDetailView(PermissionRequiredMixin, TemplateView):
    template_name = "evaluation/report_detail.html"

    def load(self):
        self.report = selectors.report_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.report, **kwargs)
