"""Routes of the REST API, mounted at /api/ and /api/v1/. DOIs and funder ids in paths may
contain slashes and other odd characters, hence the regular expressions."""

from django.urls import path, re_path

from linking.api import docs, views, views_entities

urlpatterns = [
    path("openapi.json", docs.OpenApiView.as_view(), name="api-schema"),
    path("docs/", docs.api_docs, name="api-docs"),
    re_path(r"^works/?$", views.WorksView.as_view(), name="api-works"),
    path("works/lookup", views.WorksLookupView.as_view(), name="api-works-lookup"),
    re_path(r"^works/(?P<doi>.+)/agency/?$", views.WorkAgencyView.as_view(), name="api-work-agency"),
    re_path(
        r"^works/(?P<doi>.+)/transform/(?P<media_type>[\w.+-]+/[\w.+-]+)$",
        views.WorkTransformTypeView.as_view(),
        name="api-work-transform-type",
    ),
    re_path(r"^works/(?P<doi>.+)/transform/?$", views.WorkTransformView.as_view(), name="api-work-transform"),
    re_path(r"^works/(?P<doi>.+)$", views.WorkView.as_view(), name="api-work"),
    re_path(r"^members/?$", views_entities.MembersView.as_view(), name="api-members"),
    re_path(
        r"^members/(?P<member_id>[^/]+)/works/?$",
        views_entities.MemberWorksView.as_view(),
        name="api-member-works",
    ),
    re_path(r"^members/(?P<member_id>[^/]+)/?$", views_entities.MemberView.as_view(), name="api-member"),
    re_path(
        r"^prefixes/(?P<prefix>[^/]+)/works/?$",
        views_entities.PrefixWorksView.as_view(),
        name="api-prefix-works",
    ),
    re_path(r"^prefixes/(?P<prefix>[^/]+)/?$", views_entities.PrefixView.as_view(), name="api-prefix"),
    re_path(r"^journals/?$", views_entities.JournalsView.as_view(), name="api-journals"),
    re_path(
        r"^journals/(?P<issn>[^/]+)/works/?$",
        views_entities.JournalWorksView.as_view(),
        name="api-journal-works",
    ),
    re_path(r"^journals/(?P<issn>[^/]+)/?$", views_entities.JournalView.as_view(), name="api-journal"),
    re_path(r"^funders/?$", views_entities.FundersView.as_view(), name="api-funders"),
    re_path(
        r"^funders/(?P<funder>.+)/works/?$", views_entities.FunderWorksView.as_view(), name="api-funder-works"
    ),
    re_path(r"^funders/(?P<funder>.+?)/?$", views_entities.FunderView.as_view(), name="api-funder"),
    re_path(r"^types/?$", views_entities.TypesView.as_view(), name="api-types"),
    re_path(
        r"^types/(?P<type_id>[^/]+)/works/?$", views_entities.TypeWorksView.as_view(), name="api-type-works"
    ),
    re_path(r"^types/(?P<type_id>[^/]+)/?$", views_entities.TypeView.as_view(), name="api-type"),
    re_path(r"^licenses/?$", views_entities.LicensesView.as_view(), name="api-licenses"),
]
