from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView

from core.views import HtmxResultsMixin, PermissionRequiredMixin, ServiceFormView

from . import permissions, selectors, services
from .forms import (
    CoalitionForm,
    ContactForm,
    EnrollmentChangeForm,
    EnrollmentForm,
    ProgramForm,
)
from .models import Enrollment

PAGE_SIZE = 25


# --- programs -------------------------------------------------------------------------------


class ProgramListView(PermissionRequiredMixin, ListView):
    permission = permissions.can_view_programs
    template_name = "coalitions/program_list.html"
    context_object_name = "programs"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.program_list()


class ProgramDetailView(PermissionRequiredMixin, TemplateView):
    permission = permissions.can_view_programs
    template_name = "coalitions/program_detail.html"

    def get_context_data(self, **kwargs):
        program = selectors.program_get(self.kwargs["code"])
        return super().get_context_data(
            program=program,
            tiers=selectors.program_tier_summary(program),
            enrollments=selectors.program_enrollments(program),
            partnerships=selectors.program_partnerships(program),
            can_manage=permissions.can_manage_programs(self.request.user),
            **kwargs,
        )


class ProgramCreateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_programs
    template_name = "coalitions/program_form.html"
    form_class = ProgramForm
    success_message = "Program “{object}” created."

    def perform(self, form):
        return services.program_create(actor=self.request.user, **form.cleaned_data)


class ProgramUpdateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_programs
    template_name = "coalitions/program_form.html"
    form_class = ProgramForm
    success_message = "Program “{object}” saved."

    def load(self):
        self.program = selectors.program_get(self.kwargs["code"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.program}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, **kwargs)

    def perform(self, form):
        return services.program_update(
            program=self.program, actor=self.request.user, **form.cleaned_data
        )


class EnrollmentCreateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_programs
    template_name = "coalitions/enrollment_form.html"
    form_class = EnrollmentForm

    def load(self):
        self.program = selectors.program_get(self.kwargs["code"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            program=self.program, tiers=selectors.program_tier_summary(self.program), **kwargs
        )

    def perform(self, form):
        enrollment = services.enrollment_create(
            program=self.program, actor=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            f"{enrollment.coalition} is enrolled in the {enrollment.get_tier_display().lower()} "
            "tier.",
        )
        return enrollment

    def get_success_url(self):
        return self.program.get_absolute_url()


class EnrollmentUpdateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_programs
    template_name = "coalitions/enrollment_change_form.html"
    form_class = EnrollmentChangeForm
    success_message = "Enrolment of {object.coalition} saved."

    def load(self):
        self.enrollment = get_object_or_404(
            Enrollment.objects.select_related("program", "coalition"), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.enrollment}

    def get_context_data(self, **kwargs):
        return super().get_context_data(enrollment=self.enrollment, **kwargs)

    def perform(self, form):
        return services.enrollment_update(
            enrollment=self.enrollment, actor=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return self.enrollment.program.get_absolute_url()


# --- coalitions -----------------------------------------------------------------------------


class CoalitionListView(PermissionRequiredMixin, HtmxResultsMixin, TemplateView):
    """Coalitions the user may see, searchable and filterable; htmx swaps just the results."""

    permission = permissions.can_view_programs
    template_name = "coalitions/coalition_list.html"
    results_template_name = "coalitions/_coalition_results.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.coalition_list(user=self.request.user, data=self.request.GET)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            coalitions=page.object_list,
            query=query.urlencode(),
            can_manage=permissions.can_manage_programs(self.request.user),
            **kwargs,
        )


class CoalitionDetailView(PermissionRequiredMixin, DetailView):
    template_name = "coalitions/coalition_detail.html"
    context_object_name = "coalition"

    def get_object(self, queryset=None):
        return selectors.coalition_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        coalition = self.object
        user = self.request.user
        return super().get_context_data(
            contacts=selectors.coalition_contacts(coalition),
            enrollments=selectors.coalition_enrollments(coalition),
            can_manage=permissions.can_manage_programs(user),
            can_manage_contacts=permissions.can_manage_contacts(user, coalition),
            **kwargs,
        )


class MyCoalitionView(PermissionRequiredMixin, TemplateView):
    """A coalition lead's or member's home: their coalition, its programs, its contacts."""

    template_name = "coalitions/my_coalition.html"

    def get(self, request, *args, **kwargs):
        membership = permissions.membership_of(request.user)
        if membership is None:
            if permissions.can_view_programs(request.user):
                return redirect("coalitions:coalition-list")
            raise Http404("You are not a member of any coalition.")
        self.membership = membership
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        coalition = self.membership.coalition
        return super().get_context_data(
            membership=self.membership,
            coalition=coalition,
            contacts=selectors.coalition_contacts(coalition),
            enrollments=selectors.coalition_enrollments(coalition),
            can_manage_contacts=permissions.can_manage_contacts(self.request.user, coalition),
            **kwargs,
        )


class CoalitionCreateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_programs
    template_name = "coalitions/coalition_form.html"
    form_class = CoalitionForm
    success_message = "Coalition “{object}” created."

    def perform(self, form):
        return services.coalition_create(actor=self.request.user, **form.cleaned_data)


class CoalitionUpdateView(PermissionRequiredMixin, ServiceFormView):
    template_name = "coalitions/coalition_form.html"
    form_class = CoalitionForm
    success_message = "Coalition “{object}” saved."

    def load(self):
        # Scoped first: another coalition's id is 404; one's own, unless staff, is 403.
        self.coalition = selectors.coalition_get_for(self.request.user, self.kwargs["pk"])
        if not permissions.can_manage_programs(self.request.user):
            raise PermissionDenied

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.coalition}

    def get_context_data(self, **kwargs):
        return super().get_context_data(coalition=self.coalition, **kwargs)

    def perform(self, form):
        return services.coalition_update(
            coalition=self.coalition, actor=self.request.user, **form.cleaned_data
        )


