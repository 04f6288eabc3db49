from django.urls import path

from . import attendance_views, feedback_views, views

app_name = "workshops"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/new/", views.EventCreateView.as_view(), name="event-create"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/edit/", views.EventUpdateView.as_view(), name="event-update"),
    path("events/<int:pk>/publish/", views.EventActionView.as_view(),
         {"action": "publish"}, name="event-publish"),
    path("events/<int:pk>/cancel/", views.EventActionView.as_view(),
         {"action": "cancel"}, name="event-cancel"),
    path("events/<int:pk>/event.ics", views.EventCalendarFileView.as_view(),
         name="event-ics"),
    path("events/<int:pk>/register/", views.RegistrationCreateView.as_view(),
         name="registration-create"),
    path("events/<int:pk>/registrations/", views.EventRosterView.as_view(),
         name="event-roster"),
    path("registrations/<int:pk>/cancel/", views.RegistrationCancelView.as_view(),
         name="registration-cancel"),
    path("registrations/<int:pk>/substitute/", views.RegistrationSubstituteView.as_view(),
         name="registration-substitute"),
    path("events/r/<str:token>/", views.RegistrationManageView.as_view(),
         name="registration-manage"),
    path("calendar/<slug:code>.ics", views.ProgramCalendarView.as_view(),
         name="program-calendar"),
    # After the event (workshops/feedback_views.py).
    path("events/<int:pk>/complete/", feedback_views.EventCompleteView.as_view(),
         name="event-complete"),
    path("events/<int:pk>/feedback/", feedback_views.EventFeedbackView.as_view(),
         name="event-feedback"),
    path("events/r/<str:token>/feedback/", feedback_views.FeedbackCreateView.as_view(),
         name="feedback-create"),
    path("events/r/<str:token>/certificate.pdf", feedback_views.CertificateView.as_view(),
         name="certificate"),
    path("registrations/<int:pk>/certificate.pdf",
         feedback_views.RegistrationCertificateView.as_view(),
         name="registration-certificate"),
]

# At the door and after the event (workshops/attendance_views.py).
urlpatterns += [
    path("events/<int:pk>/check-in/", attendance_views.CheckInView.as_view(), name="check-in"),
    path("events/<int:pk>/check-in/<int:registration_pk>/",
         attendance_views.CheckInActionView.as_view(), name="check-in-action"),
    path("events/<int:pk>/registrations/roster.csv", attendance_views.RosterExportView.as_view(),
         name="roster-csv"),
    path("events/<int:pk>/registrations/roster.xlsx",
         attendance_views.RosterExportView.as_view(file_format="xlsx"), name="roster-xlsx"),
    path("events/<int:pk>/attendance/", attendance_views.AttendanceImportView.as_view(),
         name="attendance-import"),
    path("events/<int:pk>/attendance/<int:import_pk>/",
         attendance_views.AttendancePreviewView.as_view(), name="attendance-preview"),
    path("events/<int:pk>/attendance/unmatched/", attendance_views.UnmatchedListView.as_view(),
         name="attendance-unmatched"),
    path("events/<int:pk>/attendance/unmatched/<int:row_pk>/",
         attendance_views.UnmatchedResolveView.as_view(), name="attendance-resolve"),
    path("events/<int:pk>/materials/", attendance_views.MaterialsView.as_view(),
         name="materials"),
    path("events/<int:pk>/materials/<int:material_pk>/",
         attendance_views.MaterialDownloadView.as_view(), name="material-download"),
    path("events/<int:pk>/materials/<int:material_pk>/remove/",
         attendance_views.MaterialRemoveView.as_view(), name="material-remove"),
]
