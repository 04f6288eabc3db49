from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
]
