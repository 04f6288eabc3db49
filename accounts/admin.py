from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .forms import UserAdminChangeForm, UserAdminCreationForm
from .models import ApiToken, User
from .permissions import user_can_manage


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                               "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]
    # Who may grant powers: only a superuser sees these as fields to change.
    POWER_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += self.POWER_FIELDS
        return readonly

    # Staff may see every account but change (the form, the password view, actions) or delete
    # only ordinary users and themselves: only a superuser manages staff and superusers.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_can_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_can_manage(request.user, obj))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here; they are made by their user on the API tokens page
    or with ``manage.py create_api_token``, which show the token once (only its hash is
    stored)."""

    list_display = ["prefix", "name", "user", "created_at", "expires_at", "last_used_at",
                    "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__email"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at",
              "revoked_at", "revoked_by", "revoked_because"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        count = services.api_tokens_revoke(
            tokens=queryset, actor=request.user, because=ApiToken.Revocation.ADMIN
        )
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
