from django.urls import path

from . import views

app_name = "coalitions"

urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="program-list"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program-create"),
    path("programs/<slug:code>/", views.ProgramDetailView.as_view(), name="program-detail"),
    path("programs/<slug:code>/edit/", views.ProgramUpdateView.as_view(), name="program-update"),
    path(
        "programs/<slug:code>/enroll/",
        views.EnrollmentCreateView.as_view(),
        name="enrollment-create",
    ),
    path(
        "enrollments/<int:pk>/edit/",
        views.EnrollmentUpdateView.as_view(),
        name="enrollment-update",
    ),
    path("coalitions/", views.CoalitionListView.as_view(), name="coalition-list"),
    path("coalitions/new/", views.CoalitionCreateView.as_view(), name="coalition-create"),
    path("coalitions/<int:pk>/", views.CoalitionDetailView.as_view(), name="coalition-detail"),
    path(
        "coalitions/<int:pk>/edit/",
        views.CoalitionUpdateView.as_view(),
        name="coalition-update",
    ),
    path(
        "coalitions/<int:pk>/contacts/new/",
        views.ContactCreateView.as_view(),
        name="contact-create",
    ),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-update"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact-delete"),
    path("my-coalition/", views.MyCoalitionView.as_view(), name="my-coalition"),
]
