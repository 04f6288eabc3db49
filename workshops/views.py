"""Pages for events and registrations. Rules live in ``services``; who may do what in
``permissions``; reads in ``selectors``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from coalitions.models import Program
from core.views import PermissionRequiredMixin, ServiceFormView

from . import calendar, links, permissions, selectors, services
from .forms import EventForm, RegistrationForm, SelectRegistrationsForm, SubstituteForm
from .models import Event, Registration

PAGE_SIZE = 20


def _event_url(request, event):
    return request.build_absolute_uri(event.get_absolute_url())


# --- public ---------------------------------------------------------------------------------


class EventListView(TemplateView):
    """Published events for everyone; a coalition member also sees whether their coalition
    may register, and why not."""

    template_name = "workshops/event_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        params = self.request.GET
        when = params.get("when") if params.get("when") in ("upcoming", "past", "all") \
            else "upcoming"
        kind = params.get("kind") if params.get("kind") in Event.Kind.values else ""
        program = params.get("program", "")
        events = selectors.event_list(user=user, program=program, kind=kind, when=when)
        page = Paginator(events, PAGE_SIZE).get_page(params.get("page"))
        coalition = selectors.coalition_for(user)
        eligibility = (selectors.eligibility_for(page.object_list, coalition)
                       if coalition is not None else {})
        rows = [
            {"event": event, "seats_left": selectors.seats_left_of(event),
             "why_not": eligibility.get(event.pk)}
            for event in page.object_list
        ]
        query = "&".join(f"{k}={v}" for k, v in
                         (("when", when), ("kind", kind), ("program", program)) if v)
        return super().get_context_data(
            rows=rows, page_obj=page, query=query, when=when, kind=kind, program=program,
            kinds=Event.Kind.choices, programs=Program.objects.order_by("name"),
            coalition=coalition, can_manage=permissions.can_manage_events(user), **kwargs,
        )


class EventDetailView(TemplateView):
    template_name = "workshops/event_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        event = selectors.event_get_for(user, self.kwargs["pk"])
        coalition = selectors.coalition_for(user)
        mine = list(selectors.user_registrations(user, event))
        for registration in mine:  # an attendee gives feedback from here too, once
            registration.feedback_url = reverse(
                "workshops:feedback-create", args=[links.registration_token(registration)]
            ) if registration.checked_in_at and not registration.has_feedback else None
        confirmed = {r.email for r in mine if r.status == Registration.Status.CONFIRMED}
        coalition_rows = (
            list(selectors.registrations_for(user, event).filter(coalition=coalition))
            if coalition is not None else []
        )
        can_register_others = coalition is not None and permissions.can_register_for(
            user, coalition)
        form = None
        if event.takes_registration and event.status == Event.Status.PUBLISHED:
            if permissions.can_manage_events(user):
                form = RegistrationForm(choose_coalition=True)
            elif can_register_others:
                form = RegistrationForm(coalition=coalition)
        why_not = (selectors.eligibility_for([event], coalition)[event.pk]
                   if coalition is not None else None)
        return super().get_context_data(
            event=event,
            seats_left=selectors.seats_left_of(event),
            window=event.registration_window_state(),
            show_join=bool(event.join_url) and permissions.can_see_join_link(
                user, event, confirmed_emails={e.lower() for e in confirmed}),
            mine=mine, coalition=coalition, coalition_rows=coalition_rows, why_not=why_not,
            form=form, can_register_self=coalition is not None and not mine and not why_not,
            can_manage=permissions.can_manage_events(user),
            catalog=selectors.event_catalog(event), materials=selectors.materials_of(event),
            **kwargs,
        )


class EventCalendarFileView(View):
    """The event as an .ics file ("add to calendar")."""

    def get(self, request, pk):
        event = selectors.event_get_for(request.user, pk)
        response = HttpResponse(calendar.event_ics(event, url=_event_url(request, event),
                                                   cancelled=event.status ==
                                                   Event.Status.CANCELLED),
                                content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
        return response


class ProgramCalendarView(View):
    """A program's published events as a calendar feed a coalition can subscribe to."""

    def get(self, request, code):
        program = get_object_or_404(Program, code=code)
        events = program.events.filter(
            status__in=(Event.Status.PUBLISHED, Event.Status.COMPLETED)
        ).order_by("start")
        body = calendar.program_ics(program, events,
                                    url_for=lambda event: _event_url(request, event))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{program.code}.ics"'
        return response


