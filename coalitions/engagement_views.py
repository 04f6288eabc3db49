"""Pages of the engagement work: the technical-assistance log and its follow-ups, the staff
dashboard, a coalition's timeline, and the peer-assist learning networks.

They sit beside ``views.py`` (the registry's pages) and follow the same rules: permissions
declared on the view, objects looked up scoped to the user, writes through ``services``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.views import HtmxResultsMixin, PermissionRequiredMixin, ServiceFormView

from . import dashboard, exports, permissions, sections, selectors, services, timeline
from .forms import (
    AssistanceForm,
    FollowUpFormSet,
    NetworkForm,
    NetworkLeaveForm,
    NetworkMemberForm,
    follow_up_initial,
)
from .models import NetworkMembership

PAGE_SIZE = 25


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def coalition_engagement(user, coalition, *, today=None):
    """What a coalition's pages show of its engagement: the latest of its timeline, its
    latest technical assistance, what comes next and its staff contact."""
    today = today or timezone.localdate()
    return {
        "timeline": timeline.timeline_page(coalition, user, number=1, size=5),
        "latest_assistance": selectors.coalition_latest_assistance(coalition, user),
        "next_steps": selectors.coalition_next_steps(coalition, today),
        "staff_contact": selectors.coalition_staff_contact(coalition),
        "can_log_assistance": permissions.can_log_assistance(user),
        "today": today,
    }


# --- technical-assistance log ---------------------------------------------------------------


class AssistanceListView(PermissionRequiredMixin, HtmxResultsMixin, TemplateView):
    """The log, filtered and searched; a coalition's people see the entries naming it."""

    permission = permissions.can_view_assistance
    template_name = "coalitions/assistance_list.html"
    results_template_name = "coalitions/_assistance_results.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.assistance_list(user=self.request.user, data=self.request.GET)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = _query_without_page(self.request)
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            entries=page.object_list,
            query=query,
            can_log=permissions.can_log_assistance(self.request.user),
            **kwargs,
        )


class AssistanceExportView(PermissionRequiredMixin, View):
    """The filtered log as CSV (streamed) or XLSX; the same scoping as the list."""

    permission = permissions.can_view_assistance
    file_format = "csv"

    def get(self, request, *args, **kwargs):
        filterset = selectors.assistance_list(user=request.user, data=request.GET)
        if not filterset.is_valid():
            # The list page names what is wrong with the filters.
            return redirect(f"{reverse('coalitions:assistance-list')}?{request.GET.urlencode()}")
        rows = exports.assistance_table(filterset.qs.iterator(chunk_size=500))
        stamp = timezone.localdate().isoformat()
        if self.file_format == "xlsx":
            return exports.xlsx_response(
                f"technical-assistance-{stamp}.xlsx", exports.ASSISTANCE_HEADERS, rows
            )
        return exports.csv_response(
            f"technical-assistance-{stamp}.csv", exports.ASSISTANCE_HEADERS, rows
        )


class AssistanceDetailView(PermissionRequiredMixin, TemplateView):
    permission = permissions.can_view_assistance
    template_name = "coalitions/assistance_detail.html"

    def load(self):
        self.entry = selectors.assistance_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entry=self.entry,
            can_log=permissions.can_log_assistance(self.request.user),
            today=timezone.localdate(),
            sections=sections.sections_for("assistance", self.entry, self.request.user),
            **kwargs,
        )


class _AssistanceFormView(PermissionRequiredMixin, TemplateView):
    """An entry and its follow-ups in one form; all of it is saved, or none of it."""

    permission = permissions.can_log_assistance
    template_name = "coalitions/assistance_form.html"
    entry = None

    def initial(self):
        return {}

    def build(self, data=None):
        form = AssistanceForm(
            data,
            instance=self.entry,
            initial=self.initial(),
            staff_users=selectors.program_staff_users(),
            for_service=True,  # the service validates the entry, once
        )
        formset = FollowUpFormSet(
            data,
            prefix="follow_ups",
            initial=follow_up_initial(self.entry) if self.entry else None,
            form_kwargs={"owners": selectors.follow_up_owner_choices()},
        )
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.build()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.build(request.POST)
        if form.is_valid() and formset.is_valid():
            row_forms = [
                row for row in formset.forms
                if row.has_changed() or row.cleaned_data.get("id")
            ]
            rows = [row.service_fields() for row in row_forms]
            fields = dict(form.cleaned_data)
            try:
                entry = self.perform(fields, rows)
            except ValidationError as error:
                self._place_errors(error, form, row_forms)
            else:
                messages.success(request, self.success_message.format(entry=entry))
                return redirect(entry.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    @staticmethod
    def _place_errors(error, form, row_forms):
        """Each message beside its field: ``follow_ups-<n>-<field>`` on the n-th follow-up."""
        for key, messages_ in error.message_dict.items():
            if key.startswith("follow_ups-"):
                _, index, field = key.split("-", 2)
                row_forms[int(index)].add_error(field, messages_)
            elif key in form.fields:
                form.add_error(key, messages_)
            else:  # NON_FIELD_ERRORS, or a rule about the whole entry
                form.add_error(None, messages_)

    def get_context_data(self, **kwargs):
        return super().get_context_data(entry=self.entry, **kwargs)


class AssistanceCreateView(_AssistanceFormView):
    success_message = "{entry} logged."

    def initial(self):
        initial = {"date": timezone.localdate()}
        if self.request.user.is_program_staff:
            initial["staff_member"] = self.request.user.pk
        coalition = self.request.GET.get("coalition", "")
        if coalition.isdigit():
            initial["coalitions"] = [int(coalition)]
        program = selectors.program_list().first()
        if program is not None:
            initial["program"] = program.pk
        return initial

    def perform(self, fields, rows):
        coalitions = fields.pop("coalitions")
        return services.assistance_create(
            actor=self.request.user, coalitions=coalitions, follow_ups=rows, **fields
        )


class AssistanceUpdateView(_AssistanceFormView):
    success_message = "{entry} saved."

    def load(self):
        self.entry = selectors.assistance_get_for(self.request.user, self.kwargs["pk"])

    def perform(self, fields, rows):
        coalitions = fields.pop("coalitions")
        return services.assistance_update(
            entry=self.entry, actor=self.request.user, coalitions=coalitions,
            follow_ups=rows, **fields,
        )


class FollowUpListView(PermissionRequiredMixin, TemplateView):
    permission = permissions.can_view_assistance
    template_name = "coalitions/follow_up_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        filterset = selectors.follow_up_list(
            user=self.request.user, today=today, data=self.request.GET
        )
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            follow_ups=page.object_list,
            query=_query_without_page(self.request),
            today=today,
            **kwargs,
        )


