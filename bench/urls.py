from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns

from . import views

urlpatterns = [
    path("bench/measures/", views.measures_bare, name="bench-measures-bare"),
    path("bench/signups/", views.signup_bare, name="bench-signup-bare"),
    path("bench/signups/floor/", views.SignupFloor.as_view(), name="bench-signup-floor"),
    *portal_urlpatterns,
]
