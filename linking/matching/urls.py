from django.urls import path

from linking.matching import forward, openurl, stq_views, views, xmlquery

app_name = "matching"

urlpatterns = [
    path("match", views.match, name="match"),
    path("simple-text-query/", stq_views.simple_text_query, name="simple_text_query"),
    path("simple-text-query/<uuid:job_id>/", stq_views.simple_text_query_job, name="simple_text_query_job"),
    path(
        "simple-text-query/<uuid:job_id>/live/",
        stq_views.simple_text_query_job_live,
        name="simple_text_query_job_live",
    ),
    path("openurl", openurl.openurl, name="openurl"),
    path("servlet/query", xmlquery.servlet_query, name="servlet_query"),
    path("servlet/getForwardLinks", forward.get_forward_links, name="forward_links"),
]
