"""Public dashboard pages, mounted at "": /members/<member_id>/participation."""

from django.urls import path

from portal.dashboard import public_views

app_name = "participation"

urlpatterns = [
    path("members/<int:member_id>/participation", public_views.participation, name="report"),
]
