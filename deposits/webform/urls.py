"""The web deposit form, mounted at account/: /account/<member_id>/deposit/..."""

from django.urls import path

from deposits.webform import views

app_name = "webform"

BASE = "<int:member_id>/deposit/"

urlpatterns = [
    path(BASE + "new/", views.deposit_new, name="new"),
    path(BASE + "funders/", views.funder_search, name="funders"),
    path(BASE + "affiliations/", views.affiliation_search, name="affiliations"),
    path(BASE + "edit/<path:doi>", views.deposit_edit, name="edit"),
    path(BASE + "resources/<path:doi>", views.deposit_resources, name="resources"),
]
