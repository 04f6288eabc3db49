"""Staff pages for what happens at and after an event: check-in at the door, attendance from a
web conference's participant report (with the rows it could not match), the roster as a
spreadsheet, and the materials handed out. Rules live in ``services``; reads in
``selectors``; who may do what in ``permissions``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from coalitions import exports
from core.views import HtmxResultsMixin, PermissionRequiredMixin, ServiceFormView

from . import attendance, permissions, selectors, services
from .forms import (
    AttendanceColumnsForm,
    AttendanceUploadForm,
    MaterialForm,
    UnmatchedMatchForm,
    WalkInForm,
)
from .models import AttendanceImport, Registration

CHECK_IN_PAGE_SIZE = 50


class _StaffEventMixin(PermissionRequiredMixin):
    """A staff page about one event (anonymous: to the login page; others: 403)."""

    permission = permissions.can_manage_events

    def load(self):
        self.event = selectors.event_get_for(self.request.user, self.kwargs["pk"])


# --- check-in -------------------------------------------------------------------------------


def _check_in_url(event, q=""):
    url = reverse("workshops:check-in", args=[event.pk])
    return f"{url}?{urlencode({'q': q})}" if q else url


class CheckInView(_StaffEventMixin, HtmxResultsMixin, TemplateView):
    """The door list on a phone: search by name, one tap checks a person in."""

    template_name = "workshops/check_in.html"
    results_template_name = "workshops/_check_in_results.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "").strip()[:100]
        rows = selectors.check_in_list(self.event, q=q)
        page = Paginator(rows, CHECK_IN_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            event=self.event, q=q, page_obj=page, counts=selectors.check_in_counts(self.event),
            query=urlencode({"q": q}) if q else "", **kwargs,
        )


class CheckInActionView(_StaffEventMixin, View):
    """Check one person in, or undo it (POST). With htmx the answer is the person's row and
    the counts; without, back to the list. Checking in twice keeps the first time."""

    actions = {
        "check_in": services.registration_check_in,
        "undo": services.registration_undo_check_in,
    }

    def post(self, request, pk, registration_pk):
        registration = get_object_or_404(
            self.event.registrations.active().select_related("coalition"), pk=registration_pk)
        service = self.actions.get(request.POST.get("action"))
        if service is None:
            raise Http404
        error = ""
        try:
            updated = service(registration=registration, actor=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            registration.checked_in_at = updated.checked_in_at
        if request.htmx:
            return TemplateResponse(request, "workshops/_check_in_row.html", {
                "event": self.event, "r": registration, "error": error, "swapped": True,
                "counts": selectors.check_in_counts(self.event),
                "q": request.POST.get("q", ""),
            })
        if error:
            messages.error(request, error)
        elif registration.checked_in_at:
            messages.success(request, f"{registration.name} is checked in.")
        else:
            messages.success(request, f"{registration.name}'s check-in is undone.")
        return redirect(_check_in_url(self.event, request.POST.get("q", "")))


# --- roster export --------------------------------------------------------------------------

ROSTER_HEADERS = ["Name", "E-mail address", "Coalition", "Status", "Registered",
                  "Checked in", "Minutes present", "Attended"]


def _local(moment, zone):
    """A time in the event's zone, without the zone (a spreadsheet has none; the header
    names it)."""
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0) if moment else ""


class RosterExportView(PermissionRequiredMixin, View):
    """The roster (one status, as the roster page filters it, or all) as CSV or XLSX, with
    times in the event's own zone; cells a spreadsheet would run as formulas made inert."""

    permission = permissions.can_view_all_registrations
    file_format = "csv"

    def get(self, request, pk):
        event = selectors.event_get_for(request.user, pk)
        status = request.GET.get("status", "")
        rows = selectors.roster_for_export(request.user, event, status=status)
        zone = event.zone
        headers = [*ROSTER_HEADERS]
        headers[4] = f"Registered ({event.timezone})"
        headers[5] = f"Checked in ({event.timezone})"

        def table():
            for r in rows.iterator(chunk_size=500):
                yield [
                    r.name, r.email, r.coalition.name, r.get_status_display(),
                    _local(r.created_at, zone), _local(r.checked_in_at, zone),
                    "" if r.minutes_present is None else r.minutes_present,
                    "yes" if r.checked_in_at else "no",
                ]

        name = f"roster-event-{event.pk}-{timezone.localdate().isoformat()}"
        if self.file_format == "xlsx":
            return exports.xlsx_response(f"{name}.xlsx", headers, table(), sheet="Roster")
        return exports.csv_response(f"{name}.csv", headers, table())


