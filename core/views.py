from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.views.generic import FormView, TemplateView

from .forms import ModelForm


class PermissionRequiredMixin(LoginRequiredMixin):
    """Anonymous visitors go to the login page; others need ``permission(user)`` to hold.

    ``permission`` is declared on the view as data (a function of the user), so a reader sees
    who may use a page without reading its code. Only then is ``load()`` called, where a view
    looks up its objects, scoped to the user: so an anonymous visitor is sent to log in
    whether or not an id exists, and a refused role learns nothing about which ids exist.
    """

    permission = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission is not None and not type(self).permission(request.user):
            raise PermissionDenied
        self.load()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        """Look up the objects the page is about (``self.kwargs`` holds the URL's parts)."""


class HtmxResultsMixin:
    """A list page whose filter form asks, through htmx, for just its results.

    A boosted link or a history restore (the user went back and htmx had no copy) gets the
    whole page, and the answer varies on ``HX-Request`` so caches keep the two apart.
    """

    results_template_name = None

    def results_only(self):
        htmx = self.request.htmx
        return bool(htmx) and not htmx.boosted and not htmx.history_restore_request

    def get_template_names(self):
        if self.results_only():
            return [self.results_template_name]
        return super().get_template_names()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ServiceFormView(FormView):
    """A form whose valid data goes to a service; the service's errors land beside the fields.

    Subclasses implement ``perform(form)``, which calls the service and returns the object.
    """

    success_message = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), ModelForm):
            kwargs["for_service"] = True  # the service validates the model, once
        return kwargs

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message.format(object=self.object))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()


class HomeView(TemplateView):
    """The front door: staff and evaluators go to the programs, a coalition to its home."""

    template_name = "core/home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if user.is_program_staff:
                return redirect("coalitions:dashboard")
            if user.can_view_program_data:
                return redirect("coalitions:program-list")
            if getattr(user, "membership", None) is not None:
                return redirect("coalitions:my-coalition")
        return super().get(request, *args, **kwargs)


def healthz(request):
    """200 when the database (and the broker, when one is configured) answer; else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {error.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception as error:
            checks["broker"] = f"error: {error.__class__.__name__}"
    else:
        checks["broker"] = "filesystem (embedded)"
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
