"""Reads of the program registry, each with the joins its page needs."""

from datetime import date, timedelta
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import PROGRAM_STAFF
from core.forms import Form

from . import timeline
from .models import (
    ActionPlan,
    ActionPlanItem,
    Coalition,
    Contact,
    Enrollment,
    FollowUp,
    Invitation,
    LearningNetwork,
    Membership,
    NetworkMembership,
    Program,
    TechnicalAssistance,
    invitation_token_hash,
)
from .permissions import assistance_visible_to, coalitions_visible_to, networks_visible_to
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


# --- people and invitations -----------------------------------------------------------------


def coalition_people(coalition):
    """Who can sign in for the coalition: its leads first, with their last sign-in."""
    return coalition.memberships.select_related("user").order_by("role", "user__email")


def coalition_open_invitations(coalition):
    """Invitations neither accepted nor revoked, newest first (expired ones included, to
    be resent)."""
    return (
        coalition.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_get_for(user, pk):
    return get_object_or_404(
        Invitation.objects.select_related("coalition").filter(
            coalition__in=coalitions_visible_to(user)
        ),
        pk=pk,
    )


def invitation_by_token(token):
    """The invitation whose link carries ``token``, or None (unknown or replaced)."""
    return (
        Invitation.objects.select_related("coalition", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


# --- action plans ---------------------------------------------------------------------------


def coalition_action_plans(coalition, enrollments):
    """Each program the coalition is enrolled in, with its plan (or None) and the plan's
    item counts, for ``enrollments`` already read with their programs."""
    plans = {
        plan.program_id: plan
        for plan in coalition.action_plans.annotate(
            item_count=Count("items"),
            done_count=Count("items", filter=Q(items__status=ActionPlanItem.Status.DONE)),
        )
    }
    return [(enrollment.program, plans.get(enrollment.program_id)) for enrollment in enrollments]


def action_plan_get_for(user, coalition_pk, program_code):
    """The coalition, program and plan (None when not started) behind a plan's page: 404
    for a coalition the user may not see or a program it is not enrolled in."""
    coalition = coalition_get_for(user, coalition_pk)
    program = get_object_or_404(
        Program.objects.filter(enrollments__coalition=coalition), code=program_code
    )
    plan = ActionPlan.objects.filter(coalition=coalition, program=program).first()
    if plan is not None:
        plan.coalition, plan.program = coalition, program
    return coalition, program, plan


def _with_owner(items):
    return items.select_related("owner_contact", "owner_user")


def action_plan_items(plan):
    return _with_owner(plan.items.all()).order_by("due_date", "pk")


def action_item_get_for(user, pk):
    return get_object_or_404(
        _with_owner(ActionPlanItem.objects.select_related("plan__coalition", "plan__program"))
        .filter(plan__coalition__in=coalitions_visible_to(user)),
        pk=pk,
    )


def action_plan_owner_choices(coalition):
    """The contacts and the people who sign in for the coalition, who may own an item."""
    return coalition_contacts(coalition), coalition_people(coalition)


_HISTORY_FIELDS = ["category", "description", "owner_contact", "owner_user", "due_date",
                   "status", "notes"]


def action_item_history(item):
    """The item's changes, newest first: when, who, and each field's old and new value."""
    records = list(
        item.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    contact_ids, user_ids = set(), set()
    for record in records:
        contact_ids.add(record.owner_contact_id)
        user_ids.add(record.owner_user_id)
    contacts = dict(Contact.objects.filter(pk__in=contact_ids - {None}).values_list("pk", "name"))
    users = {u.pk: u.get_full_name() for u in User.objects.filter(pk__in=user_ids - {None})}
    fields = {name: ActionPlanItem._meta.get_field(name) for name in _HISTORY_FIELDS}

    def shown(record, name):
        value = getattr(record, f"{name}_id" if name.startswith("owner_") else name)
        if name == "owner_contact":
            return contacts.get(value, "a removed contact") if value else ""
        if name == "owner_user":
            return users.get(value, "a removed account") if value else ""
        if fields[name].choices:
            return dict(fields[name].choices).get(value, value)
        return value

    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        for name in _HISTORY_FIELDS:
            new = shown(record, name)
            old = shown(previous, name) if previous is not None else ""
            if previous is None or old != new:
                if previous is None and new in ("", None):
                    continue
                label = "owner" if name.startswith("owner_") else fields[name].verbose_name
                changes.append({"field": label, "old": old, "new": new})
        entries.append({
            "at": record.history_date,
            "who": record.history_user,
            "kind": {"+": "Created", "~": "Changed", "-": "Removed"}[record.history_type],
            "changes": changes,
        })
    return entries


class ActionItemFilter(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        label="Program", queryset=Program.objects.all(), to_field_name="code",
        field_name="plan__program", empty_label="Any program",
    )
    category = django_filters.ChoiceFilter(
        choices=ActionPlanItem.Category.choices, empty_label="Any category"
    )
    status = django_filters.ChoiceFilter(
        choices=ActionPlanItem.Status.choices, empty_label="Any status"
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = ActionPlanItem
        fields = ["program", "category", "status", "overdue"]
        form = Form

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset


def action_item_list(*, data=None):
    """Every plan's items, for staff and evaluators, filtered; returns the FilterSet."""
    queryset = _with_owner(
        ActionPlanItem.objects.select_related("plan__coalition", "plan__program")
    ).order_by("due_date", "plan__coalition__name", "pk")
    return ActionItemFilter(data=data, queryset=queryset)


def action_plan_changes(coalition, user, limit):
    """Timeline source: the latest changes to the coalition's action items, newest first."""
    records = (
        ActionPlanItem.history.filter(plan__coalition=coalition)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    verbs = {"+": "Action item added", "~": "Action item changed", "-": "Action item removed"}
    entries = []
    for record in records:
        who = record.history_user.get_full_name() if record.history_user else "Someone"
        entries.append(timeline.TimelineEntry(
            date=timezone.localdate(record.history_date),
            at=record.history_date,
            kind="Action plan",
            title=f"{verbs[record.history_type]}: {record.description[:80]}",
            url="" if record.history_type == "-" else reverse(
                "coalitions:action-item-detail", args=[record.id]
            ),
            detail=f"{record.get_status_display()} · {who}",
        ))
    return entries


# --- technical-assistance log ---------------------------------------------------------------


def program_staff_users():
    """Everyone who may log technical assistance or facilitate a network."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=PROGRAM_STAFF) | Q(is_superuser=True))
        .distinct()
        .order_by("full_name", "email")
    )


def quarter_of(day):
    """The first and last day of the calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month + 2) // 12, (first_month + 2) % 12 + 1, 1) - timedelta(1)
    return start, end


def _assistance_search(queryset, value):
    """Full-text search on summary and topics: PostgreSQL's own where it is the database
    (stemmed, so "reports" finds "reporting"), every word as a substring elsewhere."""
    value = value.strip()
    if not value:
        return queryset
    if connection.vendor == "postgresql":
        vector = SearchVector("topics", weight="A", config="english") + SearchVector(
            "summary", weight="B", config="english"
        )
        query = SearchQuery(value, search_type="websearch", config="english")
        return queryset.annotate(search=vector).filter(search=query)
    for word in value.split():
        queryset = queryset.filter(Q(summary__icontains=word) | Q(topics__icontains=word))
    return queryset


def _served_in_tier(tier):
    """Entries that served a coalition enrolled in the entry's program in ``tier``."""
    return Exists(
        Enrollment.objects.filter(
            program=OuterRef("program"),
            tier=tier,
            coalition__assistance_entries=OuterRef("pk"),
        )
    )


class AssistanceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search summary and topics", method="filter_search")
    program = django_filters.ModelChoiceFilter(
        queryset=Program.objects.all(), to_field_name="code", empty_label="Any program"
    )
    coalition = django_filters.ModelChoiceFilter(
        queryset=Coalition.objects.none(), field_name="coalitions", empty_label="Any coalition"
    )
    kind = django_filters.ChoiceFilter(
        choices=TechnicalAssistance.Kind.choices, empty_label="Any kind"
    )
    staff_member = django_filters.ModelChoiceFilter(
        label="Staff member", queryset=User.objects.none(), empty_label="Anyone"
    )
    tier = django_filters.ChoiceFilter(
        choices=Enrollment.Tier.choices, method="filter_tier", empty_label="Any tier"
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="From")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="To")
    network = django_filters.ModelChoiceFilter(
        label="Learning network", queryset=LearningNetwork.objects.none(),
        empty_label="Any network",
    )

    class Meta:
        model = TechnicalAssistance
        fields = [
            "q", "program", "coalition", "kind", "staff_member", "tier", "date_from", "date_to",
            "network",
        ]
        form = Form

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["coalition"].queryset = coalitions_visible_to(user)
        fields["staff_member"].queryset = program_staff_users()
        fields["network"].queryset = networks_visible_to(user)
        for name in ("date_from", "date_to"):
            fields[name].widget.input_type = "date"

    def filter_search(self, queryset, name, value):
        return _assistance_search(queryset, value)

    def filter_tier(self, queryset, name, value):
        return queryset.filter(_served_in_tier(value))


def _count(queryset, key):
    """A correlated count (0 when none) that joins nothing into the outer query."""
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def assistance_rows(user):
    """The log as the user may read it, with what its lists show. A coalition's people see
    only their own coalition among those served (``visible_coalitions``); ``coalition_count``
    tells how many there were in all."""
    return (
        assistance_visible_to(user)
        .select_related("program", "staff_member", "network")
        .annotate(
            open_follow_ups=_count(
                FollowUp.objects.filter(entry=OuterRef("pk"), status=FollowUp.Status.OPEN),
                "entry",
            ),
            coalition_count=_count(
                TechnicalAssistance.coalitions.through.objects.filter(
                    technicalassistance=OuterRef("pk")
                ),
                "technicalassistance",
            ),
        )
        .prefetch_related(
            Prefetch(
                "coalitions",
                queryset=coalitions_visible_to(user).order_by("name"),
                to_attr="visible_coalitions",
            )
        )
        .order_by("-date", "-pk")
    )


def assistance_list(*, user, data=None):
    """The log filtered; returns the FilterSet (its form and, when valid, ``qs``)."""
    return AssistanceFilter(data=data, queryset=assistance_rows(user), user=user)


def assistance_get_for(user, pk):
    """One entry, if the user may read it: another coalition's or a missing id is 404."""
    return get_object_or_404(
        assistance_rows(user).prefetch_related(
            Prefetch(
                "follow_ups", queryset=FollowUp.objects.select_related("owner").order_by(
                    "due_date", "pk"
                )
            )
        ),
        pk=pk,
    )


class FollowUpFilter(django_filters.FilterSet):
    OWNER_CHOICES = [("me", "Mine")]
    OVERDUE_CHOICES = [("yes", "Overdue only")]

    status = django_filters.ChoiceFilter(
        choices=FollowUp.Status.choices, empty_label="Any status"
    )
    owner = django_filters.ChoiceFilter(
        label="Owner", choices=OWNER_CHOICES, method="filter_owner", empty_label="Anyone's"
    )
    overdue = django_filters.ChoiceFilter(
        label="Due", choices=OVERDUE_CHOICES, method="filter_overdue", empty_label="Any date"
    )
    program = django_filters.ModelChoiceFilter(
        queryset=Program.objects.all(), to_field_name="code", field_name="entry__program",
        empty_label="Any program",
    )

    class Meta:
        model = FollowUp
        fields = ["status", "owner", "overdue", "program"]
        form = Form

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today

    def filter_owner(self, queryset, name, value):
        return queryset.filter(owner=self.user) if value == "me" else queryset

    def filter_overdue(self, queryset, name, value):
        if value != "yes":
            return queryset
        return queryset.filter(status=FollowUp.Status.OPEN, due_date__lt=self.today)


def follow_up_list(*, user, today, data=None):
    rows = (
        FollowUp.objects.filter(entry__in=assistance_visible_to(user))
        .select_related("owner", "entry", "entry__program")
        .order_by("due_date", "pk")
    )
    return FollowUpFilter(data=data, queryset=rows, user=user, today=today)


# --- the staff dashboard --------------------------------------------------------------------


NO_CONTACT_DAYS = 60


def follow_up_counts(user, today):
    """Open and overdue follow-ups, the user's and everyone's, in one query."""
    open_ = Q(status=FollowUp.Status.OPEN)
    overdue = open_ & Q(due_date__lt=today)
    mine = Q(owner=user)
    return FollowUp.objects.filter(entry__in=assistance_visible_to(user)).aggregate(
        open_all=Count("pk", filter=open_),
        overdue_all=Count("pk", filter=overdue),
        open_mine=Count("pk", filter=open_ & mine),
        overdue_mine=Count("pk", filter=overdue & mine),
    )


def assistance_hours(user, start, end):
    """Hours logged between ``start`` and ``end``, by tier and by kind, in two queries.

    An entry counts in a tier when it served a coalition enrolled in that tier of the
    entry's program, so an entry that served both tiers counts in both (as the list filtered
    by tier shows it)."""
    entries = assistance_visible_to(user).filter(date__gte=start, date__lte=end)
    by_tier = entries.aggregate(
        **{
            tier.value: Coalesce(Sum("hours", filter=_served_in_tier(tier)), Value(Decimal(0)))
            for tier in Enrollment.Tier
        },
        total=Coalesce(Sum("hours"), Value(Decimal(0))),
    )
    by_kind = dict(
        entries.order_by().values("kind").annotate(total=Sum("hours")).values_list("kind", "total")
    )
    return {
        "total": by_tier["total"],
        "tiers": [(tier, by_tier[tier.value]) for tier in Enrollment.Tier],
        "kinds": [
            (kind, by_kind[kind.value]) for kind in TechnicalAssistance.Kind
            if kind.value in by_kind
        ],
    }


def coalitions_without_contact(today, *, days=NO_CONTACT_DAYS):
    """Coalitions enrolled (and active) in a program running today whose last technical
    assistance is more than ``days`` ago, or who never had any; longest silence first."""
    running = Enrollment.objects.filter(
        coalition=OuterRef("pk"),
        status=Enrollment.Status.ACTIVE,
        program__start_date__lte=today,
        program__end_date__gte=today,
    )
    cutoff = today - timedelta(days=days)
    return (
        Coalition.objects.filter(Exists(running))
        .annotate(last_contact=Max("assistance_entries__date"))
        .filter(Q(last_contact__lt=cutoff) | Q(last_contact__isnull=True))
        .order_by(F("last_contact").asc(nulls_first=True), "name")
    )


# --- a coalition lead's home ----------------------------------------------------------------


SOON_DAYS = 30


def coalition_next_steps(coalition, today, *, soon_days=SOON_DAYS, limit=5):
    """What comes next for a coalition: its open follow-ups due within ``soon_days`` (or
    overdue), and its open action-plan items due as soon, each the nearest first."""
    horizon = today + timedelta(days=soon_days)
    follow_ups = list(
        FollowUp.objects.filter(
            entry__coalitions=coalition, status=FollowUp.Status.OPEN, due_date__lte=horizon
        )
        .select_related("owner", "entry")
        .order_by("due_date", "pk")[:limit]
    )
    items = list(
        ActionPlanItem.objects.filter(
            plan__coalition=coalition,
            status__in=ActionPlanItem.OPEN_STATUSES,
            due_date__lte=horizon,
        )
        .select_related("plan__program", "owner_contact", "owner_user")
        .order_by("due_date", "pk")[:limit]
    )
    return {"follow_ups": follow_ups, "action_items": items, "horizon": horizon}


def coalition_latest_assistance(coalition, user, *, limit=3):
    return list(
        assistance_rows(user).filter(coalitions=coalition)[:limit]
    )


def coalition_staff_contact(coalition):
    """The staff member named as the coalition's contact; else whoever helped it last."""
    if coalition.staff_contact_id:
        return coalition.staff_contact
    latest = (
        TechnicalAssistance.objects.filter(coalitions=coalition)
        .select_related("staff_member")
        .order_by("-date", "-pk")
        .first()
    )
    return latest.staff_member if latest else None


# --- learning networks ----------------------------------------------------------------------


def network_list(user):
    """The networks the user may read, with their current members counted."""
    return (
        networks_visible_to(user)
        .select_related("program", "facilitator")
        .annotate(
            current_members=_count(
                NetworkMembership.objects.filter(network=OuterRef("pk"), left_on__isnull=True),
                "network",
            )
        )
        .order_by("program__name", "name")
    )


def network_get_for(user, pk):
    return get_object_or_404(network_list(user), pk=pk)


def network_members(network):
    """Every membership of the network, current first, with each coalition's leads (the
    only people of another coalition that the network's members see)."""
    leads = Membership.objects.filter(role=Membership.Role.LEAD).select_related("user")
    return (
        network.memberships.select_related("coalition")
        .prefetch_related(Prefetch("coalition__memberships", queryset=leads, to_attr="leads"))
        .order_by(F("left_on").desc(nulls_first=True), "coalition__name")
    )


# --- timeline sources (registered in apps.py) -----------------------------------------------


def _hours(value):
    return f"{value.normalize():f}"


def assistance_timeline(coalition, user, limit):
    """Timeline source: technical assistance the coalition received."""
    entries = (
        TechnicalAssistance.objects.filter(coalitions=coalition)
        .select_related("staff_member")
        .order_by("-date", "-pk")[:limit]
    )
    return [
        timeline.TimelineEntry(
            date=entry.date,
            at=entry.created_at,
            kind="Technical assistance",
            title=entry.get_kind_display() + (f": {entry.topics}" if entry.topics else ""),
            url=entry.get_absolute_url(),
            detail=f"{_hours(entry.hours)} hours with {entry.staff_member}",
        )
        for entry in entries
    ]


def follow_up_timeline(coalition, user, limit):
    """Timeline source: follow-ups of the coalition's technical assistance, when they were
    set (the day of the contact) and when they were done or dropped."""
    follow_ups = (
        FollowUp.objects.filter(entry__coalitions=coalition)
        .select_related("owner", "entry")
        .annotate(latest=Coalesce("closed_on", "entry__date"))
        .order_by("-latest", "-pk")[:limit]
    )
    entries = []
    for follow_up in follow_ups:
        url = reverse("coalitions:assistance-detail", args=[follow_up.entry_id])
        if follow_up.closed_on:
            entries.append(timeline.TimelineEntry(
                date=follow_up.closed_on, kind="Follow-up",
                title=f"Follow-up {follow_up.get_status_display().lower()}: "
                      f"{follow_up.description}",
                url=url, detail=f"Owner: {follow_up.owner}",
            ))
        entries.append(timeline.TimelineEntry(
            date=follow_up.entry.date, kind="Follow-up",
            title=f"Follow-up set: {follow_up.description}",
            url=url,
            detail=f"Owner: {follow_up.owner} · due {follow_up.due_date:%B %-d, %Y}",
        ))
    return entries


def enrollment_timeline(coalition, user, limit):
    """Timeline source: the coalition's enrolments, as kept in their history."""
    records = (
        Enrollment.history.filter(coalition_id=coalition.pk)
        .select_related("program", "history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    entries = []
    for record in records:
        program = record.program.name if record.program else "a program"
        tier = record.get_tier_display().lower()
        if record.history_type == "+":
            title = f"Enrolled in {program} ({tier})"
        elif record.history_type == "-":
            title = f"Enrolment in {program} removed"
        else:
            title = f"Enrolment in {program}: {record.get_status_display().lower()}, {tier}"
        # An enrolment counts from its own date, whenever it was recorded; a change, from
        # the moment it was made.
        created = record.history_type == "+"
        entries.append(timeline.TimelineEntry(
            date=record.enrolled_on if created else timezone.localdate(record.history_date),
            at=None if created else record.history_date,
            kind="Enrolment",
            title=title,
        ))
    return entries


def network_timeline(coalition, user, limit):
    """Timeline source: the learning networks the coalition joined and left."""
    memberships = (
        NetworkMembership.objects.filter(coalition=coalition)
        .select_related("network")
        .annotate(day=Coalesce("left_on", "joined_on"))
        .order_by("-day", "-pk")[:limit]
    )
    entries = []
    for membership in memberships:
        url = reverse("coalitions:network-detail", args=[membership.network_id])
        if membership.left_on:
            entries.append(timeline.TimelineEntry(
                date=membership.left_on, kind="Learning network",
                title=f"Left the {membership.network} network", url=url,
            ))
        entries.append(timeline.TimelineEntry(
            date=membership.joined_on, kind="Learning network",
            title=f"Joined the {membership.network} network", url=url,
        ))
    return entries[:limit]


def follow_up_owner_choices():
    """Who may own a follow-up: program staff, and the people who sign in for a coalition
    (the service checks that theirs is one the entry served)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name=PROGRAM_STAFF) | Q(is_superuser=True) | Q(membership__isnull=False)
        )
        .select_related("membership__coalition")
        .distinct()
        .order_by("full_name", "email")
    )
