from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Coalition, Contact, Enrollment, Membership, Partner, Program, ProgramPartner


class ProgramPartnerInline(admin.TabularInline):
    model = ProgramPartner
    extra = 0
    autocomplete_fields = ["partner"]


class ProgramAdminForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "code", "description", "start_date", "end_date", "support_capacity",
                  "intensive_capacity"]

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk and not self.errors:
            try:
                services.program_check_capacities(self.instance)
            except ValidationError as error:
                self.add_error(None, error)


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    """Programs change through the service, so a capacity never drops below the places taken."""

    form = ProgramAdminForm
    list_display = ["name", "code", "start_date", "end_date", "support_capacity",
                    "intensive_capacity"]
    search_fields = ["name", "code"]
    list_filter = ["start_date"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [ProgramPartnerInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if change:
            original = Program.objects.get(pk=obj.pk)
            services.program_update(program=original, actor=request.user, **fields)
        else:
            obj.pk = services.program_create(actor=request.user, **fields).pk


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Coalition)
class CoalitionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "states", "market", "status"]
    list_filter = ["kind", "status", "enrollments__program", "enrollments__tier"]
    search_fields = ["name", "market", "states"]
    inlines = [ContactInline]


class EnrollmentAddForm(forms.ModelForm):
    """A new enrolment: what ``enrollment_create`` takes, checked as it checks it."""

    class Meta:
        model = Enrollment
        fields = ["program", "coalition", "tier", "enrolled_on"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("program") and cleaned.get("tier"):
            services.enrollment_check_capacity(cleaned["program"], cleaned["tier"])
        return cleaned


class EnrollmentChangeForm(forms.ModelForm):
    """A change of tier, status or dates, checked as ``enrollment_update`` checks it."""

    class Meta:
        model = Enrollment
        fields = ["tier", "status", "ended_on"]

    def clean(self):
        cleaned = super().clean()
        current = Enrollment.objects.get(pk=self.instance.pk)
        tier, status = cleaned.get("tier"), cleaned.get("status")
        takes_a_place = status in Enrollment.SEAT_HOLDING_STATUSES and (
            not current.holds_seat or tier != current.tier
        )
        if tier and takes_a_place:
            services.enrollment_check_capacity(current.program, tier, excluding=current)
        return cleaned


@admin.register(Enrollment)
class EnrollmentAdmin(SimpleHistoryAdmin):
    """Enrolments change through the service, so capacity and history hold here too."""

    list_display = ["coalition", "program", "tier", "status", "enrolled_on", "ended_on"]
    list_filter = ["program", "tier", "status"]
    search_fields = ["coalition__name", "program__name"]
    list_select_related = ["coalition", "program"]
    autocomplete_fields = ["coalition", "program"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = EnrollmentChangeForm if obj else EnrollmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj:
            return ["program", "coalition", "enrolled_on", "tier", "status", "ended_on"]
        return EnrollmentAddForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return ["program", "coalition", "enrolled_on"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            original = Enrollment.objects.get(pk=obj.pk)
            services.enrollment_update(enrollment=original, actor=request.user, **data)
        else:
            obj.pk = services.enrollment_create(actor=request.user, **data).pk


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
