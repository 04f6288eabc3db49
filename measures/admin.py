from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ServiceAdminMixin

from . import services
from .models import (
    AdoptionStageChange,
    IncentiveProgram,
    Measure,
    MeasureAdoption,
    MeasureSet,
    Tool,
)


@admin.register(MeasureSet)
class MeasureSetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "steward", "version"]
    search_fields = ["code", "name", "steward"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "measure_set", "type", "level", "status"]
    list_filter = ["measure_set", "type", "level", "status", "improvement_notation"]
    search_fields = ["code", "title", "description", "domain"]
    list_select_related = ["measure_set"]
    filter_horizontal = ["components"]
    readonly_fields = ["slug", "created_at", "updated_at"]


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "publisher", "year"]
    list_filter = ["kind", "publisher"]
    search_fields = ["code", "title", "description"]


@admin.register(IncentiveProgram)
class IncentiveProgramAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """Through the services: a program keeps its coalition while adoptions point at it, and
    removing one unlinks its adoptions in their history."""

    list_display = ["name", "coalition", "kind", "status", "launch_date"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "coalition__name"]
    list_select_related = ["coalition"]
    autocomplete_fields = ["coalition"]
    filter_horizontal = ["measures"]

    def save_through_service(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            program = IncentiveProgram.objects.get(pk=obj.pk)
            return services.incentive_program_update(program=program, actor=request.user,
                                                     **data)
        return services.incentive_program_create(actor=request.user, **data)

    def save_related(self, request, form, formsets, change):
        # The service has set the measures; only inlines (none today) are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, request, obj):
        services.incentive_program_delete(program=obj, actor=request.user)


class AdoptionStageChangeInline(admin.TabularInline):
    model = AdoptionStageChange
    extra = 0
    can_delete = False
    readonly_fields = ["stage", "changed_on", "recorded_at", "recorded_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AdoptionChangeAdminForm(forms.ModelForm):
    """A change of stage is dated, as on the coalition's page; the date is checked by
    ``adoption_update``."""

    changed_on = forms.DateField(
        label="Date of this stage", required=False,
        help_text="When the coalition reached the new stage; leave empty for today. Only "
                  "used when the stage changes.",
    )

    class Meta:
        model = MeasureAdoption
        fields = ["stage", "changed_on", "incentive_program", "notes"]


@admin.register(MeasureAdoption)
class MeasureAdoptionAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """Through the services, so each stage change keeps its dated row; deleting archives the
    record (it leaves the lists, its stage history stays for the evaluation)."""

    list_display = ["coalition", "measure", "use", "stage", "stage_since"]
    list_filter = ["use", "stage", "measure__measure_set"]
    search_fields = ["coalition__name", "measure__code", "measure__title"]
    list_select_related = ["coalition", "measure"]
    autocomplete_fields = ["coalition", "measure", "incentive_program"]
    inlines = [AdoptionStageChangeInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj:
            kwargs["form"] = AdoptionChangeAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj:
            return ["coalition", "measure", "use", "stage_since", "stage", "changed_on",
                    "incentive_program", "notes"]
        return ["coalition", "measure", "use", "stage", "stage_since", "incentive_program",
                "notes"]

    def get_readonly_fields(self, request, obj=None):
        # Once recorded, the coalition, measure and use define the record; change the stage.
        return ["coalition", "measure", "use", "stage_since"] if obj else []

    def save_through_service(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            adoption = MeasureAdoption.objects.get(pk=obj.pk)
            return services.adoption_update(adoption=adoption, actor=request.user, **data)
        return services.adoption_create(actor=request.user, **data)

    def delete_through_service(self, request, obj):
        services.adoption_archive(adoption=obj, actor=request.user)

    def get_deleted_objects(self, objs, request):
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        archived = [f"{obj} (archived: its dated stage history is kept)" for obj in objs]
        return archived, {MeasureAdoption._meta.verbose_name_plural: len(archived)}, \
            perms_needed, protected
