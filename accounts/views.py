import math

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import FormView

from . import selectors, services
from .forms import ApiTokenCreateForm
from .throttles import password_reset_throttle


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address (``PASSWORD_RESET_RATE``).

    Every request counts, whether or not its address belongs to an account, so the limit
    tells nobody which addresses do.
    """

    def post(self, request, *args, **kwargs):
        retry_after = password_reset_throttle(request)
        if retry_after is not None:
            response = render(
                request, "accounts/password_reset_throttled.html",
                {"retry_minutes": math.ceil(retry_after / 60)}, status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        return super().post(request, *args, **kwargs)


class ApiTokenListView(LoginRequiredMixin, FormView):
    """The signed-in person's API tokens, and the form that makes one. A new token is shown
    in the answer to the form, this once: only its hash is kept."""

    template_name = "accounts/api_tokens.html"
    form_class = ApiTokenCreateForm

    def get_context_data(self, **kwargs):
        tokens = selectors.api_token_list_for(self.request.user)
        return super().get_context_data(tokens=tokens, **kwargs)

    def form_valid(self, form):
        try:
            token, raw = services.api_token_create(
                user=self.request.user, actor=self.request.user,
                name=form.cleaned_data["name"], lifetime=form.cleaned_data["lifetime"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # A fresh, empty form under the new token, not the one just sent.
        context = self.get_context_data(form=self.form_class(), new_token=token, raw=raw)
        return self.render_to_response(context)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """Revoke one of one's own tokens (POST); anyone else's is 404."""

    http_method_names = ["post"]

    def post(self, request, pk):
        token = selectors.api_token_get_for(request.user, pk)
        services.api_token_revoke(token=token, actor=request.user)
        messages.success(
            request, f"Token {token.prefix}… ({token.name or 'unnamed'}) is revoked: it is "
            "refused from now on."
        )
        return redirect("accounts:api-tokens")
