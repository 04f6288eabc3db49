from django.contrib.auth import forms as auth_forms

from core.forms import USWDSFormMixin

from .models import User


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