# --- registering ----------------------------------------------------------------------------


class RegistrationCreateView(PermissionRequiredMixin, ServiceFormView):
    """A lead registers themself or colleagues; staff anyone for any coalition; a member
    registers themself."""

    template_name = "workshops/registration_form.html"
    form_class = RegistrationForm

    def load(self):
        self.event = selectors.event_get_for(self.request.user, self.kwargs["pk"])
        self.staff = permissions.can_manage_events(self.request.user)
        self.coalition = selectors.coalition_for(self.request.user)
        if not self.staff and self.coalition is None:
            raise PermissionDenied

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.staff:
            kwargs["choose_coalition"] = True
        elif permissions.can_register_for(self.request.user, self.coalition):
            kwargs["coalition"] = self.coalition
        return kwargs

    def get_form(self, form_class=None):
        if self.staff or permissions.can_register_for(self.request.user, self.coalition):
            return super().get_form(form_class)
        return None

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form is None:  # a member registers themself, nobody else
            return self._register_self()
        return super().post(request, *args, **kwargs)

    def _register_self(self):
        user = self.request.user
        try:
            self.object = services.registration_create(
                event=self.event, coalition=self.coalition, email=user.email,
                name=user.get_full_name() or user.email, actor=user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(self.event.get_absolute_url())
        self._announce()
        return redirect(self.event.get_absolute_url())

    def perform(self, form):
        data = form.cleaned_data
        coalition = data.get("coalition") if self.staff else self.coalition
        return services.registration_create(
            event=self.event, coalition=coalition, email=data["email"], name=data["name"],
            contact=data.get("contact"), actor=self.request.user,
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        if getattr(self, "object", None) is not None and response.status_code == 302:
            self._announce()
        return response

    def _announce(self):
        registration = self.object
        text = {
            Registration.Status.CONFIRMED: "{name} is registered.",
            Registration.Status.WAITING: "The event is full: {name} is on the waiting list.",
            Registration.Status.PENDING_APPROVAL: "{name}'s registration awaits approval.",
        }[registration.status]
        messages.success(self.request, text.format(name=registration.name))

    def get_success_url(self):
        return self.event.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, **kwargs)


class RegistrationChangeMixin(PermissionRequiredMixin):
    def load(self):
        self.registration = selectors.registration_get_for(self.request.user,
                                                           self.kwargs["pk"])
        if not permissions.can_change_registration(self.request.user, self.registration):
            raise Http404


class RegistrationCancelView(RegistrationChangeMixin, View):
    def post(self, request, pk):
        try:
            services.registration_cancel(registration=self.registration, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.registration.name}'s registration is cancelled.")
        return redirect(self.registration.event.get_absolute_url())


class RegistrationSubstituteView(RegistrationChangeMixin, ServiceFormView):
    template_name = "workshops/substitute_form.html"
    form_class = SubstituteForm
    success_message = "{object.name} takes the seat."

    def perform(self, form):
        return services.registration_substitute(
            registration=self.registration, actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return self.registration.event.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(registration=self.registration, **kwargs)


class RegistrationManageView(TemplateView):
    """The page behind the personal link in a registrant's e-mails: no sign-in needed."""

    template_name = "workshops/registration_manage.html"
    actions = {
        "accept": services.registration_accept_offer,
        "decline": services.registration_decline_offer,
        "cancel": services.registration_cancel,
    }

    def dispatch(self, request, *args, **kwargs):
        pk = links.registration_from_token(kwargs["token"])
        registration = (Registration.objects.select_related("event", "coalition")
                        .filter(pk=pk).first() if pk else None)
        if registration is None:
            raise Http404("This link is not valid.")
        self.registration = registration
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, token):
        action = self.actions.get(request.POST.get("action"))
        if action is None:
            raise Http404
        actor = request.user if request.user.is_authenticated else None
        try:
            self.registration = action(registration=self.registration, actor=actor)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, {
                Registration.Status.CONFIRMED: "Your seat is confirmed.",
                Registration.Status.DECLINED: "You declined the seat; it goes to the next person.",
                Registration.Status.CANCELLED: "Your registration is cancelled.",
            }.get(self.registration.status, "Done."))
        return redirect(request.path)

    def get_context_data(self, **kwargs):
        registration = self.registration
        event = registration.event
        return super().get_context_data(
            registration=registration, event=event, now=timezone.now(),
            show_join=registration.status == Registration.Status.CONFIRMED and event.join_url,
            **kwargs,
        )


