from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ServiceAdminMixin

from . import services
from .models import Coalition, Contact, Enrollment, Membership, Partner, Program, ProgramPartner

# Every model here with a rule is written through its service (``ServiceAdminMixin``): the
# rule is checked there once, the acting user lands in the history, and a refusal shows on
# the form with nothing saved.


class ServiceHistoryAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    pass


class ProgramPartnerInline(admin.TabularInline):
    model = ProgramPartner
    extra = 0
    autocomplete_fields = ["partner"]


@admin.register(Program)
class ProgramAdmin(ServiceHistoryAdmin):
    """A capacity never drops below the places taken (``program_update``)."""

    fields = ["name", "code", "description", "start_date", "end_date", "support_capacity",
              "intensive_capacity"]
    list_display = ["name", "code", "start_date", "end_date", "support_capacity",
                    "intensive_capacity"]
    search_fields = ["name", "code"]
    list_filter = ["start_date"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [ProgramPartnerInline]

    def save_through_service(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            program = Program.objects.get(pk=obj.pk)
            return services.program_update(program=program, actor=request.user, **fields)
        return services.program_create(actor=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        actor = request.user
        self.save_inline(
            formset,
            create=lambda row: services.program_partner_create(
                program=form.instance, partner=row.partner, role=row.role, actor=actor),
            update=lambda row, fields: services.program_partner_update(
                partnership=row, actor=actor, **fields),
            delete=lambda row: services.program_partner_delete(partnership=row, actor=actor),
        )


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "email", "title", "role"]
    extra = 0


@admin.register(Coalition)
class CoalitionAdmin(ServiceHistoryAdmin):
    list_display = ["name", "kind", "states", "market", "status"]
    list_filter = ["kind", "status", "enrollments__program", "enrollments__tier"]
    search_fields = ["name", "market", "states"]
    inlines = [ContactInline]

    def save_through_service(self, request, obj, form, change):
        fields = dict(form.cleaned_data)
        if change:
            coalition = Coalition.objects.get(pk=obj.pk)
            return services.coalition_update(coalition=coalition, actor=request.user, **fields)
        return services.coalition_create(actor=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        actor = request.user
        self.save_inline(
            formset,
            create=lambda row: services.contact_create(
                coalition=form.instance, actor=actor, name=row.name, email=row.email,
                title=row.title, role=row.role),
            update=lambda row, fields: services.contact_update(
                contact=row, actor=actor, **fields),
            delete=lambda row: services.contact_delete(contact=row, actor=actor),
        )


@admin.register(Enrollment)
class EnrollmentAdmin(ServiceHistoryAdmin):
    """Capacity, one enrolment per program and the dates are the service's rules."""

    list_display = ["coalition", "program", "tier", "status", "enrolled_on", "ended_on"]
    list_filter = ["program", "tier", "status"]
    search_fields = ["coalition__name", "program__name"]
    list_select_related = ["coalition", "program"]
    autocomplete_fields = ["coalition", "program"]

    def get_fields(self, request, obj=None):
        if obj:
            return ["program", "coalition", "enrolled_on", "tier", "status", "ended_on"]
        return ["program", "coalition", "tier", "enrolled_on"]

    def get_readonly_fields(self, request, obj=None):
        return ["program", "coalition", "enrolled_on"] if obj else []

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            enrollment = Enrollment.objects.get(pk=obj.pk)
            return services.enrollment_update(enrollment=enrollment, actor=request.user, **data)
        return services.enrollment_create(actor=request.user, **data)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(ProgramPartner)
class ProgramPartnerAdmin(ServiceHistoryAdmin):
    list_display = ["partner", "program", "role"]
    list_filter = ["program", "partner__kind"]
    search_fields = ["partner__name", "role"]
    list_select_related = ["partner", "program"]
    autocomplete_fields = ["partner", "program"]

    def get_readonly_fields(self, request, obj=None):
        return ["program", "partner"] if obj else []

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            partnership = ProgramPartner.objects.get(pk=obj.pk)
            return services.program_partner_update(
                partnership=partnership, actor=request.user, role=data["role"])
        return services.program_partner_create(actor=request.user, **data)

    def delete_through_service(self, request, obj):
        services.program_partner_delete(partnership=obj, actor=request.user)


@admin.register(Contact)
class ContactAdmin(ServiceHistoryAdmin):
    list_display = ["name", "email", "title", "role", "coalition"]
    list_filter = ["role", "coalition__kind"]
    search_fields = ["name", "email", "coalition__name"]
    list_select_related = ["coalition"]
    autocomplete_fields = ["coalition"]

    def save_through_service(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            contact = Contact.objects.get(pk=obj.pk)
            return services.contact_update(contact=contact, actor=request.user, **data)
        return services.contact_create(actor=request.user, **data)

    def delete_through_service(self, request, obj):
        services.contact_delete(contact=obj, actor=request.user)


@admin.register(Membership)
class MembershipAdmin(ServiceHistoryAdmin):
    """A person signs in for one coalition; staff and evaluators for none."""

    list_display = ["user", "coalition", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "coalition__name"]
    list_select_related = ["user", "coalition"]
    autocomplete_fields = ["user", "coalition"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            membership = Membership.objects.get(pk=obj.pk)
            return services.membership_update(
                membership=membership, actor=request.user, coalition=data["coalition"],
                role=data["role"])
        return services.membership_create(actor=request.user, **data)

    def delete_through_service(self, request, obj):
        services.membership_delete(membership=obj, actor=request.user)
