"""Only the API's routes, as portal/urls.py mounts them, so these tests do not depend on
the other apps' pages."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("linking.api.urls")),
    path("api/v1/", include(("linking.api.urls", "api-v1"))),
]
