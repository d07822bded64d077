"""Work landing pages and the Crossmark status shown on them."""

from django.urls import re_path

from portal.landing import views

app_name = "landing"

urlpatterns = [
    re_path(r"^works/(?P<doi>10\..*)$", views.work, name="work"),
]
