from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "Synergies portal administration"
admin.site.site_title = "Synergies admin"

urlpatterns = [
    # The machine-facing prefixes first: an API or FHIR request is resolved without trying
    # every page's pattern (a measurable share of a cached answer's time).
    path("api/v1/", include("config.api_urls")),
    path("fhir/r4/", include("measures.fhir.urls")),
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("coalitions.urls")),
    path("", include("measures.urls")),
    path("", include("workshops.urls")),
    path("", include("evaluation.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script as a file (?script), not inline, so the
    # page runs under the Content-Security-Policy (config/settings.py); its one exception:
    # Swagger UI's stylesheet draws its icons as data: images.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="core/api_docs.html"
            )
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
