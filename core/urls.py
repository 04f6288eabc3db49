from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Pages that name no icon (the admin's) make the browser ask for /favicon.ico.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("uswds/img/favicons/favicon.ico")),
        name="favicon",
    ),
]
