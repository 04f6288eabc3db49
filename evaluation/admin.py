"""Reports, findings and targets in the admin, to look at: a report is compiled by its job and
its files are served through a permission check (``evaluation.views``); findings and targets
are kept on the evaluation pages."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Finding, Report, Target


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "program", "kind", "status", "progress", "created_at"]
    list_filter = ["status", "kind", "program"]
    list_select_related = ["program", "coalition"]
    exclude = ["snapshot", "html_file", "pdf_file", "xlsx_file"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "report", "status", "due_date"]
    list_filter = ["status"]
    list_select_related = ["report__program"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "program", "set_by"]
    list_select_related = ["program"]
