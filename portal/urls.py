from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", account_views.join, name="join"),
    path("join/thanks/", account_views.join_thanks, name="join_thanks"),
    path("account/", include("accounts.urls")),
    # Deposits: /servlet/deposit, /servlet/submissionDownload and /account/<member_id>/deposits/...
    path("", include("deposits.urls")),
    path("auth/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
