from django.urls import path

from . import views

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
]
