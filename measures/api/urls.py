"""The measure catalog's and the adoption records' routes under ``/api/v1/``; the project's
``config/api_urls.py`` includes them (in the ``api`` namespace) and lists ``resources`` at the
API's root."""

from django.urls import path

from . import views

# Name at the API's root: the URL name of the list.
resources = {
    "measures": "api:measure-list",
    "measure-sets": "api:measure-set-list",
    "tools": "api:tool-list",
    "adoptions": "api:adoption-list",
    "incentive-programs": "api:incentive-program-list",
}

urlpatterns = [
    path("measures/", views.MeasureListView.as_view(), name="measure-list"),
    # Codes hold spaces (``PQI%2001``); the slug (``pqi-01``) works too.
    path("measures/<path:code>/", views.MeasureDetailView.as_view(), name="measure-detail"),
    path("measure-sets/", views.MeasureSetListView.as_view(), name="measure-set-list"),
    path("measure-sets/<path:code>/", views.MeasureSetDetailView.as_view(),
         name="measure-set-detail"),
    path("tools/", views.ToolListView.as_view(), name="tool-list"),
    path("tools/<path:code>/", views.ToolDetailView.as_view(), name="tool-detail"),
    path("adoptions/", views.AdoptionListView.as_view(), name="adoption-list"),
    path("adoptions/<int:pk>/", views.AdoptionDetailView.as_view(), name="adoption-detail"),
    path("incentive-programs/", views.IncentiveProgramListView.as_view(),
         name="incentive-program-list"),
    path("incentive-programs/<int:pk>/", views.IncentiveProgramDetailView.as_view(),
         name="incentive-program-detail"),
]
