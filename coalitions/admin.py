from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Coalition, Contact, Enrollment, Membership, Partner, Program, ProgramPartner


class ProgramPartnerInline(admin.TabularInline):
    model = ProgramPartner
    extra = 0
    autocomplete_fields = ["partner"]


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "start_date", "end_date", "support_capacity",
                    "intensive_capacity"]
    search_fields = ["name", "code"]
    list_filter = ["start_date"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [ProgramPartnerInline]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Coalition)
class CoalitionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "states", "market", "status"]
    list_filter = ["kind", "status", "enrollments__program", "enrollments__tier"]
    search_fields = ["name", "market", "states"]
    inlines = [ContactInline]


class EnrollmentAdminForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["program", "coalition", "tier", "status", "enrolled_on", "ended_on"]

    def clean(self):
        cleaned = super().clean()
        program, tier = cleaned.get("program"), cleaned.get("tier")
        status = cleaned.get("status")
        if program and tier and status in Enrollment.SEAT_HOLDING_STATUSES:
            excluding = self.instance if self.instance.pk else None
            services.enrollment_check_capacity(program, tier, excluding=excluding)
        return cleaned


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    """Enrolments change through the service, so capacity holds here too."""

    form = EnrollmentAdminForm

    list_display = ["coalition", "program", "tier", "status", "enrolled_on", "ended_on"]
    list_filter = ["program", "tier", "status"]
    search_fields = ["coalition__name", "program__name"]
    list_select_related = ["coalition", "program"]
    autocomplete_fields = ["coalition", "program"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            original = Enrollment.objects.get(pk=obj.pk)
            services.enrollment_update(enrollment=original, actor=request.user, **fields)
        else:
            created = services.enrollment_create(
                program=obj.program, coalition=obj.coalition, tier=obj.tier,
                enrolled_on=obj.enrolled_on, actor=request.user,
            )
            obj.pk = created.pk


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(ProgramPartner)
class ProgramPartnerAdmin(admin.ModelAdmin):
    list_display = ["partner", "program", "role"]
    list_filter = ["program", "partner__kind"]
    search_fields = ["partner__name", "role"]
    list_select_related = ["partner", "program"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "title", "role", "coalition"]
    list_filter = ["role", "coalition__kind"]
    search_fields = ["name", "email", "coalition__name"]
    list_select_related = ["coalition"]
    autocomplete_fields = ["coalition"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "coalition", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "coalition__name"]
    list_select_related = ["user", "coalition"]
    autocomplete_fields = ["user", "coalition"]
