from django.urls import path

from linking.matching import forward, openurl, views, xmlquery

app_name = "matching"

urlpatterns = [
    path("match", views.match, name="match"),
    path("simple-text-query/", views.simple_text_query, name="simple_text_query"),
    path("openurl", openurl.openurl, name="openurl"),
    path("servlet/query", xmlquery.servlet_query, name="servlet_query"),
    path("servlet/getForwardLinks", forward.get_forward_links, name="forward_links"),
]
