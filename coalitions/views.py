from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.models import User
from core.views import HtmxResultsMixin, PermissionRequiredMixin, ServiceFormView

from . import permissions, sections, selectors, services
from .engagement_views import coalition_engagement
from .forms import (
    ActionItemForm,
    ActionItemStatusForm,
    ActionPlanForm,
    CoalitionEnrollmentForm,
    CoalitionForm,
    ContactForm,
    EnrollmentChangeForm,
    EnrollmentForm,
    InvitationAcceptForm,
    InvitationForm,
    ProgramForm,
)
from .models import Enrollment, Invitation

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

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_initial(self):
        # Before the program starts, the enrolment dates from its start.
        return {"enrolled_on": services.enrollment_default_date(self.program)}

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
        enrollments = list(selectors.coalition_enrollments(coalition))
        return super().get_context_data(
            contacts=selectors.coalition_contacts(coalition),
            enrollments=enrollments,
            can_manage=permissions.can_manage_programs(user),
            can_manage_contacts=permissions.can_manage_contacts(user, coalition),
            **_people_and_plans(user, coalition, enrollments),
            **coalition_engagement(user, coalition),
            **kwargs,
        )


def _people_and_plans(user, coalition, enrollments):
    """Who signs in for the coalition, its open invitations, and its action plans."""
    can_see_invitations = permissions.can_see_invitations(user, coalition)
    return {
        "people": selectors.coalition_people(coalition),
        "invitations": (
            selectors.coalition_open_invitations(coalition) if can_see_invitations else None
        ),
        "can_invite": permissions.can_invite(user, coalition),
        "can_invite_leads": permissions.can_invite_leads(user),
        "action_plans": selectors.coalition_action_plans(coalition, enrollments),
        "now": timezone.now(),
    }


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
        enrollments = list(selectors.coalition_enrollments(coalition))
        return super().get_context_data(
            membership=self.membership,
            coalition=coalition,
            contacts=selectors.coalition_contacts(coalition),
            enrollments=enrollments,
            can_manage_contacts=permissions.can_manage_contacts(self.request.user, coalition),
            **_people_and_plans(self.request.user, coalition, enrollments),
            **coalition_engagement(self.request.user, coalition),
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


class CoalitionEnrollView(PermissionRequiredMixin, ServiceFormView):
    """Enrol a coalition from its own page, in a program it is not yet in."""

    permission = permissions.can_manage_programs
    template_name = "coalitions/coalition_enroll_form.html"
    form_class = CoalitionEnrollmentForm

    def load(self):
        self.coalition = selectors.coalition_get_for(self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "coalition": self.coalition}

    def get_context_data(self, **kwargs):
        return super().get_context_data(coalition=self.coalition, **kwargs)

    def perform(self, form):
        enrollment = services.enrollment_create(
            coalition=self.coalition, actor=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            f"{self.coalition} is enrolled in {enrollment.program} "
            f"({enrollment.get_tier_display().lower()} tier) from "
            f"{enrollment.enrolled_on:%B %-d, %Y}.",
        )
        return enrollment

    def get_success_url(self):
        return self.coalition.get_absolute_url()


# --- invitations ----------------------------------------------------------------------------


def _coalition_home_url(user, coalition):
    """A lead returns to their own home; staff to the coalition's page."""
    membership = permissions.membership_of(user)
    if membership is not None and membership.coalition_id == coalition.pk:
        return reverse("coalitions:my-coalition")
    return coalition.get_absolute_url()


class InvitationCreateView(PermissionRequiredMixin, ServiceFormView):
    """Invite a person by e-mail: staff as lead or member, a lead as member of their own."""

    template_name = "coalitions/invitation_form.html"
    form_class = InvitationForm

    def load(self):
        self.coalition = selectors.coalition_get_for(self.request.user, self.kwargs["pk"])
        if not permissions.can_invite(self.request.user, self.coalition):
            raise PermissionDenied

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "can_invite_leads": permissions.can_invite_leads(self.request.user),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(coalition=self.coalition, **kwargs)

    def perform(self, form):
        invitation = services.invitation_create(
            coalition=self.coalition, actor=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            f"Invitation sent to {invitation.email}; the link works once, for seven days.",
        )
        return invitation

    def get_success_url(self):
        return _coalition_home_url(self.request.user, self.coalition)


class _InvitationActionView(PermissionRequiredMixin, View):
    """A button on the coalition's page (POST only): resend or revoke an invitation."""

    http_method_names = ["post"]

    def load(self):
        self.invitation = selectors.invitation_get_for(self.request.user, self.kwargs["pk"])
        if not permissions.can_manage_invitation(self.request.user, self.invitation):
            raise PermissionDenied

    def post(self, request, *args, **kwargs):
        try:
            self.act()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(_coalition_home_url(request.user, self.invitation.coalition))


class InvitationResendView(_InvitationActionView):
    def act(self):
        services.invitation_resend(invitation=self.invitation, actor=self.request.user)
        messages.success(
            self.request,
            f"A new link was sent to {self.invitation.email}; the earlier one no longer works.",
        )


class InvitationRevokeView(_InvitationActionView):
    def act(self):
        services.invitation_revoke(invitation=self.invitation, actor=self.request.user)
        messages.success(self.request, f"The invitation to {self.invitation.email} is revoked.")


class InvitationAcceptView(TemplateView):
    """Where the e-mailed link leads (no sign-in needed: the link is the key).

    Someone new chooses a password and lands on their coalition's home; someone with an
    account accepts, then signs in as usual. A used, revoked, replaced or expired link gets
    a page that says so (410), not an error.
    """

    template_name = "coalitions/invitation_accept.html"
    closed_template_name = "coalitions/invitation_closed.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = selectors.invitation_by_token(kwargs["token"])
        state = "unknown" if self.invitation is None else self.invitation.state_at(timezone.now())
        if state != Invitation.State.PENDING:
            return self.closed(state)
        self.existing = User.objects.filter(email__iexact=self.invitation.email).exists()
        return super().dispatch(request, *args, **kwargs)

    def closed(self, state):
        return render(
            self.request,
            self.closed_template_name,
            {"state": state, "invitation": self.invitation},
            status=404 if state == "unknown" else 410,
        )

    def get_form(self):
        if self.existing:
            return None
        data = self.request.POST if self.request.method == "POST" else None
        return InvitationAcceptForm(data, email=self.invitation.email)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(
            invitation=self.invitation, coalition=self.invitation.coalition,
            existing=self.existing, **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            user = services.invitation_accept(
                token=kwargs["token"],
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else None,
            )
        except services.InvitationClosed as closed:
            return self.closed(closed.state)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return self.render_to_response(self.get_context_data())
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        coalition = self.invitation.coalition
        if form is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome! You now sign in for {coalition.name}.")
            return redirect("coalitions:my-coalition")
        if request.user.is_authenticated and request.user.pk == user.pk:
            messages.success(request, f"You now sign in for {coalition.name}.")
            return redirect("coalitions:my-coalition")
        messages.success(
            request, f"You now sign in for {coalition.name}: sign in with your password."
        )
        return redirect_to_login(reverse("coalitions:my-coalition"))


# --- action plans ---------------------------------------------------------------------------


class _ActionPlanMixin(PermissionRequiredMixin):
    """The plan of one coalition for one program; a foreign coalition's is 404."""

    def load(self):
        self.coalition, self.program, self.plan = selectors.action_plan_get_for(
            self.request.user, self.kwargs["pk"], self.kwargs["code"]
        )
        self.can_edit = permissions.can_edit_action_plan(self.request.user, self.coalition)

    def require_edit(self):
        if not self.can_edit:
            raise PermissionDenied

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            coalition=self.coalition, program=self.program, plan=self.plan,
            can_edit=self.can_edit, **kwargs,
        )

    def get_success_url(self):
        return reverse("coalitions:action-plan", args=[self.coalition.pk, self.program.code])


class ActionPlanView(_ActionPlanMixin, TemplateView):
    """A coalition's plan for a program: goals and items, overdue ones marked; its leads
    change an item's status in place (htmx when there, a plain form otherwise)."""

    template_name = "coalitions/action_plan.html"

    def get_context_data(self, **kwargs):
        items = list(selectors.action_plan_items(self.plan)) if self.plan else []
        today = timezone.localdate()
        for item in items:
            item.overdue = item.is_overdue(today)
            item.status_form = ActionItemStatusForm(instance=item, prefix=f"item-{item.pk}")
        return super().get_context_data(items=items, **kwargs)


class ActionPlanGoalsView(_ActionPlanMixin, ServiceFormView):
    """Start the plan, or change its goals: the coalition's leads."""

    template_name = "coalitions/action_plan_form.html"
    form_class = ActionPlanForm

    def load(self):
        super().load()
        self.require_edit()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.plan}

    def perform(self, form):
        if self.plan is None:
            plan = services.action_plan_create(
                coalition=self.coalition, program=self.program, actor=self.request.user,
                **form.cleaned_data,
            )
            messages.success(self.request, "Action plan started.")
            return plan
        plan = services.action_plan_update(
            plan=self.plan, actor=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, "Goals saved.")
        return plan


