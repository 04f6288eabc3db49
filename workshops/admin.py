"""Events and registrations in the admin, to look at: seats change only under the event's lock
(``workshops.services``), through the staff pages and the API."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin

from .models import AttendanceImport, Event, Feedback, Registration


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        return True


@admin.register(Event)
class EventAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "program", "kind", "start", "status", "capacity"]
    list_filter = ["status", "kind", "program"]
    search_fields = ["title"]
    date_hierarchy = "start"
    list_select_related = ["program"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "email", "event", "coalition", "status", "queued_at"]
    list_filter = ["status"]
    search_fields = ["name", "email", "event__title"]
    list_select_related = ["event", "coalition"]
    raw_id_fields = ["event", "coalition", "contact"]


@admin.register(AttendanceImport)
class AttendanceImportAdmin(ReadOnlyAdmin):
    list_display = ["filename", "event", "source", "status", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["event"]
    exclude = ["text"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["registration", "rating", "usefulness", "created_at"]
    list_filter = ["rating", "usefulness"]
    list_select_related = ["registration__event"]
    raw_id_fields = ["registration"]
