from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from portal import views

urlpatterns = [
    # First, as the busiest route: /<doi> (every path starting with 10.), /doi/<doi> and
    # /resolver/report; no other route starts with those.
    path("", include("linking.resolver.urls")),
    path("", views.home, name="home"),
    path("join/", account_views.join, name="join"),
    path("join/thanks/", account_views.join_thanks, name="join_thanks"),
    path("account/", include("accounts.urls")),
    path("account/", include("accounts.billing.urls")),
    path("account/", include("deposits.webform.urls")),
    path("account/", include("portal.dashboard.urls")),
    # Deposits: /servlet/deposit, /servlet/submissionDownload and /account/<member_id>/deposits/...
    path("", include("deposits.urls")),
    path("auth/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("demo-publisher/<path:path>", views.demo_publisher_page, name="demo_publisher_page"),
    path("api/", include("linking.api.urls")),
    path("api/v1/", include(("linking.api.urls", "api-v1"))),
    path("oai", include("linking.oai.urls")),
    # /match, /openurl, /servlet/query, /servlet/getForwardLinks, Simple Text Query
    path("", include("linking.matching.urls")),
    # /search and the member, journal and funder directories
    path("", include("portal.discovery.urls")),
    # /members/<member_id>/participation: the public participation report
    path("", include("portal.dashboard.public_urls")),
    # /works/<doi>: landing pages
    path("", include("portal.landing.urls")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
