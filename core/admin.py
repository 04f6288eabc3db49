"""The admin writes through the services, like every other interface.

``ServiceAdminMixin`` gives a ``ModelAdmin`` one way to do it: its ``save_model``,
``delete_model`` and inline saves call a service, and a rule the service refuses (a
``ValidationError``) is shown on the form, beside its field where the form has that field,
with nothing saved. The admin form itself checks the shape of input and the model's own
validation; the rules stay in the service and are checked there once.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError


class _Refused(Exception):
    """A service refused the save: carries its error back to ``changeform_view``."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def _add_refusal(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceAdminMixin:
    """Saves and deletes go through ``save_through_service`` and ``delete_through_service``.

    A ``ValidationError`` from the service rolls the whole request back (the admin runs it in
    one transaction) and the form is shown again with the error. Reverting to an old version
    from the history page is off: it would write the old row back past the rules.
    """

    def save_through_service(self, request, obj, form, change):
        """Call the create or update service; return the saved object."""
        raise NotImplementedError

    def delete_through_service(self, request, obj):
        """A model whose removal has no rule is deleted here, with who did it."""
        obj._history_user = request.user
        obj.delete()

    def save_model(self, request, obj, form, change):
        try:
            saved = self.save_through_service(request, obj, form, change)
        except ValidationError as error:
            raise _Refused(error) from error
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        self.delete_through_service(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_inline(self, formset, *, create, update, delete):
        """Save an inline formset's rows through services: ``create(row)``,
        ``update(current_row, changed_fields)`` and ``delete(row)``."""
        formset.save(commit=False)
        try:
            for row in formset.deleted_objects:
                delete(row)
            for row, changed in formset.changed_objects:
                current = type(row)._default_manager.get(pk=row.pk)
                update(current, {name: getattr(row, name) for name in changed})
            for row in formset.new_objects:
                row.pk = create(row).pk
        except ValidationError as error:
            raise _Refused(error) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # Everything was rolled back; show the form again, with the service's answer.
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                _add_refusal(self, refusal)

        return RefusedForm

    def revert_disabled(self, request, obj=None):
        return True


class ServiceModelAdmin(ServiceAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdmin(admin.ModelAdmin):
    """For models whose every write carries a rule that only their pages and services apply
    (seats under the event's lock, reports compiled by their job): the admin shows them, with
    their history where they keep one, and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
