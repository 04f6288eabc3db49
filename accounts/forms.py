from datetime import timedelta

from django import forms
from django.contrib.auth import forms as auth_forms

from core.forms import Form, USWDSFormMixin

from .models import ApiToken, User


class UserAdminCreationForm(auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserAdminChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class LoginForm(USWDSFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(USWDSFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(USWDSFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(USWDSFormMixin, auth_forms.SetPasswordForm):
    pass


class ApiTokenCreateForm(Form):
    LIFETIMES = [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year")]

    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, so you can tell your tokens apart "
        "(e.g. “evaluation pipeline”).",
    )
    lifetime = forms.TypedChoiceField(
        label="Works for", choices=LIFETIMES, initial="365",
        coerce=lambda days: timedelta(days=int(days)),
        help_text="After that it is refused; make a new one then.",
    )
