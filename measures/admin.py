from django import forms
from django.contrib import admin

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
class IncentiveProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "coalition", "kind", "status", "launch_date"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "coalition__name"]
    list_select_related = ["coalition"]
    autocomplete_fields = ["coalition"]
    filter_horizontal = ["measures"]


class AdoptionStageChangeInline(admin.TabularInline):
    model = AdoptionStageChange
    extra = 0
    can_delete = False
    readonly_fields = ["stage", "changed_on", "recorded_at", "recorded_by"]

    def has_add_permission(self, request, obj=None):
        return False


class MeasureAdoptionAdminForm(forms.ModelForm):
    class Meta:
        model = MeasureAdoption
        fields = ["coalition", "measure", "use", "stage", "stage_since", "incentive_program",
                  "notes"]

    def clean(self):
        cleaned = super().clean()
        original = (
            MeasureAdoption.objects.filter(pk=self.instance.pk).first()
            if self.instance.pk else None
        )
        stage, day = cleaned.get("stage"), cleaned.get("stage_since")
        if original and stage and day and stage != original.stage:
            services.adoption_check_stage_date(original, day, field_name="stage_since")
        return cleaned


@admin.register(MeasureAdoption)
class MeasureAdoptionAdmin(admin.ModelAdmin):
    """Stage changes go through the service, so each keeps its dated history row."""

    form = MeasureAdoptionAdminForm

    list_display = ["coalition", "measure", "use", "stage", "stage_since"]
    list_filter = ["use", "stage", "measure__measure_set"]
    search_fields = ["coalition__name", "measure__code", "measure__title"]
    list_select_related = ["coalition", "measure"]
    autocomplete_fields = ["coalition", "measure", "incentive_program"]
    inlines = [AdoptionStageChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # Once recorded, the coalition, measure and use define the record; change the stage.
        return ["coalition", "measure", "use"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            original = MeasureAdoption.objects.get(pk=obj.pk)
            services.adoption_update(
                adoption=original, actor=request.user, stage=data["stage"],
                changed_on=data["stage_since"], incentive_program=data["incentive_program"],
                notes=data["notes"],
            )
        else:
            created = services.adoption_create(
                coalition=data["coalition"], measure=data["measure"], use=data["use"],
                stage=data["stage"], stage_since=data["stage_since"],
                incentive_program=data["incentive_program"], notes=data["notes"],
                actor=request.user,
            )
            obj.pk = created.pk
