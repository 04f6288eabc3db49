"""Reads for the evaluation pages and API, scoped to the user."""

from django.shortcuts import get_object_or_404

from . import permissions
from .models import Report


def report_list(user):
    return permissions.reports_visible_to(
        user, Report.objects.select_related("program", "coalition", "requested_by"))


def report_get_for(user, pk):
    return get_object_or_404(report_list(user), pk=pk)
