"""The member dashboard, mounted at account/: /account/<member_id>/dashboard/..."""

from django.urls import path

from portal.dashboard import views

app_name = "dashboard"

BASE = "<int:member_id>/dashboard/"

urlpatterns = [
    path(BASE, views.overview, name="overview"),
    path(BASE + "submissions/", views.submissions, name="submissions"),
    path(BASE + "dois/", views.works, name="works"),
    path(BASE + "titles/", views.titles, name="titles"),
    path(BASE + "reports/depositor/", views.depositor_report, name="depositor"),
    path(BASE + "reports/conflicts/", views.conflict_report, name="conflicts"),
    path(
        BASE + "reports/conflicts/<int:conflict_id>/resolve", views.conflict_resolve, name="conflict_resolve"
    ),
    path(BASE + "reports/doi-errors/", views.doi_error_report, name="doi_errors"),
    path(BASE + "reports/resolutions/", views.resolution_report, name="resolutions"),
]
