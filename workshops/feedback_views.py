"""After an event: staff mark it as held; attendees give feedback and fetch a certificate of
attendance; staff and evaluators read the feedback. Rules live in ``services``, who may do
what in ``permissions``, reads in ``selectors``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core.views import PermissionRequiredMixin

from . import certificates, links, permissions, selectors, services
from .forms import FeedbackForm
from .models import Feedback, Registration

COMMENTS_PAGE_SIZE = 25


class EventCompleteView(PermissionRequiredMixin, View):
    """Staff: "Mark as held" (POST). Attendees are asked for feedback, the registered who
    did not come get the materials."""

    permission = permissions.can_manage_events

    def post(self, request, pk):
        event = selectors.event_get_for(request.user, pk)
        try:
            services.event_complete(event=event, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{event.title}” is marked as held: attendees are asked "
                                      "for feedback, and the people who missed it get the "
                                      "materials.")
        return redirect(event.get_absolute_url())


class PersonalLinkMixin:
    """Pages behind the personal link in a registrant's e-mails: the signed token is the key,
    no sign-in needed; an altered token is 404."""

    def dispatch(self, request, *args, **kwargs):
        pk = links.registration_from_token(kwargs["token"])
        registration = (
            Registration.objects.select_related("event", "event__program", "coalition")
            .filter(pk=pk).first() if pk else None
        )
        if registration is None:
            raise Http404("This link is not valid.")
        self.registration = registration
        return super().dispatch(request, *args, **kwargs)

    @property
    def manage_url(self):
        """The personal link's own page, with the token the person came with."""
        return reverse("workshops:registration-manage", args=[self.kwargs["token"]])


def _refused(request, registration, *, title, message, status, manage_url=""):
    """A page that says plainly why there is no form or certificate here."""
    return TemplateResponse(request, "workshops/after_event_refused.html", {
        "registration": registration, "event": registration.event, "title": title,
        "message": message, "manage_url": manage_url,
    }, status=status)


NOT_ATTENDED = (
    "We have no record that you attended, so there is no {what} for you. If you were there, "
    "reply to any of our e-mails about the event and the program staff will put it right."
)


class FeedbackCreateView(PersonalLinkMixin, FormView):
    """An attendee's feedback, given once from their personal link."""

    template_name = "workshops/feedback_form.html"
    form_class = FeedbackForm

    def get(self, request, *args, **kwargs):
        return self._closed() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._closed() or super().post(request, *args, **kwargs)

    def _closed(self):
        """The page instead of the form: for someone who did not attend, or who gave
        their feedback already (a clear answer, not an error)."""
        registration = self.registration
        if registration.checked_in_at is None:
            return _refused(self.request, registration, title="No feedback form",
                            message=NOT_ATTENDED.format(what="feedback form"), status=403,
                            manage_url=self.manage_url)
        given = Feedback.objects.filter(registration=registration).first()
        if given is not None:
            return _refused(
                self.request, registration, title="Feedback already given",
                message=f"You gave your feedback on this event already, on "
                        f"{given.created_at:%B %-d, %Y}. It is given once. Thank you!",
                status=200, manage_url=self.manage_url)
        return None

    def get_form_kwargs(self):
        event = self.registration.event
        featured = [*event.featured_measures.order_by("code"),
                    *event.featured_tools.order_by("code")]
        return {**super().get_form_kwargs(), "featured": featured}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.feedback_create(
                registration=self.registration,
                actor=self.request.user if self.request.user.is_authenticated else None,
                rating=data["rating"], usefulness=data["usefulness"],
                comments=data["comments"], intentions=form.intentions(),
            )
        except (services.FeedbackGiven, services.FeedbackNotAttended):
            self.registration.refresh_from_db()
            return self._closed()
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Thank you for your feedback.")
        return redirect(self.manage_url)

    def get_context_data(self, **kwargs):
        return super().get_context_data(registration=self.registration,
                                         event=self.registration.event,
                                         manage_url=self.manage_url, **kwargs)


def _certificate_response(registration):
    response = HttpResponse(certificates.certificate_pdf(registration),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificates.certificate_filename(registration)}"'
    )
    return response


def _no_certificate(request, registration, manage_url=""):
    user = request.user
    if user.is_authenticated and user.email.lower() != registration.email.lower():
        message = (f"There is no record that {registration.name} attended, so there is no "
                   "certificate of attendance to give.")
    else:
        message = NOT_ATTENDED.format(what="certificate of attendance")
    return _refused(request, registration, title="No certificate of attendance",
                    message=message, status=403, manage_url=manage_url)


class CertificateView(PersonalLinkMixin, View):
    """An attendee's certificate of attendance (PDF), from their personal link."""

    def get(self, request, token):
        if self.registration.checked_in_at is None:
            return _no_certificate(request, self.registration, self.manage_url)
        return _certificate_response(self.registration)


class RegistrationCertificateView(PermissionRequiredMixin, View):
    """A certificate for a signed-in person: staff and evaluators, the coalition's lead, or
    the attendee; another coalition's registration is 404."""

    def load(self):
        self.registration = selectors.registration_get_for(self.request.user,
                                                           self.kwargs["pk"])
        if not permissions.can_download_certificate(self.request.user, self.registration):
            raise Http404

    def get(self, request, pk):
        if self.registration.checked_in_at is None:
            return _no_certificate(request, self.registration)
        return _certificate_response(self.registration)


class EventFeedbackView(PermissionRequiredMixin, TemplateView):
    """Staff and evaluators: an event's feedback, with the distribution of ratings and
    usefulness and the intention to use each featured measure and tool. Staff see who wrote
    each comment; evaluators read the comments de-identified."""

    permission = permissions.can_see_feedback
    template_name = "workshops/event_feedback.html"

    def load(self):
        self.event = selectors.event_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        with_names = permissions.can_see_feedback_names(self.request.user)
        comments = selectors.feedback_comments(self.event, with_names=with_names)
        page = Paginator(comments, COMMENTS_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            event=self.event, results=selectors.feedback_results(self.event),
            page_obj=page, with_names=with_names, **kwargs,
        )
