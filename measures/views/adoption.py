"""A coalition's measure adoption and incentive programs: the program's outcome data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from coalitions.permissions import can_view_programs
from coalitions.selectors import coalition_get_for
from core.views import PermissionRequiredMixin, ServiceFormView

from .. import selectors, services
from ..forms import AdoptionChangeForm, AdoptionCreateForm, IncentiveProgramForm
from ..permissions import can_manage_adoption

PAGE_SIZE = 25


class _CoalitionScopedMixin(PermissionRequiredMixin):
    """Looks the coalition up among those the user may see (another's is 404) and, for
    writes, checks the user may keep its records (a member who may only read gets 403)."""

    write = False

    def load(self):
        self.coalition = self.get_coalition()
        self.can_manage = can_manage_adoption(self.request.user, self.coalition)
        if self.write and not self.can_manage:
            raise PermissionDenied

    def get_coalition(self):
        return coalition_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            coalition=self.coalition, can_manage=self.can_manage, **kwargs
        )

    def get_success_url(self):
        return reverse("measures:coalition-measures", args=[self.coalition.pk])


class CoalitionMeasuresView(_CoalitionScopedMixin, TemplateView):
    template_name = "measures/coalition_measures.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            adoptions=selectors.adoption_list(user=user, coalition=self.coalition),
            incentive_programs=selectors.incentive_program_list(
                user=user, coalition=self.coalition
            ),
            **kwargs,
        )


class AdoptionCreateView(_CoalitionScopedMixin, ServiceFormView):
    write = True
    template_name = "measures/adoption_form.html"
    form_class = AdoptionCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "coalition": self.coalition}

    def perform(self, form):
        adoption = services.adoption_create(
            coalition=self.coalition, actor=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, f"{adoption.measure.code} recorded as "
                                       f"{adoption.get_stage_display().lower()}.")
        return adoption


class _AdoptionMixin(_CoalitionScopedMixin):
    def get_coalition(self):
        self.adoption = selectors.adoption_get_for(self.request.user, self.kwargs["pk"])
        return self.adoption.coalition

    def get_context_data(self, **kwargs):
        return super().get_context_data(adoption=self.adoption, **kwargs)


class AdoptionUpdateView(_AdoptionMixin, ServiceFormView):
    write = True
    template_name = "measures/adoption_change_form.html"
    form_class = AdoptionChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "adoption": self.adoption}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            history=selectors.adoption_stage_history(self.adoption), **kwargs
        )

    def perform(self, form):
        data = form.cleaned_data
        adoption = services.adoption_update(
            adoption=self.adoption, actor=self.request.user, stage=data["stage"],
            changed_on=data["changed_on"], incentive_program=data["incentive_program"],
            notes=data["notes"],
        )
        messages.success(self.request, f"{adoption.measure.code} saved.")
        return adoption


class AdoptionDeleteView(_AdoptionMixin, TemplateView):
    write = True
    template_name = "measures/adoption_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        services.adoption_archive(adoption=self.adoption, actor=request.user)
        messages.success(request, f"The record of {self.adoption.measure.code} was removed.")
        return redirect(self.get_success_url())


class IncentiveProgramCreateView(_CoalitionScopedMixin, ServiceFormView):
    write = True
    template_name = "measures/incentive_program_form.html"
    form_class = IncentiveProgramForm

    def perform(self, form):
        return _save_program(self.request, form, services.incentive_program_create,
                             coalition=self.coalition)


class IncentiveProgramUpdateView(_CoalitionScopedMixin, ServiceFormView):
    write = True
    template_name = "measures/incentive_program_form.html"
    form_class = IncentiveProgramForm

    def get_coalition(self):
        self.program = selectors.incentive_program_get_for(self.request.user, self.kwargs["pk"])
        return self.program.coalition

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.program}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, **kwargs)

    def perform(self, form):
        return _save_program(self.request, form, services.incentive_program_update,
                             program=self.program)


def _save_program(request, form, service, **target):
    """Save the program; if asked, its measures are recorded as adopted in the same step."""
    data = dict(form.cleaned_data)
    stage = data.pop("record_stage")
    program = service(actor=request.user, adopt_stage=stage or None, **target, **data)
    if stage:
        count = program.measures.count()
        messages.success(request, f"{program.name} saved; {count} measure"
                                  f"{'s' if count != 1 else ''} recorded as {stage}.")
    else:
        messages.success(request, f"{program.name} saved.")
    return program


class AdoptionListView(PermissionRequiredMixin, TemplateView):
    """Every coalition's adoption records, for program staff and evaluators."""

    permission = can_view_programs
    template_name = "measures/adoption_list.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.adoption_filter(user=self.request.user, data=self.request.GET)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset, page_obj=page, adoptions=page.object_list,
            query=query.urlencode(), **kwargs,
        )