class ActionItemCreateView(_ActionPlanMixin, ServiceFormView):
    template_name = "coalitions/action_item_form.html"
    form_class = ActionItemForm

    def load(self):
        super().load()
        self.require_edit()

    def get_form_kwargs(self):
        contacts, memberships = selectors.action_plan_owner_choices(self.coalition)
        return {**super().get_form_kwargs(), "contacts": contacts, "memberships": memberships}

    def perform(self, form):
        with transaction.atomic():  # a plan started by its first item, or neither
            plan = self.plan or services.action_plan_create(
                coalition=self.coalition, program=self.program, actor=self.request.user
            )
            item = services.action_item_create(
                plan=plan, actor=self.request.user, **form.service_fields()
            )
        messages.success(self.request, "Action item added.")
        return item


class _ActionItemMixin(PermissionRequiredMixin):
    def load(self):
        self.item = selectors.action_item_get_for(self.request.user, self.kwargs["pk"])
        self.plan = self.item.plan
        self.coalition = self.plan.coalition
        self.can_edit = permissions.can_edit_action_plan(self.request.user, self.coalition)

    def require_edit(self):
        if not self.can_edit:
            raise PermissionDenied

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            item=self.item, plan=self.plan, coalition=self.coalition,
            program=self.plan.program, can_edit=self.can_edit, **kwargs,
        )

    def get_success_url(self):
        return self.plan.get_absolute_url()


