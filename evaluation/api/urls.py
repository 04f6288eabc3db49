"""The evaluation's routes under ``/api/v1/`` (included by ``config/api_urls.py``)."""

from django.urls import path

from . import views

resources = {
    "reports": "api:report-list",
    "indicators": "api:indicator-list",
}

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/files/<str:fmt>/", views.ReportFileView.as_view(),
         name="report-file"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
]
