from django.urls import path, re_path

from . import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.capability_statement_view, name="metadata"),
    path("Measure", views.measure_search_view, name="measure-search"),
    path("Measure/<str:fhir_id>", views.measure_read_view, name="measure-read"),
    re_path(r"^(?P<rest>.*)$", views.not_found_view, name="not-found"),
]