# --- the staff dashboard and the quiet coalitions -------------------------------------------


class StaffDashboardView(PermissionRequiredMixin, TemplateView):
    """The staff home: each app's panels, every number a link to the list behind it."""

    permission = permissions.can_view_programs
    template_name = "coalitions/dashboard.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            panels=dashboard.panels_for(self.request.user, today),
            today=today,
            can_log=permissions.can_log_assistance(self.request.user),
            **kwargs,
        )


class NoContactListView(PermissionRequiredMixin, TemplateView):
    permission = permissions.can_view_programs
    template_name = "coalitions/no_contact_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        rows = selectors.coalitions_without_contact(today)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            coalitions=page.object_list,
            days=selectors.NO_CONTACT_DAYS,
            query="",
            **kwargs,
        )


# --- a coalition's timeline -----------------------------------------------------------------


class CoalitionTimelineView(PermissionRequiredMixin, TemplateView):
    template_name = "coalitions/coalition_timeline.html"

    def load(self):
        self.coalition = selectors.coalition_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        page = timeline.timeline_page(
            self.coalition, self.request.user, number=self.request.GET.get("page")
        )
        return super().get_context_data(coalition=self.coalition, page=page, **kwargs)


# --- learning networks ----------------------------------------------------------------------


class NetworkListView(PermissionRequiredMixin, TemplateView):
    permission = permissions.can_view_assistance
    template_name = "coalitions/network_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.network_list(self.request.user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            networks=page.object_list,
            query="",
            can_manage=permissions.can_log_assistance(self.request.user),
            **kwargs,
        )


class NetworkDetailView(PermissionRequiredMixin, TemplateView):
    """A network, its members (with only their leads' names and e-mails) and its sessions."""

    permission = permissions.can_view_assistance
    template_name = "coalitions/network_detail.html"

    def load(self):
        self.network = selectors.network_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user = self.request.user
        sessions = selectors.assistance_rows(user).filter(network=self.network)
        membership = permissions.membership_of(user)
        return super().get_context_data(
            network=self.network,
            members=selectors.network_members(self.network),
            sessions=sessions[:10],
            own_coalition_id=membership.coalition_id if membership else None,
            can_manage=permissions.can_log_assistance(user),
            **kwargs,
        )


class _NetworkFormView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_log_assistance
    template_name = "coalitions/network_form.html"
    form_class = NetworkForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "staff_users": selectors.program_staff_users()}


class NetworkCreateView(_NetworkFormView):
    success_message = "Learning network “{object}” created."

    def get_initial(self):
        return {"facilitator": self.request.user.pk}

    def perform(self, form):
        return services.network_create(actor=self.request.user, **form.cleaned_data)


class NetworkUpdateView(_NetworkFormView):
    success_message = "Learning network “{object}” saved."

    def load(self):
        self.network = selectors.network_get_for(self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.network}

    def get_context_data(self, **kwargs):
        return super().get_context_data(network=self.network, **kwargs)

    def perform(self, form):
        return services.network_update(
            network=self.network, actor=self.request.user, **form.cleaned_data
        )


class NetworkMemberAddView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_log_assistance
    template_name = "coalitions/network_member_form.html"
    form_class = NetworkMemberForm

    def load(self):
        self.network = selectors.network_get_for(self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "network": self.network}

    def get_initial(self):
        return {"joined_on": max(timezone.localdate(), self.network.program.start_date)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(network=self.network, **kwargs)

    def perform(self, form):
        membership = services.network_member_add(
            network=self.network, actor=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, f"{membership.coalition} joined {self.network}.")
        return membership

    def get_success_url(self):
        return self.network.get_absolute_url()


class NetworkMemberLeaveView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_log_assistance
    template_name = "coalitions/network_leave_form.html"
    form_class = NetworkLeaveForm

    def load(self):
        self.membership = get_object_or_404(
            NetworkMembership.objects.select_related("network__program", "coalition").filter(
                network__in=permissions.networks_visible_to(self.request.user)
            ),
            pk=self.kwargs["pk"],
        )

    def get_initial(self):
        return {"left_on": self.membership.left_on or timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(membership=self.membership, **kwargs)

    def perform(self, form):
        membership = services.network_member_leave(
            membership=self.membership, actor=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request, f"{membership.coalition} left {membership.network} on "
            f"{membership.left_on:%B %-d, %Y}."
        )
        return membership

    def get_success_url(self):
        return self.membership.network.get_absolute_url()
