from django.urls import path, re_path

from portal.discovery import views

app_name = "discovery"

urlpatterns = [
    path("search", views.search, name="search"),
    path("members/", views.members, name="members"),
    path("members/<int:member_id>", views.member, name="member"),
    path("journals/", views.journals, name="journals"),
    re_path(r"^journals/(?P<issn>\d{4}-?\d{3}[\dXx])$", views.journal, name="journal"),
    path("funders/", views.funders, name="funders"),
    re_path(r"^funders/(?P<funder_id>[^/]+(?:/[^/]+)?)$", views.funder, name="funder"),
]
