"""``/api/v1/``: every app's REST routes, in the ``api`` namespace.

An app adds its API here: its ``api/urls.py`` holds ``urlpatterns`` and ``resources`` (the
name a client sees at the root: the URL name of the list). Anything else under the API is a
JSON 404, so the catch-all comes last.
"""

from django.urls import include, path, re_path

from core.api.views import ApiRootView, not_found
from evaluation.api import urls as evaluation_api
from measures.api import urls as measures_api
from workshops.api import urls as workshops_api

app_name = "api"

APPS = [measures_api, workshops_api, evaluation_api]

urlpatterns = [
    path("", ApiRootView.as_view(
        resources={name: url for app in APPS for name, url in app.resources.items()}
    ), name="root"),
    *(path("", include(app.urlpatterns)) for app in APPS),
    # Anything else under the API (an id that is not a number...) is a 404 in JSON too.
    re_path(r"^", not_found),
]
