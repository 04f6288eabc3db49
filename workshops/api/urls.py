"""The events' routes under ``/api/v1/``; ``config/api_urls.py`` includes them (in the
``api`` namespace) and lists ``resources`` at the API's root."""

from django.urls import path

from . import views

resources = {"events": "api:event-list"}

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/registrations/", views.RegistrationListView.as_view(),
         name="event-registration-list"),
    path("events/<int:pk>/registrations/<int:rid>/", views.RegistrationDetailView.as_view(),
         name="event-registration-detail"),
]