# --- attendance from a participant report ---------------------------------------------------


def _columns_form(record, data=None):
    """The column choices of a kept report, opened with the columns recognised or chosen."""
    rows = attendance.rows_of(record.text)
    header_row = record.mapping.get("header", 0)
    header = rows[header_row] if header_row < len(rows) else []
    initial = {name: record.mapping.get(name) for name in AttendanceColumnsForm.LABELS}
    initial["zone"] = record.mapping.get("zone") or record.event.timezone
    return AttendanceColumnsForm(data, header=header, initial=initial)


class AttendanceImportView(_StaffEventMixin, TemplateView):
    """Upload a participant report; the reports uploaded so far; rows left to match."""

    template_name = "workshops/attendance_import.html"

    def get_context_data(self, **kwargs):
        unresolved = selectors.unmatched_rows(self.event).filter(
            resolved_registration__isnull=True).count()
        page = Paginator(selectors.attendance_imports(self.event), 20).get_page(
            self.request.GET.get("page"))
        return super().get_context_data(
            event=self.event, imports=page.object_list, page_obj=page, query="",
            unresolved=unresolved, **{"form": AttendanceUploadForm(), **kwargs},
        )

    def post(self, request, pk):
        form = AttendanceUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            record = services.attendance_import_upload(
                event=self.event, filename=upload.name, raw=upload.read(), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        try:
            attendance.read_record(record)
        except attendance.ReportError as error:
            # The file is kept (nothing is applied): its columns are chosen right here.
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(
                form=form, record=record, columns_form=_columns_form(record)))
        return redirect("workshops:attendance-preview", pk=self.event.pk, import_pk=record.pk)


class AttendancePreviewView(_StaffEventMixin, TemplateView):
    """What a report holds and what applying it would do; its columns can be changed here,
    and nothing reaches the attendance record until staff confirm."""

    template_name = "workshops/attendance_preview.html"

    def load(self):
        super().load()
        self.record = get_object_or_404(
            AttendanceImport.objects.select_related("event"), pk=self.kwargs["import_pk"],
            event=self.event)

    def get_context_data(self, columns_form=None, **kwargs):
        preview, problem = None, ""
        try:
            report = attendance.read_record(self.record)
        except attendance.ReportError as error:
            problem = str(error)
        else:
            preview = selectors.attendance_preview(self.record, report)
        return super().get_context_data(
            event=self.event, record=self.record, preview=preview, problem=problem,
            columns_form=columns_form or _columns_form(self.record),
            applied=self.record.status == AttendanceImport.Status.APPLIED, **kwargs,
        )

    def post(self, request, pk, import_pk):
        if request.POST.get("action") == "apply":
            try:
                record = services.attendance_import_apply(record=self.record, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            messages.success(request, f"Attendance from {record.filename} is recorded: "
                                      f"{record.matched} matched, {record.unmatched} to match "
                                      "by hand.")
            return redirect("workshops:attendance-import", pk=self.event.pk)
        form = _columns_form(self.record, request.POST)
        if form.is_valid():
            try:
                services.attendance_import_map(record=self.record, columns=form.columns(),
                                               zone=form.cleaned_data["zone"],
                                               actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Columns saved: check the people found below.")
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(columns_form=form))


class UnmatchedListView(_StaffEventMixin, TemplateView):
    """Rows of the event's reports that matched no registration: each to be matched by hand
    or added as a walk-in; the resolved ones stay listed with who they were."""

    template_name = "workshops/attendance_unmatched.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.unmatched_rows(self.event), 50).get_page(
            self.request.GET.get("page"))
        for row in page.object_list:
            row.minutes = selectors.unmatched_minutes(row, self.event)
        return super().get_context_data(event=self.event, page_obj=page, query="", **kwargs)


