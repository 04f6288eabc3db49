"""Reads for the evaluation pages and API, scoped to the user."""

from datetime import date, timedelta

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.roles import EVALUATOR, PROGRAM_STAFF
from coalitions.models import Coalition, Enrollment, Program
from core.forms import Form

from . import indicators, permissions
from .models import Finding, Report, Target


def report_list(user):
    return permissions.reports_visible_to(
        user, Report.objects.select_related("program", "coalition", "requested_by"))


def report_get_for(user, pk):
    return get_object_or_404(report_list(user), pk=pk)


class ReportFilter(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        queryset=Program.objects.all(), to_field_name="code", empty_label="Any program")
    kind = django_filters.ChoiceFilter(choices=Report.Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=Report.Status.choices,
                                         empty_label="Any status")

    class Meta:
        model = Report
        fields = ["program", "kind", "status"]
        form = Form


def report_filter(*, user, data=None):
    """The reports the user may see, filtered; returns the FilterSet."""
    return ReportFilter(data=data, queryset=report_list(user))


def report_findings(report):
    return report.findings.select_related("owner", "recorded_by")


def finding_get_for(user, report_pk, pk):
    report = report_get_for(user, report_pk)
    return get_object_or_404(report_findings(report), pk=pk)


def finding_owners():
    """Who can own a course correction: program staff and evaluators."""
    return (User.objects.filter(is_active=True)
            .filter(Q(groups__name__in=[PROGRAM_STAFF, EVALUATOR]) | Q(is_superuser=True))
            .distinct().order_by("full_name", "email"))


def open_corrections(*, limit=10):
    """Course corrections still open (open or in progress), soonest due first, with how
    many there are and how many are overdue, for the staff dashboard."""
    rows = (Finding.objects.filter(status__in=Finding.OPEN_STATUSES)
            .select_related("report__program", "owner").order_by("due_date", "pk"))
    today = timezone.localdate()
    return {
        "rows": list(rows[:limit]),
        "count": rows.count(),
        "overdue": rows.filter(due_date__lt=today).count(),
    }


def program_latest():
    """The program the pages start from: the one that started last."""
    return Program.objects.order_by("-start_date", "pk").first()


# --- indicators -------------------------------------------------------------------------------


def default_period(program, today=None):
    """The program's start to today (or to its end, when it has ended)."""
    today = today or timezone.localdate()
    end = min(today, program.end_date) if today >= program.start_date else program.end_date
    return program.start_date, end


def targets_for(program, start, end):
    """Each indicator's target over the period (a target whose period overlaps it, as the
    reports read them)."""
    return {t.indicator: float(t.value) for t in Target.objects.filter(
        program=program, period_start__lte=end, period_end__gte=start)}


def indicator_values(program, start, end):
    """Every indicator's value, baseline and target for the program and period."""
    scope = indicators.Scope(program, start, end)
    targets = targets_for(program, start, end)
    return [{**row, "key": row["indicator"].key, "target": targets.get(row["indicator"].key)}
            for row in indicators.values_for(scope)]


def enrolled_coalitions(program):
    enrolled = Enrollment.objects.filter(program=program,
                                         status__in=Enrollment.SEAT_HOLDING_STATUSES)
    return Coalition.objects.filter(pk__in=enrolled.values("coalition_id")).order_by("name")


def indicator_by_coalition(indicator, program, start, end, coalitions):
    """The indicator for each of ``coalitions`` (a page of them: one computation each)."""
    return [(coalition, indicators.compute(
        indicator, indicators.Scope(program, start, end, coalition))) for coalition in coalitions]


def quarters(start, end):
    """The calendar quarters the period touches, each clipped to the period."""
    periods = []
    day = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while day <= end:
        month = day.month + 3
        following = date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
        periods.append((max(day, start), min(following - timedelta(days=1), end)))
        day = following
    return periods


def indicator_by_quarter(indicator, program, start, end):
    return [(q_start, q_end, indicators.compute(
        indicator, indicators.Scope(program, q_start, q_end)))
        for q_start, q_end in quarters(start, end)]


def target_list(program=None):
    rows = Target.objects.select_related("program", "set_by")
    if program is not None:
        rows = rows.filter(program=program)
    return rows
