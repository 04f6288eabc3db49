from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/new/", views.ReportRequestView.as_view(), name="report-request"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/status/", views.ReportStatusView.as_view(), name="report-status"),
    path("reports/<int:pk>/retry/", views.ReportRetryView.as_view(), name="report-retry"),
    path("reports/<int:pk>/share/", views.ReportShareView.as_view(), name="report-share"),
    path("reports/<int:pk>/files/<str:fmt>/", views.ReportFileView.as_view(),
         name="report-file"),
    path("reports/<int:pk>/findings/new/", views.FindingCreateView.as_view(),
         name="finding-create"),
    path("reports/<int:pk>/findings/<int:finding_pk>/", views.FindingUpdateView.as_view(),
         name="finding-update"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path("indicators/targets/", views.TargetListView.as_view(), name="target-list"),
    path("indicators/<slug:key>/", views.IndicatorDetailView.as_view(),
         name="indicator-detail"),
]