# --- contacts -------------------------------------------------------------------------------


class _ContactView(PermissionRequiredMixin):
    """Contacts of one coalition: its leads and program staff keep them."""

    def get_success_url(self):
        membership = permissions.membership_of(self.request.user)
        if membership is not None and membership.coalition_id == self.coalition.pk:
            return reverse("coalitions:my-coalition")
        return self.coalition.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(coalition=self.coalition, **kwargs)

    def _require_contacts_permission(self):
        if not permissions.can_manage_contacts(self.request.user, self.coalition):
            raise PermissionDenied


class _OneContactView(_ContactView):
    def load(self):
        self.contact = selectors.contact_get_for(self.request.user, self.kwargs["pk"])
        self.coalition = self.contact.coalition
        self._require_contacts_permission()


class ContactCreateView(_ContactView, ServiceFormView):
    template_name = "coalitions/contact_form.html"
    form_class = ContactForm
    success_message = "Contact {object.name} added."

    def load(self):
        self.coalition = selectors.coalition_get_for(self.request.user, self.kwargs["pk"])
        self._require_contacts_permission()

    def perform(self, form):
        return services.contact_create(
            coalition=self.coalition, actor=self.request.user, **form.cleaned_data
        )


class ContactUpdateView(_OneContactView, ServiceFormView):
    template_name = "coalitions/contact_form.html"
    form_class = ContactForm
    success_message = "Contact {object.name} saved."


    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.contact}

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def perform(self, form):
        return services.contact_update(
            contact=self.contact, actor=self.request.user, **form.cleaned_data
        )


class ContactDeleteView(_OneContactView, TemplateView):
    template_name = "coalitions/contact_confirm_delete.html"


    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def post(self, request, *args, **kwargs):
        services.contact_delete(contact=self.contact, actor=request.user)
        messages.success(request, f"Contact {self.contact.name} removed.")
        return redirect(self.get_success_url())
