from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Synergies portal administration"
admin.site.site_title = "Synergies admin"

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("coalitions.urls")),
    path("admin/", admin.site.urls),
]