# --- staff ----------------------------------------------------------------------------------


class EventCreateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_events
    template_name = "workshops/event_form.html"
    form_class = EventForm
    success_message = "“{object.title}” is saved as a draft. Publish it when it is ready."

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.event_create(
            actor=self.request.user, eligible_coalitions=data.pop("eligible_coalitions"), **data
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title="New event", **kwargs)


class EventUpdateView(PermissionRequiredMixin, ServiceFormView):
    permission = permissions.can_manage_events
    template_name = "workshops/event_form.html"
    form_class = EventForm
    success_message = "“{object.title}” is saved."

    def load(self):
        self.event = selectors.event_get_for(self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.event}

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.event_update(
            event=self.event, actor=self.request.user,
            eligible_coalitions=data.pop("eligible_coalitions"), **data,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=f"Edit “{self.event.title}”",
                                        event=self.event, **kwargs)


class EventActionView(PermissionRequiredMixin, View):
    """Publish or cancel an event (POST)."""

    permission = permissions.can_manage_events
    actions = {
        "publish": (services.event_publish, "“{title}” is published."),
        "cancel": (services.event_cancel,
                   "“{title}” is cancelled; every registrant is being told by e-mail."),
    }

    def post(self, request, pk, action):
        event = selectors.event_get_for(request.user, pk)
        service, message = self.actions[action]
        try:
            service(event=event, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message.format(title=event.title))
        return redirect(event.get_absolute_url())


class EventRosterView(PermissionRequiredMixin, TemplateView):
    """Staff and evaluators: the numbers and every registration; staff approve or decline."""

    permission = permissions.can_view_all_registrations
    template_name = "workshops/event_roster.html"

    def load(self):
        self.event = selectors.event_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        rows = selectors.registrations_for(self.request.user, self.event)
        status = self.request.GET.get("status")
        if status in Registration.Status.values:
            rows = rows.filter(status=status)
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            event=self.event, numbers=selectors.event_numbers(self.event), page_obj=page,
            status=status or "", query=f"status={status}" if status else "",
            statuses=Registration.Status.choices,
            can_manage=permissions.can_manage_events(self.request.user), **kwargs,
        )

    def post(self, request, pk):
        if not permissions.can_manage_events(request.user):
            raise PermissionDenied
        action = request.POST.get("action")
        pending = self.event.registrations.filter(
            status=Registration.Status.PENDING_APPROVAL)
        form = SelectRegistrationsForm(
            request.POST, choices=[(r.pk, r.pk) for r in pending])
        if action not in ("approve", "decline") or not form.is_valid():
            messages.error(request, "Choose one or more registrations awaiting approval.")
            return redirect(reverse("workshops:event-roster", args=[self.event.pk]))
        chosen = list(pending.filter(pk__in=form.cleaned_data["registrations"]))
        service = (services.registrations_approve if action == "approve"
                   else services.registrations_decline)
        try:
            service(registrations=chosen, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{len(chosen)} registration"
                             f"{'s' if len(chosen) != 1 else ''} "
                             f"{'approved' if action == 'approve' else 'declined'}.")
        return redirect(reverse("workshops:event-roster", args=[self.event.pk]))