class UnmatchedResolveView(_StaffEventMixin, TemplateView):
    """Say who an unmatched row was: a registration of the event, or a walk-in."""

    template_name = "workshops/attendance_resolve.html"

    def load(self):
        super().load()
        self.row = selectors.unmatched_get(self.event, self.kwargs["row_pk"])
        if self.row.resolved_registration_id:
            raise Http404("This row was matched already.")

    def _registrations(self):
        return (self.event.registrations
                .exclude(status__in=(Registration.Status.CANCELLED,
                                     Registration.Status.DECLINED))
                .select_related("coalition").order_by("name", "pk"))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("match_form", UnmatchedMatchForm(registrations=self._registrations(),
                                                           prefix="match"))
        kwargs.setdefault("walk_in_form", WalkInForm(prefix="walk_in",
                                                     initial={"email": self.row.email}))
        return super().get_context_data(
            event=self.event, row=self.row,
            minutes=selectors.unmatched_minutes(self.row, self.event), **kwargs)

    def post(self, request, pk, row_pk):
        action = request.POST.get("action")
        if action == "match":
            form = UnmatchedMatchForm(request.POST, registrations=self._registrations(),
                                      prefix="match")
            context = {"match_form": form}
        elif action == "walk_in":
            form = WalkInForm(request.POST, prefix="walk_in")
            context = {"walk_in_form": form}
        else:
            raise Http404
        if form.is_valid():
            try:
                if action == "match":
                    registration = services.attendance_match(
                        unmatched=self.row, actor=request.user, **form.cleaned_data)
                else:
                    registration = services.attendance_add_walk_in(
                        unmatched=self.row, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{self.row} is recorded as {registration.name} "
                                          f"({registration.minutes_present} minutes present).")
                return redirect("workshops:attendance-unmatched", pk=self.event.pk)
        return self.render_to_response(self.get_context_data(**context))


# --- materials ------------------------------------------------------------------------------


class MaterialsView(_StaffEventMixin, ServiceFormView):
    """The event's materials: add a file or a link; remove one."""

    template_name = "workshops/materials.html"
    form_class = MaterialForm
    success_message = "“{object.title}” is on the event's page."

    def perform(self, form):
        data = form.cleaned_data
        return services.material_add(event=self.event, actor=self.request.user,
                                     title=data["title"], file=data.get("file"),
                                     url=data.get("url", ""))

    def get_success_url(self):
        return reverse("workshops:materials", args=[self.event.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event,
                                        materials=selectors.materials_of(self.event), **kwargs)


class MaterialRemoveView(_StaffEventMixin, View):
    def post(self, request, pk, material_pk):
        material = get_object_or_404(self.event.materials, pk=material_pk)
        services.material_remove(material=material, actor=request.user)
        messages.success(request, f"“{material.title}” is removed.")
        return redirect("workshops:materials", pk=self.event.pk)


class MaterialDownloadView(View):
    """A material's file, for whoever may see the event, as a download (never shown inline,
    so an uploaded file cannot act as one of the portal's pages)."""

    def get(self, request, pk, material_pk):
        event = selectors.event_get_for(request.user, pk)
        material = get_object_or_404(event.materials.exclude(file=""), pk=material_pk)
        try:
            handle = material.file.open("rb")
        except FileNotFoundError as error:
            raise Http404("This file is no longer kept.") from error
        return FileResponse(handle, as_attachment=True, filename=material.file_name)