class ActionItemDetailView(_ActionItemMixin, TemplateView):
    """One item and its history: every change, with who made it and when."""

    template_name = "coalitions/action_item_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            history=selectors.action_item_history(self.item),
            overdue=self.item.is_overdue(timezone.localdate()),
            sections=sections.sections_for("action-item", self.item, self.request.user),
            **kwargs,
        )


class ActionItemUpdateView(_ActionItemMixin, ServiceFormView):
    template_name = "coalitions/action_item_form.html"
    form_class = ActionItemForm

    def load(self):
        super().load()
        self.require_edit()

    def get_form_kwargs(self):
        contacts, memberships = selectors.action_plan_owner_choices(self.coalition)
        return {
            **super().get_form_kwargs(), "instance": self.item,
            "contacts": contacts, "memberships": memberships,
        }

    def perform(self, form):
        item = services.action_item_update(
            item=self.item, actor=self.request.user, **form.service_fields()
        )
        messages.success(self.request, "Action item saved.")
        return item


class ActionItemStatusView(_ActionItemMixin, View):
    """The status control on the plan's page. With htmx the row is swapped in place and
    says what changed; without, the page reloads with a message."""

    http_method_names = ["post"]
    row_template_name = "coalitions/_action_item_row.html"

    def load(self):
        super().load()
        self.require_edit()

    def post(self, request, *args, **kwargs):
        prefix = f"item-{self.item.pk}"
        form = ActionItemStatusForm(
            request.POST, instance=self.item, prefix=prefix, for_service=True
        )
        saved = False
        if form.is_valid():
            try:
                self.item = services.action_item_update(
                    item=self.item, actor=request.user, status=form.cleaned_data["status"]
                )
                saved = True
            except ValidationError as error:
                form.add_error(None, error)
        if request.htmx:
            self.item.overdue = self.item.is_overdue(timezone.localdate())
            self.item.status_form = form if not saved else ActionItemStatusForm(
                instance=self.item, prefix=prefix
            )
            return render(request, self.row_template_name, {
                "item": self.item, "can_edit": True, "saved": saved,
            })
        if saved:
            messages.success(request, f"Status set to {self.item.get_status_display()}.")
        else:
            messages.error(request, "The status was not changed: " + " ".join(
                str(e) for errors in form.errors.values() for e in errors
            ))
        return redirect(self.get_success_url())


class ActionItemListView(PermissionRequiredMixin, HtmxResultsMixin, TemplateView):
    """Every plan's items for staff and evaluators, filtered; overdue items marked."""

    permission = permissions.can_view_all_action_plans
    template_name = "coalitions/action_item_list.html"
    results_template_name = "coalitions/_action_item_results.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.action_item_list(data=self.request.GET)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        today = timezone.localdate()
        for item in page.object_list:
            item.overdue = item.is_overdue(today)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset, page_obj=page, items=page.object_list, query=query.urlencode(),
            **kwargs,
        )
