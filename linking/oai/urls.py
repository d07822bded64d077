"""OAI-PMH for repository harvesters (mounted at /oai)."""

from django.urls import path

from linking.oai import views

app_name = "oai"
urlpatterns = [path("", views.oai, name="oai")]
