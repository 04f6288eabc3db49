from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "Synergies portal administration"
admin.site.site_title = "Synergies admin"

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("coalitions.urls")),
    path("", include("measures.urls")),
    path("api/v1/", include("measures.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("fhir/r4/", include("measures.fhir.urls")),
    path("admin/", admin.site.urls),
]
