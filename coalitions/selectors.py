"""Reads of the program registry, each with the joins its page needs."""

import django_filters
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from core.forms import Form

from .models import Coalition, Contact, Enrollment, Program
from .permissions import coalitions_visible_to
from .states import US_STATES


def _seat_count(tier):
    return Count(
        "enrollments",
        filter=Q(enrollments__tier=tier, enrollments__status__in=Enrollment.SEAT_HOLDING_STATUSES),
    )


def program_list():
    """Programs with the places taken in each tier."""
    return Program.objects.annotate(
        support_taken=_seat_count(Enrollment.Tier.SUPPORT),
        intensive_taken=_seat_count(Enrollment.Tier.INTENSIVE),
    ).order_by(*Program._meta.ordering)  # an aggregate drops Meta.ordering


def program_get(code):
    return get_object_or_404(program_list(), code=code)


def program_enrollments(program):
    return program.enrollments.select_related("coalition").order_by("tier", "coalition__name")


def program_partnerships(program):
    return program.partnerships.select_related("partner")


def program_tier_summary(program):
    """Places taken against capacity, per tier; expects a program from ``program_list``."""
    rows = []
    for tier, taken, capacity in (
        (Enrollment.Tier.SUPPORT, program.support_taken, program.support_capacity),
        (Enrollment.Tier.INTENSIVE, program.intensive_taken, program.intensive_capacity),
    ):
        rows.append(
            {
                "tier": tier,
                "label": tier.label,
                "taken": taken,
                "capacity": capacity,
                "open": max(capacity - taken, 0),
                "percent": round(100 * taken / capacity) if capacity else 100,
            }
        )
    return rows


class CoalitionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    kind = django_filters.ChoiceFilter(choices=Coalition.Kind.choices, empty_label="Any kind")
    state = django_filters.ChoiceFilter(
        label="State", choices=US_STATES, method="filter_state", empty_label="Any state"
    )
    status = django_filters.ChoiceFilter(
        choices=Coalition.Status.choices, empty_label="Any status"
    )
    program = django_filters.ModelChoiceFilter(
        label="Program",
        queryset=Program.objects.all(),
        to_field_name="code",
        field_name="enrollments__program",
        empty_label="Any program",
    )
    tier = django_filters.ChoiceFilter(
        label="Tier",
        choices=Enrollment.Tier.choices,
        field_name="enrollments__tier",
        empty_label="Any tier",
    )

    class Meta:
        model = Coalition
        fields = ["q", "kind", "state", "status", "program", "tier"]
        form = Form

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(market__icontains=value) | Q(states__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        # states holds comma-separated two-letter codes, so a code matches only itself.
        return queryset.filter(states__contains=value)

    @property
    def qs(self):
        # Joining enrolments for the program and tier filters could repeat a coalition.
        queryset = super().qs
        if self.form.cleaned_data.get("program") or self.form.cleaned_data.get("tier"):
            queryset = queryset.distinct()
        return queryset


def coalition_list(*, user, data=None):
    """The coalitions the user may see, filtered; returns the FilterSet (form and rows)."""
    queryset = coalitions_visible_to(user).prefetch_related(
        Prefetch(
            "enrollments",
            queryset=Enrollment.objects.select_related("program").order_by("program__name"),
        )
    )
    return CoalitionFilter(data=data, queryset=queryset)


def coalition_get_for(user, pk):
    """One coalition, if the user may see it: a foreign or missing id is 404 alike."""
    return get_object_or_404(coalitions_visible_to(user), pk=pk)


def coalition_contacts(coalition):
    return coalition.contacts.order_by("name")


def coalition_enrollments(coalition):
    return coalition.enrollments.select_related("program").order_by("-program__start_date")


def contact_get_for(user, pk):
    return get_object_or_404(
        Contact.objects.select_related("coalition").filter(
            coalition__in=coalitions_visible_to(user)
        ),
        pk=pk,
    )
