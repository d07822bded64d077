"""DOI resolution: redirects, multiple resolution, resolution counts, error reports.
Mounted first (the busiest route): `/<doi>` catches every path starting with `10.`, and no
other route starts with `10.`, `doi/` or `resolver/`."""

from django.urls import path, re_path

from linking.resolver import views

app_name = "resolver"

urlpatterns = [
    path("resolver/report", views.report, name="report"),
    path("resolver/report/thanks", views.report_thanks, name="report_thanks"),
    re_path(r"^doi/(?P<doi>.*)$", views.resolve, name="resolve_doi"),
    re_path(r"^(?P<doi>10\..*)$", views.resolve, name="resolve"),
]
